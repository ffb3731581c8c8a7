from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.api.fakes import token_response
from transmit_admin.api.models import BackendSession, TokenResponse, User, UserPage, parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T04:40:00Z", datetime(2026, 11, 27, 4, 40, tzinfo=UTC)),
        ("2026-11-27T04:40:00.123Z", datetime(2026, 11, 27, 4, 40, 0, 123000, tzinfo=UTC)),
        ("2026-11-27T04:40:00.123456789Z", datetime(2026, 11, 27, 4, 40, 0, 123456, tzinfo=UTC)),
        ("27/11/2026 04:40", None),
        ("2026-11-27T05:40:00+01:00", datetime(2026, 11, 27, 4, 40, tzinfo=UTC)),
        ("2026-11-27T04:40:00", datetime(2026, 11, 27, 4, 40, tzinfo=UTC)),
        ("2026-11-27T04:40:00z", datetime(2026, 11, 27, 4, 40, tzinfo=UTC)),
    ],
)
def test_iso_times_become_aware_utc_datetimes(text: str, expected: datetime | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="ISO-8601"):
            parse_timestamp(text)
        return
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_epoch_seconds_and_milliseconds_are_both_understood() -> None:
    moment = datetime(2026, 11, 27, 4, 40, tzinfo=UTC)
    assert parse_timestamp(moment.timestamp()) == moment
    assert parse_timestamp(int(moment.timestamp() * 1000)) == moment


@pytest.mark.parametrize("value", [None, "", "yesterday", True, [], 10**20])
def test_non_times_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="start_time"):
        parse_timestamp(value, "start_time")


@given(st.datetimes(timezones=st.just(timezone(timedelta(hours=-7)))))
def test_any_offset_round_trips(moment: datetime) -> None:
    assert parse_timestamp(moment.isoformat()) == moment


def test_backend_session_parses_the_contract_shape() -> None:
    session = BackendSession.from_json(
        {
            "session_id": "s1",
            "start_time": "2026-11-01T10:00:00.000Z",
            "expiration_time": "2026-11-15T10:00:00.000Z",
        }
    )
    assert session.expiration_time - session.start_time == timedelta(days=14)
    with pytest.raises(ValueError, match="expiration_time"):
        BackendSession.from_json({"session_id": "s1", "start_time": "2026-11-01T10:00:00Z"})


def test_token_response_never_shows_tokens_in_repr() -> None:
    data = token_response()
    tokens = TokenResponse.from_json(data)
    assert tokens.session_id == "sess-1"
    assert tokens.expires_in == 3600
    text = repr(tokens)
    for secret in (data["access_token"], data["id_token"], data["refresh_token"]):
        assert secret not in text


def test_token_response_requires_a_session_except_for_refresh() -> None:
    data = token_response()
    del data["session_id"]
    with pytest.raises(ValueError, match="session_id"):
        TokenResponse.from_json(data)
    refreshed = TokenResponse.from_json(data, session_required=False)
    assert refreshed.session_id is None


@pytest.mark.parametrize(
    "broken",
    [{"expires_in": "soon"}, {"expires_in": -1}, {"access_token": ""}, {"id_token": 5}],
)
def test_token_response_refuses_malformed_fields(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"expires_in|access_token|id_token"):
        TokenResponse.from_json({**token_response(), **broken})


def test_user_flattens_contacts_and_name_and_keeps_the_raw_record() -> None:
    raw = {
        "user_id": "u1",
        "status": "Active",
        "email": {"value": "ana@example.com", "email_verified": True},
        "phone_number": {"value": "+15551234567", "phone_number_verified": False},
        "name": {"first_name": "Ana", "last_name": "Lima"},
        "created_at": 1764218400000,
        "updated_at": 1764218400000,
    }
    user = User.from_json(raw)
    assert (user.user_id, user.email, user.phone_number, user.name) == (
        "u1",
        "ana@example.com",
        "+15551234567",
        "Ana Lima",
    )
    assert user.username is None
    assert user.raw["created_at"] == 1764218400000
    minimal = User.from_json({"user_id": "u2", "email": "bare@example.com", "name": {}})
    assert (minimal.email, minimal.name, minimal.status) == ("bare@example.com", None, None)


def test_user_page_reads_total_and_next_page() -> None:
    page = UserPage.from_json(
        {
            "total_count": 7,
            "page_info": {"has_next_page": True, "has_previous_page": False},
            "result": [{"user_id": "u1"}, {"user_id": "u2"}],
        }
    )
    assert page.total_count == 7
    assert [u.user_id for u in page.users] == ["u1", "u2"]
    assert page.has_next_page is True
    with pytest.raises(ValueError, match="result"):
        UserPage.from_json({"total_count": 1})
