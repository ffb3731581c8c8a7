"""HAR intake core: reading every browser's shape, finding every planted secret, sanitizing
so that none survives, refusing hostile files with a sentence, bounded memory."""

from __future__ import annotations

import base64
import io
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.har.captures import SHAPES, STARTED, TRANSMIT, har_bytes, planted, tokens
from tests.core.har.generate import write_large_har
from tests.core.jwt_factory import NOW, tenant_keys
from transmit_admin.core.har import (
    HarCancelled,
    HarError,
    HarNotHar,
    HarNotJson,
    HarReader,
    HarTruncated,
    SecretKind,
    TransmitHosts,
    analyze_har,
    check_sanitized,
    sanitize_har,
    scan,
)
from transmit_admin.core.report import Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_token

TOKENS = tokens()


def _opener(data: bytes):  # type: ignore[no-untyped-def]
    return lambda: io.BytesIO(data)


def _present(data: bytes) -> list[str]:
    return [value for value in planted(TOKENS) if value.encode() in data or _in_b64(value, data)]


def _in_b64(value: str, data: bytes) -> bool:
    har = json.loads(data)
    for entry in har["log"]["entries"]:
        content = entry.get("response", {}).get("content", {})
        if content.get("encoding") == "base64" and "text" in content:
            try:
                if value.encode() in base64.b64decode(content["text"]):
                    return True
            except ValueError:
                continue
    return False


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_planted_secret_is_found(shape: str) -> None:
    data = har_bytes(SHAPES[shape](TOKENS))
    inventory = scan(_opener(data)).finish()
    missing = [v[:12] for v in _present(data) if inventory.get(v) is None]
    assert missing == []
    assert len(inventory.sessions()) == 1
    assert inventory.sessions()[0].subject == "user-123"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_sanitized_copy_keeps_structure_and_holds_no_secret(shape: str, tmp_path: Path) -> None:
    har = SHAPES[shape](TOKENS)
    data = har_bytes(har)
    out = tmp_path / "clean.har"
    manifest = sanitize_har(_opener(data), out, key=b"k" * 32)
    written = out.read_bytes()
    clean = json.loads(written)
    assert len(clean["log"]["entries"]) == len(har["log"]["entries"]) == manifest.entries
    assert clean["log"]["version"] == "1.2"
    for value in _present(data):
        assert value.encode() not in written
        assert not _in_b64(value, written)
    assert check_sanitized(out, _present(data)) == []
    assert out.stat().st_mode & 0o077 == 0
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    # JWTs stay readable: header and payload kept, signature gone.
    if shape in ("chrome", "firefox"):  # elsewhere it is inside base64 bodies
        assert TOKENS["access"].rsplit(".", 1)[0].encode() + b".sanitized" in written
    assert "value" not in json.dumps(manifest.to_json())


def test_same_key_gives_same_placeholders(tmp_path: Path) -> None:
    data = har_bytes(SHAPES["chrome"](TOKENS))
    sanitize_har(_opener(data), tmp_path / "a.har", key=b"x" * 32)
    sanitize_har(_opener(data), tmp_path / "b.har", key=b"x" * 32)
    sanitize_har(_opener(data), tmp_path / "c.har")
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.har", "b.har", "c.har"))
    assert a == b
    assert a != c


def test_mask_pii_masks_emails_in_bodies_and_jwt_payloads(tmp_path: Path) -> None:
    data = har_bytes(SHAPES["chrome"](TOKENS))
    out = tmp_path / "pii.har"
    sanitize_har(_opener(data), out, mask_pii=True)
    assert b"alice@example.com" not in out.read_bytes()


