"""The audit log is not in the admin: administrators read and filter it at `/audit/`
(which audits the reading), and nothing anywhere may add, change or delete an entry."""
