"""Idle keep-alive connections outlive the clients' own idle timeouts.

Node's HTTP agent (which `node-fetch` in Transmit's Express samples uses) keeps an idle
connection for 5 s before closing it; uvicorn's default keep-alive is also 5 s. With both at
5 s, a request sent about 5 s after the previous one races the server's close: the sample's
magic-link step failed with `ECONNRESET` ("socket hang up") before it reached the sandbox.
The server must keep idle connections longer than its clients do, so they close first.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

from transmit_admin.sandbox.config import KEEP_ALIVE_SECONDS
from transmit_admin.sandbox.runner import SandboxInfo

# Node's `http.globalAgent` (keepAlive, `timeout: 5000`) and httpx's `keepalive_expiry`.
CLIENT_IDLE_SECONDS = 5


def test_keep_alive_outlasts_common_client_idle_timeouts() -> None:
    assert KEEP_ALIVE_SECONDS > 90  # Go's `http.Transport.IdleConnTimeout` too


def test_an_idle_connection_is_still_open_after_the_clients_idle_timeout(
    sandbox: SandboxInfo,
) -> None:
    url = urlsplit(sandbox.base_url)
    assert url.hostname is not None
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("GET", "/cis/oidc/jwks")
        first = conn.getresponse()
        assert first.status == 200
        first.read()
        time.sleep(CLIENT_IDLE_SECONDS + 0.7)
        # The same connection: http.client raises RemoteDisconnected (or a reset) if the server
        # closed it meanwhile; it does not reconnect on its own.
        conn.request("GET", "/cis/oidc/jwks")
        second = conn.getresponse()
        assert second.status == 200
        assert json.loads(second.read())["keys"]
    finally:
        conn.close()
