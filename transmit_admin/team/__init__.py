"""Team mode: a shared, append-only journal on PostgreSQL (issue 14). No Qt.

Start at `service.TeamClient`; `docs/architecture.md` lists the public names.
"""
