"""The local SQLite store of tracked sessions, tokens seen, events and the audit log. No Qt."""
