"""Logging to a rotating file under the data folder, with secrets redacted from every record.

Tracebacks go here, never to dialogs or stdout. The redaction filter is attached to the
handlers, so a record from any library (httpx logs request lines with URLs) is scrubbed too.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from transmit_admin.api.redacting_log import RedactingFilter

LOG_FILE_NAME = "transmit-admin.log"


def log_file_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    from transmit_admin.store.paths import data_dir as resolve_data_dir

    return resolve_data_dir(data_dir) / "logs" / LOG_FILE_NAME


def configure_logging(
    data_dir: str | os.PathLike[str] | None = None, *, to_stderr: bool = False
) -> Path | None:
    """Sends WARNING+ to stderr (for commands) and INFO+ to the log file; returns its path."""
    root = logging.getLogger()
    if getattr(root, "_transmit_admin_configured", False):
        return None
    root.setLevel(logging.INFO)
    redactor = RedactingFilter()
    path: Path | None = None
    try:
        path = log_file_path(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(redactor)
        root.addHandler(handler)
    except OSError:
        path = None  # a read-only home must not stop the tool; stderr still gets warnings
    if to_stderr:
        stderr = logging.StreamHandler()
        stderr.setLevel(logging.WARNING)
        stderr.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        stderr.addFilter(redactor)
        root.addHandler(stderr)
    # httpx logs every request URL at INFO; keep it at WARNING so query strings stay out.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root._transmit_admin_configured = True  # type: ignore[attr-defined]
    return path
