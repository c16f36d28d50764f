"""The admin console: settings, the working-day calendar, the audit log.

Users and units are managed in ``registry.accounts``; this package holds the pages for the core
mechanisms, which (being in ``core``) have no views of their own.
"""
