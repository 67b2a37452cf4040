"""Admin data pages, the audit log."""
