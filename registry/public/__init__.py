"""Public pages: the lookup, the lists, subject pages."""
