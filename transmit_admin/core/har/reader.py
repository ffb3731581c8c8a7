"""Reading a HAR 1.2 capture entry by entry, with memory bounded by its largest entry.

A browser capture of a slow login easily reaches hundreds of megabytes, mostly bodies, and
`json.load` of it needs several times its size. `ijson` (the yajl2 C backend) walks the file
and hands over `log.entries` one item at a time. The members of `log` written before
`entries` (`version`, `creator`, `browser`, `pages`, `_` fields) are read first, event by event
(they are small), then the stream is read again from the start for the entries: seeking when
it can, replaying the few bytes it recorded when it cannot (standard input).

Everything that goes wrong becomes a `HarError` with one sentence; the parser's own message
(which quotes the bytes around the error, possibly a token) goes only to `detail`'s first line.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import ijson

from transmit_admin.core.har.errors import HarCancelled, HarNotHar, HarNotJson, HarTruncated

Progress = Callable[[int, int | None], None]  # (bytes read, total bytes or None)
Cancelled = Callable[[], bool]

# The head (everything before `entries`) is recorded only for streams that cannot seek.
MAX_HEAD_BYTES = 64 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class HarHead:
    """The members of `log` that come before `entries` (HAR 1.2 §log)."""

    version: str | None = None
    creator: str | None = None  # "Chrome", "Firefox", "WebInspector" (Safari), "mitmproxy"...
    creator_version: str | None = None
    browser: str | None = None
    members: dict[str, Any] = field(default_factory=dict, repr=False)  # pages etc., as read
    notes: tuple[str, ...] = ()


class _Counting(io.RawIOBase):
    """Counts what the parser reads; replays recorded bytes first; drops a UTF-8 BOM."""

    def __init__(self, stream: BinaryIO, replay: bytes = b"", *, record: bool = False) -> None:
        self._stream = stream
        self._replay = memoryview(replay)
        self._record: bytearray | None = bytearray() if record else None
        self.count = 0
        self.digest = hashlib.sha256()
        self._first = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        if self._replay:
            data = bytes(self._replay[:size])
            self._replay = self._replay[size:]
        else:
            data = self._stream.read(size)
        if self._first and data:
            self._first = False
            if data.startswith(_BOM):
                self.count += len(_BOM)
                data = data[len(_BOM) :]
        if self._record is not None:
            if len(self._record) + len(data) > MAX_HEAD_BYTES:
                raise HarNotHar(
                    "This capture has more than 64 MiB before its entries; open it as a file "
                    "rather than from standard input."
                )
            self._record += data
        self.count += len(data)
        self.digest.update(data)
        return data

    def recorded(self) -> bytes:
        return bytes(self._record or b"")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _not_json(start: bytes) -> HarNotJson:
    head = start.lstrip()[:4]
    if not head:
        return HarNotJson("The file is empty: it is not a HAR capture.")
    if head.startswith(b"<"):
        what = "it looks like a web page (HTML), not a HAR export"
    elif head.startswith(b"PK"):
        what = "it is a zip archive; unzip it and open the .har file inside"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = "it is UTF-16 text; save the capture again as UTF-8"
    else:
        what = "it is not JSON"
    return HarNotJson(f"This file is not a HAR capture: {what}.")


class HarReader:
    """`HarReader(stream).head` then `for index, entry in reader.entries(): …`.

    `on_progress(bytes_read, total)` is called after each entry; `cancelled()` is checked
    before each entry and stops the read with `HarCancelled`.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        total_bytes: int | None = None,
        on_progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> None:
        self._stream = stream
        self.total_bytes = total_bytes
        self._on_progress = on_progress
        self._cancelled = cancelled
        self.skipped = 0  # entries that were not objects
        self.notes: list[str] = []
        try:
            self._seekable = stream.seekable()
            self._start = stream.tell() if self._seekable else 0
        except (OSError, AttributeError, ValueError):
            self._seekable = False
            self._start = 0
        self._replay = b""
        self.fingerprint: str | None = None  # sha256 of the capture, once the entries are read
        self.head = self._read_head()

    def _read_head(self) -> HarHead:
        counting = _Counting(self._stream, record=not self._seekable)
        members: dict[str, Any] = {}
        builder: Any = None
        member = ""
        seen_any = False
        found_entries = False
        try:
            for prefix, event, value in ijson.parse(counting, use_float=True):
                seen_any = True
                if prefix == "" and event not in ("start_map", "map_key", "end_map"):
                    raise HarNotHar(_not_har_shape(event))
                if prefix == "log.entries" and event == "start_array":
                    found_entries = True
                    break
                if prefix == "log" and event == "map_key":
                    if builder is not None:
                        members[member] = builder.value
                    member, builder = str(value), ijson.ObjectBuilder()
                    continue
                if prefix == "log" and event == "end_map":
                    if builder is not None:
                        members[member] = builder.value
                    builder = None
                    continue
                if prefix == "" and event == "map_key" and value == "log":
                    continue
                if builder is not None and prefix.startswith("log."):
                    builder.event(event, value)
                elif prefix == "log" and event != "start_map":
                    raise HarNotHar(
                        "This JSON file is not a HAR capture: its 'log' is not an object."
                    )
        except ijson.JSONError as exc:
            if not seen_any:
                raise self._not_json_error(counting) from None
            if "premature EOF" in str(exc):
                raise HarTruncated(
                    "The capture ends before its entries begin: the file is cut short; export "
                    "or download it again.",
                    entries_read=0,
                    detail=_first_line(exc),
                ) from None
            raise HarNotJson(
                "This file is not a HAR capture: it is damaged JSON near its start.",
                detail=_first_line(exc),
            ) from None
        except UnicodeDecodeError:
            raise HarNotJson("This file is not a HAR capture: it is not UTF-8 text.") from None
        if not found_entries:
            if not seen_any:
                raise self._not_json_error(counting)
            raise HarNotHar(
                "This JSON file is not a HAR capture: it has no 'log.entries' list (export it "
                "from the browser's Network panel with 'Save all as HAR')."
            )
        if builder is not None:
            members[member] = builder.value
        self._replay = counting.recorded()
        return _head_from(members)

    def _not_json_error(self, counting: _Counting) -> HarNotJson:
        start = counting.recorded()
        if self._seekable:
            self._stream.seek(self._start)
            start = self._stream.read(8)
        return _not_json(start)

    def entries(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self._seekable:
            self._stream.seek(self._start)
            counting = _Counting(self._stream)
        else:
            counting = _Counting(self._stream, self._replay)
            self._replay = b""
        index = 0
        items = ijson.items(counting, "log.entries.item", use_float=True)
        while True:
            if self._cancelled is not None and self._cancelled():
                raise HarCancelled(index)
            try:
                item = next(items)
            except StopIteration:
                break
            except ijson.JSONError as exc:
                if "trailing garbage" in str(exc):
                    self.notes.append("The file has extra bytes after the capture; ignored.")
                    break
                truncated = "premature EOF" in str(exc)
                raise HarTruncated(
                    f"The capture {'ends' if truncated else 'is damaged'} in the middle of "
                    f"entry {index + 1}"
                    + (
                        ": the file is cut short; export or download it again."
                        if truncated
                        else "; export it again from the browser."
                    ),
                    entries_read=index,
                    detail=_first_line(exc),
                ) from None
            except UnicodeDecodeError:
                raise HarTruncated(
                    f"Entry {index + 1} of the capture is not UTF-8 text.", entries_read=index
                ) from None
            if self._on_progress is not None:
                self._on_progress(counting.count, self.total_bytes)
            if not isinstance(item, dict):
                self.skipped += 1
                index += 1
                continue
            yield index, item
            index += 1
        self.fingerprint = counting.digest.hexdigest()


def _not_har_shape(event: str) -> str:
    kind = {"start_array": "a list"}.get(event, "a single value")
    return f"This JSON file is not a HAR capture: it is {kind}, not an object with a 'log'."


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _head_from(members: dict[str, Any]) -> HarHead:
    creator = members.get("creator")
    browser = members.get("browser")
    creator = creator if isinstance(creator, dict) else {}
    browser = browser if isinstance(browser, dict) else {}
    return HarHead(
        version=_text(members.get("version")),
        creator=_text(creator.get("name")),
        creator_version=_text(creator.get("version")),
        browser=_text(browser.get("name")),
        members=members,
    )


def iter_entries(
    stream: BinaryIO,
    *,
    total_bytes: int | None = None,
    on_progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The entries of the HAR in `stream` (see `HarReader`)."""
    reader = HarReader(
        stream, total_bytes=total_bytes, on_progress=on_progress, cancelled=cancelled
    )
    return reader.entries()
