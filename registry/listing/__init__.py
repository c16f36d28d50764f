"""Red and black list entries (红黑名单): categories, measures, the verify-then-publish workflow."""
