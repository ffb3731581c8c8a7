"""`--print-env`: the sandbox's address and credentials as `.env` lines for a backend.

Transmit's Express samples (`ciam-expressjs-vanilla-samples`, `sample.env` and
`shared/config.js`) read `VITE_TS_API_BASE`, `VITE_TS_CLIENT_ID`, `TS_CLIENT_SECRET`,
`TS_REDIRECT_URI` and `TS_APP_ID`; transmit-admin's own commands read the `TRANSMIT_*` ones
(docs/sessions-cli.md), so one file serves the sample and the console watching it.
"""

from __future__ import annotations

import re
from typing import Any

# The samples serve on port 8080 by default and take the magic link back at `/complete`;
# the sandbox allows any loopback redirect URI, so this one works unless told otherwise.
SAMPLE_REDIRECT_URI = "http://localhost:8080/complete"
_PLAIN = re.compile(r"^[A-Za-z0-9_./:@+*-]*$")


def env_text(info: dict[str, Any], redirect_uris: tuple[str, ...] = ()) -> str:
    """`NAME=value` lines (with `#` comments) for `info_of(state)` of a running sandbox."""
    redirect_uri = redirect_uris[0] if redirect_uris else SAMPLE_REDIRECT_URI
    lines = [
        "# Transmit sandbox (transmit-admin sandbox --print-env): valid while it runs, and across"
        " restarts with the same --port and --seed",
        "# Transmit's Express samples:",
        _line("VITE_TS_API_BASE", info["base_url"]),
        _line("VITE_TS_CLIENT_ID", info["client_id"]),
        _line("TS_CLIENT_SECRET", info["client_secret"]),
        _line("TS_REDIRECT_URI", redirect_uri),
        _line("TS_APP_ID", info["app_id"]),
        "# transmit-admin sessions … against this sandbox:",
        _line("TRANSMIT_BASE_URL", info["base_url"]),
        _line("TRANSMIT_CLIENT_ID", info["client_id"]),
        _line("TRANSMIT_CLIENT_SECRET", info["client_secret"]),
        _line("TRANSMIT_ISSUER", info["issuer"]),
        _line("TRANSMIT_TENANT_ID", info["tenant_id"]),
    ]
    return "\n".join(lines) + "\n"


def _line(name: str, value: str) -> str:
    if _PLAIN.match(value):
        return f"{name}={value}"
    # dotenv and POSIX shells both read a double-quoted value with these escapes.
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'{name}="{escaped}"'
