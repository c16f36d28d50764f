"""Units, officers, sign-in, and (later) API keys."""
