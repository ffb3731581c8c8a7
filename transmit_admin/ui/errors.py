"""Turning an exception into one sentence a support agent can act on.

The typed API errors already carry such a sentence (`.sentence()`); anything else gets a
generic one that points at the log file, where the traceback goes. Tracebacks never reach
a dialog, banner or status line.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QCoreApplication

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def user_message(exc: BaseException, *, action: str | None = None) -> str:
    """One readable sentence for `exc`; logs the traceback when the error was unexpected."""
    sentence = getattr(exc, "sentence", None)
    if callable(sentence):
        try:
            text = sentence()
        except Exception:  # a broken sentence must not hide the original error
            log.exception("the error's sentence() failed")
        else:
            if isinstance(text, str) and text:
                log.info("%s failed: %s", action or "an action", text)
                return text
    if isinstance(exc, asyncio.CancelledError):
        return _tr("Cancelled.")
    if isinstance(exc, TimeoutError):
        return _tr("The server did not answer in time. Check the connection and try again.")
    # Imported here, not at the top: the window must paint before the server stack is loaded.
    from transmit_admin.sandbox.runner import SandboxStartError
    from transmit_admin.services.demo import DemoSeedError
    from transmit_admin.store.db import StoreError
    from transmit_admin.store.environments import EnvironmentsFileError
    from transmit_admin.store.secrets import SecretStoreError

    # Store, secret-store, sandbox and demo errors, LookupError for an unknown --env and
    # ValueError from a form: their messages are written for people already.
    if isinstance(exc, StoreError | SecretStoreError | DemoSeedError | EnvironmentsFileError):
        return str(exc)
    if isinstance(exc, SandboxStartError):
        log.error("the sandbox did not start", exc_info=exc)
        return _tr(
            "The local sandbox could not start ({0}). The details are in the log file."
        ).format(str(exc).split(";")[0])
    # Exactly these types (not KeyError, JSONDecodeError…): they are raised with a sentence.
    if type(exc) in (LookupError, ValueError) and str(exc):
        return str(exc).strip("'\"")
    if isinstance(exc, OSError):
        log.warning("%s failed", action or "an action", exc_info=exc)
        return _tr("A file or network operation failed: {0}").format(exc.strerror or exc)
    log.error("%s failed unexpectedly", action or "an action", exc_info=exc)
    return _tr(
        "Something unexpected went wrong ({0}). The details are in the log file; "
        "please try again, and report it if it keeps happening."
    ).format(exc.__class__.__name__)
