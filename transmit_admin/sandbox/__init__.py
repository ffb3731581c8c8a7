"""A Transmit-compatible HTTP server on loopback for demos, tests and offline work. No Qt.

Entry points: `app.create_app(config)`, `serve.serve(config)` (foreground),
`runner.SandboxProcess.start(...)` (child process), `python -m transmit_admin.sandbox`.
Importing this package stays cheap: nothing here imports uvicorn until it is used.
See docs/sandbox.md.
"""
