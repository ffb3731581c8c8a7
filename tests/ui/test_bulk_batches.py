"""`ResultBatches`: a bulk action's results reach the table and activity list together, on a
timer, in order, and every one of them before the action returns."""

from __future__ import annotations

from PySide6.QtCore import QObject

from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.ui.sessions.bulk import ResultBatches


def _result(n: int) -> ActionResult:
    return ActionResult(f"sess-{n}", True, "revoked", "revoked", Outcome.REVOKED)


def test_results_added_within_the_interval_are_delivered_as_one_batch(qtbot):
    owner = QObject()
    delivered: list[list[str]] = []
    batches = ResultBatches(lambda b: delivered.append([r.session_id for r in b]), owner, 30)
    for n in range(5):
        batches.add(_result(n))
    assert delivered == []  # queued, not one delivery per result
    qtbot.waitUntil(lambda: len(delivered) == 1, timeout=2000)
    assert delivered == [[f"sess-{n}" for n in range(5)]]
    batches.add(_result(5))
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=2000)
    assert delivered[1] == ["sess-5"]
    owner.deleteLater()


def test_flush_delivers_what_is_queued_at_once_and_stops_the_timer(qtbot):
    owner = QObject()
    delivered: list[int] = []
    batches = ResultBatches(lambda b: delivered.append(len(b)), owner, 10_000)
    for n in range(3):
        batches.add(_result(n))
    batches.flush()
    assert delivered == [3]
    batches.flush()  # nothing queued: nothing delivered
    qtbot.wait(50)
    assert delivered == [3]
    owner.deleteLater()
