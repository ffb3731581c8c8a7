"""`transmit-admin verify`: flags, output, exit codes (0 valid, 1 not valid, 2 usage)."""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.jwt_factory import (
    NOW,
    TENANT,
    good_token,
    public_jwk,
    public_pem,
    sign,
    user_claims,
)
from transmit_admin.cli import build_parser

TOKEN = good_token()
EXPIRED = good_token(user_claims(exp=NOW - 3 * 3600, iat=NOW - 4 * 3600))


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [public_jwk()]}))
    return path


def run_verify(
    argv: list[str], capsys: pytest.CaptureFixture[str], stdin: bytes | None = None
) -> tuple[int, str, str]:
    args = build_parser().parse_args(["verify", *argv])
    if stdin is not None:
        fake = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        original, sys.stdin = sys.stdin, fake
    try:
        code = args.func(args)
    finally:
        if stdin is not None:
            sys.stdin = original
    out, err = capsys.readouterr()
    return code, out, err


def test_a_valid_token_prints_the_verdict_first_and_exits_0(jwks_file: Path, capsys) -> None:
    code, out, _ = run_verify([TOKEN, "--jwks", str(jwks_file), "--now", str(NOW)], capsys)
    assert code == 0
    assert out.startswith("VALID")
    assert "signature" in out
    assert "exp: " in out
    assert "UTC" in out
    assert "local" in out
    assert TOKEN.split(".")[2] not in out  # never the raw signature


def test_stdin_is_read_with_dash_or_without_argument(jwks_file: Path, capsys) -> None:
    text = f"Authorization: Bearer {TOKEN}\n".encode()
    for argv in (["-"], []):
        code, out, _ = run_verify(
            [*argv, "--jwks", str(jwks_file), "--now", str(NOW)], capsys, text
        )
        assert code == 0
        assert "Bearer token" in out


def test_json_output_is_one_report_per_token_in_input_order(jwks_file: Path, capsys) -> None:
    text = f"{TOKEN}\n{EXPIRED}\nBearer not.a.token".encode()
    code, out, _ = run_verify(["--json", "--jwks", str(jwks_file), "--now", str(NOW)], capsys, text)
    reports = json.loads(out)
    assert code == 1
    assert [r["verdict"] for r in reports] == ["valid", "invalid"]
    for report in reports:
        assert {"verdict", "kind", "header", "claims", "checks"} <= report.keys()
        assert all(set(c) == {"id", "status", "message"} for c in report["checks"])
    assert TOKEN not in out


def test_undecodable_tokens_have_null_header_and_claims(capsys) -> None:
    code, out, _ = run_verify(["--json", "--each-line"], capsys, b"garbage\n\n  a.b.c  \n")
    reports = json.loads(out)
    assert code == 1
    assert [r["label"] for r in reports] == ["line 1", "line 3"]
    assert all(r["header"] is None and r["claims"] is None for r in reports)


def test_each_line_does_no_extraction(jwks_file: Path, capsys) -> None:
    text = f"{TOKEN}\nBearer {TOKEN}\n".encode()
    code, out, _ = run_verify(
        ["--each-line", "--json", "--jwks", str(jwks_file), "--now", str(NOW)], capsys, text
    )
    assert [r["verdict"] for r in json.loads(out)] == ["valid", "invalid"]
    assert code == 1


def test_expired_and_unverified_exit_1(jwks_file: Path, capsys) -> None:
    code, out, _ = run_verify([EXPIRED, "--jwks", str(jwks_file), "--now", str(NOW)], capsys)
    assert code == 1
    assert out.startswith("INVALID")
    assert "expired 3 h ago" in out
    code, out, _ = run_verify([TOKEN, "--now", str(NOW)], capsys)
    assert code == 1
    assert out.startswith("UNVERIFIED")


def test_now_makes_the_check_reproducible(jwks_file: Path, capsys) -> None:
    argv = [TOKEN, "--jwks", str(jwks_file), "--json"]
    later = run_verify([*argv, "--now", str(NOW + 7200)], capsys)
    assert later[0] == 1
    assert (
        run_verify([*argv, "--now", str(NOW)], capsys)[1]
        == run_verify([*argv, "--now", str(NOW)], capsys)[1]
    )