def test_analysis_verifies_with_injected_keys_and_finds_the_failure() -> None:
    data = har_bytes(SHAPES["chrome"](TOKENS))
    keys = tenant_keys()
    analysis = analyze_har(
        io.BytesIO(data),
        hosts=TransmitHosts.from_urls([TRANSMIT]),
        verify=lambda t: inspect_token(t, keys, VerifyPolicy(), NOW),
    )
    jwts = [i for i in analysis.inventory.items if i.kind is SecretKind.JWT]
    assert jwts
    assert all(i.verdict is Verdict.VALID for i in jwts)
    assert any("401" in p for p in analysis.timeline.problems)
    transmit_steps = [s for s in analysis.timeline.steps if s.party == "transmit"]
    assert len(transmit_steps) == 4
    now = datetime.fromtimestamp(NOW, UTC)
    assert analysis.live(now)
    assert len(analysis.fingerprint) == 64
    assert "correct-horse" not in json.dumps(analysis.to_json(now))
    assert analysis.timeline.steps[0].started_text == STARTED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", HarNotJson),
        (b"<html><body>login</body></html>", HarNotJson),
        (b"PK\x03\x04zipzip", HarNotJson),
        (b"[1, 2, 3]", HarNotHar),
        (b'{"not": "a har"}', HarNotHar),
        (b'{"log": 5}', HarNotHar),
        (b'{"log": {"entries": [{"request": {}}, {"req', HarTruncated),
        (b'{"log": {"version": "1.2", "entr', HarTruncated),
        (b'{"log": {"entries": [{"a": tru}]}}', HarTruncated),
        (b"\xff\xfe{\x00", HarNotJson),
    ],
)
def test_hostile_files_get_one_sentence(data: bytes, error: type[HarError]) -> None:
    with pytest.raises(error) as caught:
        list(HarReader(io.BytesIO(data)).entries())
    sentence = caught.value.sentence()
    assert sentence.endswith(".")
    assert "\n" not in sentence


def test_tolerates_odd_entries() -> None:
    har = {
        "log": {
            "entries": [
                5,
                {"time": None, "request": {"url": 7}, "response": None},
                {"startedDateTime": "yesterday", "time": "12.5", "request": {"headers": "x"}},
                {"request": {"postData": {"params": [{"name": "password", "value": "hunter22"}]}}},
                {"response": {"content": {"text": "not base64!", "encoding": "base64"}}},
            ]
        }
    }
    analysis = analyze_har(io.BytesIO(json.dumps(har).encode()))
    assert analysis.entries == 4
    assert analysis.inventory.counts() == {"password": 1}


def test_standard_input_shape_is_replayed_and_progress_and_cancel_work() -> None:
    data = har_bytes(SHAPES["firefox"](TOKENS))

    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    seen: list[int] = []
    reader = HarReader(Pipe(data), on_progress=lambda n, _total: seen.append(n))
    assert reader.head.creator == "Firefox"
    assert len(list(reader.entries())) == 8
    assert seen == sorted(seen)
    assert seen[-1] <= len(data)
    calls = iter([False, False, True])
    with pytest.raises(HarCancelled) as caught:
        list(HarReader(io.BytesIO(data), cancelled=lambda: next(calls)).entries())
    assert caught.value.entries_read == 2


_secret = st.text(alphabet="abcdefghijkmnpqrstuvwxyz0123456789_", min_size=10, max_size=24)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["session_id", "refresh_token", "password", "code", "client_secret"]),
            _secret,
            st.sampled_from(["json_request", "json_response", "form", "query", "cookie", "b64"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_property_sanitized_export_holds_no_planted_secret(tmp_path: Path, plan: list) -> None:  # type: ignore[type-arg]
    entries = []
    for name, value, place in plan:
        request: dict = {"method": "POST", "url": "https://app.example.com/x", "headers": []}  # type: ignore[type-arg]
        response: dict = {"status": 200, "headers": [], "content": {"mimeType": "application/json"}}  # type: ignore[type-arg]
        if place == "json_request":
            request["postData"] = {
                "mimeType": "application/json",
                "text": json.dumps({name: value}),
            }
        elif place == "json_response":
            response["content"]["text"] = json.dumps({"nested": [{name: value}]})
        elif place == "form":
            request["postData"] = {
                "mimeType": "application/x-www-form-urlencoded",
                "text": f"a=1&{name}={value}",
            }
        elif place == "query":
            request["url"] += f"?{name}={value}#x"
        elif place == "cookie":
            request["headers"].append({"name": "Cookie", "value": f"c={value}"})
        else:
            body = json.dumps({name: value}).encode()
            response["content"].update(text=base64.b64encode(body).decode(), encoding="base64")
        entries.append({"startedDateTime": STARTED, "request": request, "response": response})
    data = json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()
    out = tmp_path / "p.har"
    sanitize_har(_opener(data), out)
    written = out.read_bytes()
    clean = json.loads(written)
    assert len(clean["log"]["entries"]) == len(entries)
    for _, value, _ in plan:
        assert value.encode() not in written
        assert not _in_b64(value, written)


def test_large_capture_is_read_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.har"
    entries = write_large_har(path, 200 * 1024 * 1024)
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            analysis = analyze_har(stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert analysis.entries == entries
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for a 200 MB capture"
