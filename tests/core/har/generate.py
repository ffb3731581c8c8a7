"""A large generated capture, written entry by entry (the memory test and bench/har.py)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.core.jwt_factory import good_token, user_claims


def write_large_har(path: Path, target_bytes: int, *, body_bytes: int = 150_000) -> int:
    """Writes a HAR of about `target_bytes` to `path`; returns its entry count. Most entries
    carry a large script body; every tenth is a token response (base64) with fresh secrets."""
    token = good_token(user_claims(jti="big"))
    script = ("var x = 1; // filler " * (body_bytes // 21))[:body_bytes]
    count = written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "Generator", "version": "1"}, ')
        out.write('"entries": [\n')
        while written < target_bytes:
            if count % 10 == 0:
                body = json.dumps(
                    {
                        "access_token": token,
                        "refresh_token": f"rt_{count:012d}",
                        "session_id": f"sess_{count:012d}",
                    }
                )
                content = {
                    "size": len(body),
                    "mimeType": "application/json",
                    "text": base64.b64encode(body.encode()).decode(),
                    "encoding": "base64",
                }
                url = f"https://tenant.transmit.test/cis/v1/auth/otp/authenticate?n={count}"
            else:
                content = {
                    "size": len(script),
                    "mimeType": "application/javascript",
                    "text": script,
                }
                url = f"https://app.example.com/static/app.js?v={count}"
            entry = {
                "startedDateTime": "2027-01-15T08:00:00.000Z",
                "time": 12.5,
                "request": {
                    "method": "POST",
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "Cookie", "value": f"app_session=cookie{count:08d}"}],
                    "queryString": [],
                    "cookies": [{"name": "app_session", "value": f"cookie{count:08d}"}],
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "response": {
                    "status": 200,
                    "statusText": "OK",
                    "httpVersion": "HTTP/1.1",
                    "headers": [],
                    "cookies": [],
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 1, "wait": 10, "receive": 1.5},
            }
            text = json.dumps(entry)
            out.write((",\n" if count else "") + text)
            written += len(text) + 2
            count += 1
        out.write("\n]}}\n")
    return count
