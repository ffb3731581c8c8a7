"""`transmit-admin har inspect|sanitize` end to end through `cli.main`."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.core.har.captures import SECRETS, SHAPES, har_bytes, tokens
from tests.core.jwt_factory import NOW, public_jwk
from transmit_admin.cli import main


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    path = tmp_path / "login.har"
    path.write_bytes(har_bytes(SHAPES["chrome"](tokens())))
    return path


def _run(args: list[str], tmp_path: Path) -> int:
    return main(["--data-dir", str(tmp_path / "data"), "har", *args])


def test_inspect_lists_secrets_and_exits_1_when_live(
    capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public_jwk()]}))
    code = _run(["inspect", str(capture), "--jwks", str(jwks), "--now", str(NOW)], tmp_path)
    out = capsys.readouterr().out
    assert code == 1
    assert "session_id" in out
    assert "valid" in out
    assert "timeline" in out
    for value in SECRETS.values():
        assert value not in out


def test_inspect_json_never_holds_values(
    capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(["inspect", str(capture), "--json", "--now", str(NOW + 30 * 86400)], tmp_path)
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["entries"] == 9
    assert all(
        not item["possibly_live"] or item["kind"] == "password" or item["kind"] == "client_secret"
        for item in data["inventory"]
    )
    assert code == 1  # a password and a client secret never expire
    for value in SECRETS.values():
        assert value not in out


def test_sanitize_then_inspect_finds_nothing(
    capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clean.har"
    assert _run(["sanitize", str(capture), "-o", str(out), "--mask-pii"], tmp_path) == 0
    assert "secrets replaced" in capsys.readouterr().out
    assert _run(["inspect", str(out), "--json"], tmp_path) == 0
    assert json.loads(capsys.readouterr().out)["inventory"] == []


def test_standard_input(
    capture: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(capture.read_bytes())))
    assert _run(["inspect", "-", "--now", str(NOW)], tmp_path) == 1
    assert "9 entries" in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"", b"<html>", b'{"log": {"entries": [{"a"', b"[]"])
def test_unreadable_input_is_one_sentence_exit_2(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content)
    assert _run(["inspect", str(path)], tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("transmit-admin har: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_sanitize_refuses_to_overwrite_the_capture(capture: Path, tmp_path: Path) -> None:
    assert _run(["sanitize", str(capture), "-o", str(capture)], tmp_path) == 2
