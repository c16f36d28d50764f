"""Oversight: the compliance dashboard, its monthly and quarterly reports, and the check that every
unit keeps publishing (PRODUCT §9).  An aggregator: it reads the domains' published figures and the
change feed; no package imports it."""
