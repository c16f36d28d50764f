"""Scheduled checks: deadlines, publication, expiry, alerts."""
