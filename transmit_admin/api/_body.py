"""Reading an answer's body decoded and bounded, whatever the transport.

httpx decodes gzip and deflate a whole network chunk at a time, without an output bound: one
64 KB chunk of a gzip bomb becomes 64 MB in a single call before any limit can be looked at.
Here the raw bytes (transfer framing removed, content coding kept) are decompressed with
zlib's `max_length`, a megabyte at a time, so no more than the limit plus a step is held.
Codings other than gzip and deflate are refused (the client only offers those two).
"""

from __future__ import annotations

import zlib

import httpx

ACCEPT_ENCODING = "gzip, deflate"
STEP_BYTES = 1024 * 1024  # decoded per zlib call: the most held beyond the limit


class BodyUndecodable(Exception):
    """A body in a coding we do not read, or a compressed body that is corrupt."""


class _Inflater:
    def __init__(self, coding: str) -> None:
        self.coding = coding
        # gzip: header + deflate; deflate is zlib-wrapped by the RFC, raw by some servers.
        self._wbits = zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, body: bytearray, limit: int) -> None:
        """Appends what `data` decodes to onto `body`, a step at a time, stopping once `body`
        is past `limit` (the caller then gives up)."""
        pending = data
        while pending and len(body) <= limit:
            step = min(limit + 1 - len(body), STEP_BYTES)
            try:
                body += self._zlib.decompress(pending, step)
            except zlib.error:
                if self.coding == "deflate" and not self._started:
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise BodyUndecodable(f"corrupt {self.coding} body") from None
            self._started = True
            pending = self._zlib.unconsumed_tail
            if self._zlib.eof:
                break

    def finish(self) -> None:
        if not self._zlib.eof and self._started:
            raise BodyUndecodable(f"truncated {self.coding} body")


def _coding(response: httpx.Response) -> str | None:
    codings = [
        c.strip().lower()
        for c in response.headers.get("content-encoding", "").split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in ("gzip", "deflate"):
        raise BodyUndecodable(f"content coding {', '.join(codings)[:40]!r} is not one we read")
    coding: str = codings[0]
    return coding


async def read_bounded(response: httpx.Response, limit: int) -> bytes | None:
    """The decoded body of a streamed response, or None once it would pass `limit` bytes
    (nothing more is read). Raises BodyUndecodable."""
    try:
        # A response built in memory (httpx.MockTransport in tests) arrives already read.
        ready = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        return ready if len(ready) <= limit else None
    coding = _coding(response)
    inflater = _Inflater(coding) if coding else None
    body = bytearray()
    async for raw in response.aiter_raw():
        if inflater is None:
            body += raw
        else:
            inflater.feed(raw, body, limit)
        if len(body) > limit:
            return None
    if inflater is not None:
        inflater.finish()
    return bytes(body)
