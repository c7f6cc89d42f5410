"""Switch intent, plan, push, verify, backup and rollback."""
