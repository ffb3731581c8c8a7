"""A logging filter that scrubs secrets from every record before any handler writes it.

Attach it to handlers (not loggers) so records from libraries are scrubbed too: httpx logs
request lines, and an exception text may quote a token. The message is formatted once and
replaced, because a secret can hide in the arguments as easily as in the format string.
"""

from __future__ import annotations

import logging

from transmit_admin.core.redact import redact_secrets


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_secrets(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True
