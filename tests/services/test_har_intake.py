"""HAR intake against the real sandbox and a real store: a capture of real logins is read with
the environment's keys and hosts, its sessions matched and checked, and the live ones revoked
through the console's own revoke, leaving the audit trail and no secret on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.services.conftest import ENV_NAME, Harness
from tests.support.har_files import login_capture, secrets_of, write_capture
from transmit_admin.api.jwks import JwksCache
from transmit_admin.core.har import Party
from transmit_admin.services.har_intake import HarIntake, HarIntakeService, Liveness
from transmit_admin.services.session_service import SessionService


def _read(
    harness: Harness,
    path: Path,
    *,
    revoke: bool = False,
    owner_email: str | None = None,
    export_to: Path | None = None,
) -> HarIntake:
    async def body(service: SessionService) -> HarIntake:
        intake_service = HarIntakeService(service, [])
        async with JwksCache() as jwks:
            keys = await jwks.keyset(service.env.jwks_url)
        intake = await intake_service.read(
            lambda: path.open("rb"),
            path.name,
            keys=keys,
            owner_email=owner_email,
        )
        if revoke:
            await intake_service.revoke(intake)
        if export_to is not None:
            await intake_service.export(intake, lambda: path.open("rb"), export_to)
        return intake

    return harness.run(body)


def test_a_capture_of_two_logins_is_matched_checked_and_revoked(
    harness: Harness, tmp_path: Path
) -> None:
    tracked_user, other_user = harness.user(2), harness.user(3)
    tracked = harness.login(tracked_user["email"])
    untracked = harness.login(other_user["email"])
    assert harness.run(lambda s: s.track_token_response(tracked)).ok
    responses = [tracked, untracked]
    path = write_capture(
        tmp_path / "ticket.har", login_capture(responses, base_url=harness.info.base_url)
    )

    intake = _read(harness, path)

    assert intake.fingerprint
    assert intake.analysis.entries == 4
    jwts = [i for i in intake.analysis.inventory.items if i.kind.value == "jwt"]
    assert jwts
    assert all(i.verdict is not None and i.verdict.value == "valid" for i in jwts)
    parties = {step.where.split("/")[0]: step.party for step in intake.analysis.timeline.steps}
    assert parties["127.0.0.1"] is Party.TRANSMIT  # the environment's host, from its base URL
    assert parties["shop.example.com"] is Party.APP
    assert any("invalid_grant" in p for p in intake.analysis.timeline.problems)
    by_sid = {m.session_id: m for m in intake.matches}
    assert set(by_sid) == {tracked["session_id"], untracked["session_id"]}
    assert by_sid[tracked["session_id"]].matched_by == "session id"
    assert by_sid[untracked["session_id"]].record is None
    assert by_sid[untracked["session_id"]].user_id == other_user["user_id"]
    assert all(m.liveness is Liveness.ALIVE for m in intake.matches)

    revoked = _read(harness, path, revoke=True)

    assert sorted(r.ok for r in revoked.revokes.values()) == [True, True]
    for sid in by_sid:
        record = harness.store.get_session(ENV_NAME, sid)
        assert record is not None
        assert record.status == "revoked"
    new = harness.store.get_session(ENV_NAME, untracked["session_id"])
    assert new is not None
    assert new.note is not None
    assert "ticket.har" in new.note
    assert new.source == "har"
    assert new.factors == ("pwd",)  # tracked from the capture's verified tokens
    assert harness.store.tokens_of(ENV_NAME, untracked["session_id"])  # by fingerprint
    audit = [a for a in harness.store.iter_audit() if a.action == "har_revoke"]
    assert {a.target for a in audit} >= set(by_sid)
    assert all(intake.fingerprint in a.detail for a in audit)
    again = _read(harness, path)
    assert {m.liveness for m in again.matches} == {Liveness.CLOSED}
    assert not again.live()
    # The store's database (and its WAL) lives in tmp_path too.
    _assert_no_secret_in_folder(tmp_path, responses, skip={path})


def _assert_no_secret_in_folder(
    folder: Path, responses: list[dict[str, Any]], *, skip: set[Path]
) -> None:
    # Session ids are the store's key; tokens, codes and passwords must never be there.
    planted = [s for s in secrets_of(responses, session_ids=False) if len(s) >= 8]
    for file in folder.rglob("*"):
        if file.is_file() and file not in skip:
            data = file.read_bytes()
            for secret in planted:
                assert secret.encode() not in data, f"{secret[:6]}… in {file.name}"


def test_a_bare_session_id_has_no_owner_until_the_agent_names_one(
    harness: Harness, tmp_path: Path
) -> None:
    user = harness.user(4)
    response = harness.login(user["email"])
    bare = {"session_id": response["session_id"], "ok": True}
    path = write_capture(
        tmp_path / "bare.har", login_capture([bare], base_url=harness.info.base_url)
    )

    intake = _read(harness, path)
    (match,) = intake.matches
    assert match.liveness is Liveness.NO_OWNER
    assert "email" in match.note
    assert not intake.live()

    named = _read(harness, path, owner_email=user["email"])
    (match,) = named.matches
    assert match.user_id == user["user_id"]
    assert match.liveness is Liveness.ALIVE

    unknown = _read(harness, path, owner_email="nobody-here@example.com")
    assert unknown.matches[0].liveness is Liveness.NO_OWNER
    assert "not found" in unknown.matches[0].note

    revoked = _read(harness, path, owner_email=user["email"], revoke=True)
    assert [r.ok for r in revoked.revokes.values()] == [True]
    record = harness.store.get_session(ENV_NAME, response["session_id"])
    assert record is not None  # no tokens beside it: tracked from the session list
    assert record.status == "revoked"
    assert record.user_id == user["user_id"]
    assert record.note is not None
    assert "bare.har" in record.note
    assert record.source == "har"
    after = _read(harness, path)  # now the store knows whose it is
    assert after.matches[0].state == "revoked"


def test_reading_leaves_an_audit_row_with_the_fingerprint_and_no_value(
    harness: Harness, tmp_path: Path
) -> None:
    response = harness.login(harness.user(0)["email"])
    path = write_capture(
        tmp_path / "a.har", login_capture([response], base_url=harness.info.base_url)
    )
    intake = _read(harness, path)
    row = next(a for a in harness.store.iter_audit() if a.action == "har_inspect")
    assert intake.fingerprint in row.target
    assert "a.har" in row.detail
    dumped = json.dumps([row.target, row.detail])
    assert response["session_id"] not in dumped
    assert response["access_token"] not in dumped


def test_a_failed_revoke_is_recorded_and_the_session_stays_live(
    private_harness: Harness, tmp_path: Path
) -> None:
    harness = private_harness
    response = harness.login(harness.user(1)["email"])
    path = write_capture(
        tmp_path / "t.har", login_capture([response], base_url=harness.info.base_url)
    )
    harness.admin.set_faults(next=["500"], routes=["*/auth/session/logout"])

    intake = _read(harness, path, revoke=True)

    (result,) = intake.revokes.values()
    assert not result.ok
    assert "HTTP 500" in result.message
    assert [m.session_id for m in intake.live()] == [response["session_id"]]
    record = harness.store.get_session(ENV_NAME, response["session_id"])
    assert record is not None
    assert record.status == "active"  # tracked from the capture, not revoked
    row = next(a for a in harness.store.iter_audit() if a.action == "har_revoke")
    assert row.outcome == "failed"
    assert harness.admin.session(response["session_id"])["status"] == "active"


def test_the_sanitized_export_is_private_clean_and_audited(
    harness: Harness, tmp_path: Path
) -> None:
    response = harness.login(harness.user(0)["email"])
    path = write_capture(
        tmp_path / "t.har", login_capture([response], base_url=harness.info.base_url)
    )
    out = tmp_path / "clean.har"
    intake = _read(harness, path, export_to=out)
    assert out.stat().st_mode & 0o777 == 0o600
    data = out.read_bytes()
    for secret in secrets_of([response]):
        assert secret.encode() not in data
    row = next(a for a in harness.store.iter_audit() if a.action == "har_export")
    assert intake.fingerprint in row.target
    assert "values replaced" in row.detail


def test_the_report_says_revoked_only_for_a_logout_transmit_confirmed(
    harness: Harness, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from transmit_admin.services.har_report import report_json
    from transmit_admin.services.results import ActionResult, Outcome

    response = harness.login(harness.user(0)["email"])
    sid = response["session_id"]
    path = write_capture(
        tmp_path / "gone.har", login_capture([response], base_url=harness.info.base_url)
    )
    intake = _read(harness, path)
    # A teammate's revoke got there first: the revoke succeeded, but this one sent nothing.
    intake.revokes[sid] = ActionResult(sid, True, "nothing sent", "revoked", Outcome.ALREADY_GONE)
    (row,) = report_json(intake, datetime.now(UTC), redact=False)["sessions"]
    assert row["action"].startswith("already revoked or ended")
    intake.revokes[sid] = ActionResult(sid, True, "logged out", "revoked", Outcome.REVOKED)
    (row,) = report_json(intake, datetime.now(UTC), redact=False)["sessions"]
    assert row["action"].startswith("revoked")
