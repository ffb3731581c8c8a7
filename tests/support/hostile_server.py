"""A deliberately hostile Transmit on loopback: a raw-socket HTTP server scripted per path.

It answers `/oidc/token` with a client token (so the client gets as far as the call under
test) and every other request from a script of raw byte answers or steps, keyed by
"METHOD /path". It runs on its own thread, so the same server serves a client on the test's
event loop and a `transmit-admin` child process alike. Nothing here uses an HTTP library on
the server side: the point is to send exactly the bytes a broken proxy or a hostile server
would.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLIENT_TOKEN_BODY = json.dumps(
    {"access_token": "client-token-from-hostile", "token_type": "Bearer", "expires_in": 3600}
).encode()

# A step writes to the socket itself (trickling, endless, resetting); bytes are sent whole.
Step = Callable[[socket.socket], None]
Answer = bytes | Step


def http_answer(
    body: bytes = b"",
    *headers: str,
    status: str = "200 OK",
    version: str = "1.1",
    length: bool = True,
) -> bytes:
    lines = [f"HTTP/{version} {status}", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join([*lines, "", ""]).encode() + body


def json_answer(value: object, status: str = "200 OK") -> bytes:
    return http_answer(json.dumps(value).encode(), "Content-Type: application/json", status=status)


def gzip_answer(
    raw: bytes, status: str = "200 OK", content_type: str = "application/json"
) -> bytes:
    return http_answer(
        gzip.compress(raw, 9),
        f"Content-Type: {content_type}",
        "Content-Encoding: gzip",
        status=status,
    )


def gzip_bomb(status: str = "200 OK", expanded_mb: int = 200) -> bytes:
    """About 200 KB on the wire that expands to `expanded_mb` MB of zeros."""
    return gzip_answer(b"0" * (expanded_mb * 1024 * 1024), status=status)


def trickle(answer: bytes, delay: float = 0.2) -> Step:
    """Sends the answer one byte at a time: a server that never quite finishes."""

    def step(conn: socket.socket) -> None:
        for index in range(len(answer)):
            conn.sendall(answer[index : index + 1])
            time.sleep(delay)

    return step


def endless_chunks(status: str = "200 OK", chunk: bytes = b"[" * 65536) -> Step:
    """A chunked body that never ends, as fast as the client reads it."""

    def step(conn: socket.socket) -> None:
        head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        conn.sendall(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n")
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            conn.sendall(frame)

    return step


def reset_connection(conn: socket.socket) -> None:
    """Closes with a TCP reset (SO_LINGER 0), after reading the request."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def close_without_answer(conn: socket.socket) -> None:
    conn.shutdown(socket.SHUT_RDWR)


def silent(conn: socket.socket) -> None:
    """Reads the request and never answers."""
    time.sleep(30)


@dataclass
class HostileServer:
    """`script` maps "METHOD /path" (a regular expression over both) to the answers for that
    route, used in order; the last one repeats."""

    script: dict[str, list[Answer]] = field(default_factory=dict)
    tls: ssl.SSLContext | None = None
    received: list[tuple[str, str]] = field(default_factory=list)
    connections: int = 0  # accepted (and, with TLS, handshaken) connections
    port: int = 0

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="hostile")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def count(self, method: str, path_pattern: str) -> int:
        return sum(
            1 for m, p in self.received if m == method and re.fullmatch(path_pattern, p) is not None
        )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.connections += 1
            for method, path in _requests(conn):
                self.received.append((method, path))
                answer = self._answer_for(method, path)
                if isinstance(answer, bytes):
                    conn.sendall(answer)
                else:
                    answer(conn)
                    return
        except OSError:
            pass  # the client went away (or refused our certificate): expected here
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _answer_for(self, method: str, path: str) -> Answer:
        if path.endswith("/oidc/token"):
            return http_answer(CLIENT_TOKEN_BODY, "Content-Type: application/json")
        for pattern, answers in self.script.items():
            if re.fullmatch(pattern, f"{method} {path}"):
                return answers.pop(0) if len(answers) > 1 else answers[0]
        return json_answer({"message": "no such route in the script", "error_code": 404}, "404")


def _requests(conn: socket.socket) -> Iterator[tuple[str, str]]:
    """(method, path) of each request read off a keep-alive connection; bodies are skipped."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        found = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
        length = int(found.group(1)) if found else 0
        while len(buffer) < length:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
        buffer = buffer[length:]
        method, target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
        yield method, target.split("?", 1)[0]


class RssSampler:
    """Samples this process's resident memory every few milliseconds while in use: the peak
    growth over the start, in MB (ru_maxrss only ever shows the whole run's peak)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.start_mb = 0.0
        self.peak_mb = 0.0
        self._stop = threading.Event()

    @staticmethod
    def rss_mb() -> float:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * _PAGE_SIZE / 2**20

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.start_mb

    def __enter__(self) -> RssSampler:
        self.start_mb = self.peak_mb = self.rss_mb()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.rss_mb())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self.rss_mb())
