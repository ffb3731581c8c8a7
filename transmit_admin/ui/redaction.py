"""Masking of free text (action results, audit details) while the redaction switch is on.

The service writes sentences such as "tracked: user B0z6Y2NnIa9PVvPnkOli <ann@example.com>";
the table and the details mask their fields one by one, and this masks the same emails and ids
inside those sentences, wherever they are shown (activity panel, audit tab, the line under the
session table). Secrets are removed before this, always (`core.redact.redact_secrets`).
The masking itself lives in `core.redact` so that reports written outside the window (the
HAR ticket report) mask the same way.
"""

from __future__ import annotations

from transmit_admin.core.redact import mask_text

__all__ = ["mask_text"]
