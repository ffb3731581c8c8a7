"""The HAR tab's cell text, without widgets: every shape of capture, both redaction modes."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from tests.core.har.captures import SECRETS, SHAPES, har_bytes, planted, tokens
from tests.core.jwt_factory import NOW
from transmit_admin.core.environment import Environment, Region
from transmit_admin.core.har import analyze_har
from transmit_admin.services.har_intake import HarIntake, LeakMatch, Liveness
from transmit_admin.ui.har.rows import render_all

ENV = Environment.from_region(
    "t",
    Region.CUSTOM,
    "client",
    base_url="https://tenant.transmit.test",
    issuer="https://tenant.transmit.test/oidc",
    jwks_url="https://tenant.transmit.test/oidc/jwks",
)


def _intake(shape: str) -> HarIntake:
    analysis = analyze_har(io.BytesIO(har_bytes(SHAPES[shape](tokens()))))
    matches = [
        LeakMatch(s.session_id, s.subject, "alice@example.com", None, "", Liveness.ALIVE)
        for s in analysis.inventory.sessions()
    ]
    return HarIntake("alice-ticket.har", analysis, ENV, matches)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_value_is_ever_shown_and_redaction_masks_owners(shape: str) -> None:
    intake = _intake(shape)
    now = datetime.fromtimestamp(NOW, UTC)
    for redact in (False, True):
        rendered = render_all(intake, now, redact)
        cells = [
            *(c for row in rendered.secrets for c in row),
            *rendered.secret_tips,
            *(c for row in rendered.timeline for c in row),
            *(c for row in rendered.sessions for c in row),
            rendered.summary,
        ]
        text = "\n".join(cells)
        for secret in planted(tokens()):
            if secret != SECRETS["session_id"] or redact:  # the id is shown unless redacting
                assert secret not in text, (shape, redact, secret[:8])
        assert ("alice@example.com" in text) is not redact
        assert rendered.live_sessions == set(range(len(intake.matches)))
        assert rendered.secrets, shape


def test_failed_steps_are_marked_and_said_in_words() -> None:
    intake = _intake("chrome")
    rendered = render_all(intake, datetime.fromtimestamp(NOW, UTC), False)
    steps = intake.analysis.timeline.steps
    assert rendered.failed_steps
    assert rendered.failed_steps == {n for n, s in enumerate(steps) if s.problem}
    for n in rendered.failed_steps:
        assert "answered" in rendered.timeline[n][5]
