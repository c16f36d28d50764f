"""The officer's workbench: the landing page after sign-in, gathering from every package what the
signed-in officer's role has to do today (``core.workbench`` sections and their registered lines)."""