def test_issuer_audience_tenant_and_leeway_flags(jwks_file: Path, capsys) -> None:
    base = [TOKEN, "--jwks", str(jwks_file), "--json"]
    ok = [*base, "--issuer", "https://x", "--issuer", "https://userid.security"]
    assert run_verify([*ok, "--tenant", TENANT, "--now", str(NOW)], capsys)[0] == 0
    assert run_verify([*base, "--audience", "other", "--now", str(NOW)], capsys)[0] == 1
    assert run_verify([*base, "--tenant", "t-other", "--now", str(NOW)], capsys)[0] == 1
    just_expired = str(NOW + 3300 + 100)
    assert run_verify([*base, "--now", just_expired], capsys)[0] == 1
    assert run_verify([*base, "--now", just_expired, "--leeway", "200"], capsys)[0] == 0


def test_a_pem_key_file_works(tmp_path: Path, capsys) -> None:
    pem = tmp_path / "key.pem"
    pem.write_text(public_pem())
    assert run_verify([TOKEN, "--jwks", str(pem), "--now", str(NOW)], capsys)[0] == 0


@pytest.mark.parametrize(
    ("argv", "stdin", "fragment"),
    [
        (["--jwks", "/nonexistent/jwks.json", "x.y.z"], None, "cannot read the key file"),
        (["hello there"], None, "No token found"),
        ([], b"\xff\xfe\x00garbage", "not UTF-8"),
        (["--jwks", "http://example.com/jwks", TOKEN], None, "only https"),
    ],
)
def test_usage_problems_exit_2_with_one_line(capsys, argv, stdin, fragment: str) -> None:
    code, out, err = run_verify(argv, capsys, stdin)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err + out


def test_a_bad_key_file_exits_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"keys": "nope"}')
    code, _, err = run_verify([TOKEN, "--jwks", str(bad)], capsys)
    assert code == 2
    assert "not a list" in err


@pytest.mark.parametrize("argv", [["--leeway", "-5"], ["--now", "soon"], ["--bogus"]])
def test_bad_flags_exit_2(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["verify", *argv])
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_an_opaque_refresh_token_is_explained(capsys) -> None:
    code, out, _ = run_verify(['{"refresh_token": "rt-1", "session_id": "s"}'], capsys)
    assert code == 1
    assert "opaque" in out


@pytest.fixture
def jwks_url() -> Iterator[str]:
    body = json.dumps({"keys": [public_jwk()]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/cis/oidc/jwks"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_a_jwks_url_goes_through_the_cache(jwks_url: str, capsys) -> None:
    code, out, _ = run_verify([TOKEN, "--jwks", jwks_url, "--now", str(NOW)], capsys)
    assert code == 0
    assert "127.0.0.1" in out  # the key's source is named in the key check


def _cli(home: Path, *argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "transmit_admin", *argv],
        input=stdin,
        capture_output=True,
        env={**os.environ, "TRANSMIT_ADMIN_HOME": str(home)},
        timeout=60,
        check=False,
    )


def test_help_explains_every_flag_and_the_real_command_never_shows_a_traceback(
    tmp_path: Path,
) -> None:
    help_text = _cli(tmp_path, "verify", "--help").stdout.decode()
    flags = ("--jwks", "--issuer", "--audience", "--tenant", "--leeway", "--now", "--each-line")
    for flag in (*flags, "--json", "exit status"):
        assert flag in help_text
    garbage = _cli(tmp_path, "verify", "--each-line", stdin=b"\x00\x01 not a token\n")
    assert garbage.returncode == 1
    assert b"Traceback" not in garbage.stderr
    assert garbage.stdout.startswith(b"INVALID")


def test_hostile_claim_text_cannot_break_or_escape_the_output(capsys) -> None:
    token = sign({"alg": "RS256", "kid": "k"}, '{"sub": "\\ud800", "name": "\\u001b]0;x\\u0007"}')
    code, out, _ = run_verify([token, "--json"], capsys)
    assert code == 1
    assert json.loads(out)[0]["claims"]["sub"] == "\ud800"
    code, out, _ = run_verify([token], capsys)
    assert "\x1b" not in out
    assert "\\u001b" in out
