"""The activity panel: recent results, bulk progress with Cancel, the audit log and its export."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QIcon

from transmit_admin.core.timefmt import local_text, utc_text
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.store.db import open_store
from transmit_admin.store.reader import StoreReader
from transmit_admin.ui.activity import MAX_RECENT, MESSAGE_ROLE, ActivityPanel, bulk_progress
from transmit_admin.ui.recent_model import RecentEntry, RecentModel

JWT_LIKE = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXZhbHVlLWhlcmU"


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "store.sqlite") as opened:
        for n in range(30):
            opened.audit(
                "revoke",
                f"sess-{n:03d}",
                "ok" if n % 3 else "failed",
                f"detail {n}",
                actor="agent",
                environment="env",
            )
        yield opened


@pytest.fixture
def panel(qtbot, bus, store):
    context = SimpleNamespace(  # a fixed workspace: what the panels read
        current=SimpleNamespace(
            store=store, reader=StoreReader(store), environment=SimpleNamespace(name="env")
        )
    )
    widget = ActivityPanel(context, bus)
    qtbot.addWidget(widget)
    return widget


def test_activity_lists_results_newest_first_without_secrets(panel, bus):
    bus.activity.emit("Revoke", "revoked sess-1", True)
    bus.activity.emit("Revoke", f"not revoked: token {JWT_LIKE} refused", False)
    assert panel.recent_rows() == 2
    assert panel.recent_text(0, 1) == "Revoke"
    assert "not revoked" in panel.recent_text(0, 2)
    assert JWT_LIKE not in panel.recent_text(0, 2)
    assert panel.recent_data(0, 2, 0x0100) is False
    assert panel.recent_text(1, 2) == "revoked sess-1"


def test_bulk_progress_shows_each_row_and_cancel_reaches_the_worker(panel, bus, qtbot):
    progress = bulk_progress(bus)
    assert progress is panel.progress  # one channel per bus
    cancelled: list[bool] = []
    progress.begin("Revoking 3 sessions", 3, lambda: cancelled.append(True))
    assert not panel.progress_row.isHidden()
    progress.advance(ActionResult("sess-a", True, "revoked", "revoked"))
    progress.advance(ActionResult("sess-b", False, "not revoked: the server failed", "active"))
    qtbot.waitUntil(lambda: panel.bar.value() == 2, timeout=2_000)  # coalesced repaints
    assert panel.bar.maximum() == 3
    assert panel.recent_text(0, 2) == "sess-b: not revoked: the server failed"
    assert panel.recent_text(1, 2) == "sess-a: revoked"
    panel.cancel_button.click()
    assert cancelled == [True]
    progress.end("1 of 3 revoked, 1 failed, 1 cancelled", False)
    assert panel.bar_label.text() == "1 of 3 revoked, 1 failed, 1 cancelled"
    assert not panel.cancel_button.isEnabled()


def test_audit_tab_shows_the_log_newest_first(panel):
    panel.tabs.setCurrentIndex(1)
    assert panel.audit.topLevelItemCount() == 30
    assert panel.audit.topLevelItem(0).text(4) == "sess-029"
    assert panel.audit.topLevelItem(29).text(4) == "sess-000"
    assert panel.audit_status.text() == "30 entries"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_audit_export_writes_every_entry_off_the_gui_thread(panel, qtbot, qloop, tmp_path, fmt):
    target = tmp_path / f"audit.{fmt}"
    task = panel.export_audit(target, fmt)
    assert task is not None
    assert not panel.export_button.isEnabled()  # busy while the worker writes
    qtbot.waitUntil(task.done, timeout=10_000)
    # The button comes back in the task's done callback, which runs after `done()` is true.
    qtbot.waitUntil(panel.export_button.isEnabled, timeout=10_000)
    assert "Exported 30 entries" in panel.audit_status.text()
    text = target.read_text(encoding="utf-8")
    rows = json.loads(text) if fmt == "json" else list(csv.DictReader(text.splitlines()))
    assert len(rows) == 30
    assert {row["target"] for row in rows} == {f"sess-{n:03d}" for n in range(30)}
    assert not list(tmp_path.glob("*.part"))


def test_audit_export_failure_is_a_sentence(panel, qtbot, qloop, tmp_path):
    target = tmp_path / "missing-folder" / "audit.csv"
    task = panel.export_audit(target, "csv")
    assert task is not None
    qtbot.waitUntil(task.done, timeout=10_000)
    qtbot.waitUntil(lambda: bool(panel.audit_status.text()), timeout=10_000)
    assert "Traceback" not in panel.audit_status.text()
    assert not target.exists()


def test_redaction_masks_emails_in_activity_and_audit(panel, bus):
    bus.activity.emit("Magic link", "magic link sent to ann.lee@example.com", True)
    bus.set_redaction(True)
    shown = panel.recent_text(0, 2)
    assert "ann.lee@example.com" not in shown
    assert shown.startswith("magic link sent to ")
    panel.tabs.setCurrentIndex(1)
    assert panel.audit.topLevelItem(0).text(4) != "sess-029"
    bus.set_redaction(False)
    assert panel.recent_text(0, 2) == "magic link sent to ann.lee@example.com"
    assert panel.audit.topLevelItem(0).text(4) == "sess-029"


# -- the Recent list's model --------------------------------------------------------------------


def _paint_now() -> None:
    """Deliver the posted repaints, as the event loop does after a batch (sessions/bulk.py)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)


def _count(signal) -> list[int]:
    seen: list[int] = []
    signal.connect(lambda *_: seen.append(1))
    return seen


def _all_shown(panel: ActivityPanel) -> list[object]:
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, MESSAGE_ROLE)
    return [
        panel.recent_data(row, column, role)
        for row in range(panel.recent_rows())
        for column in range(3)
        for role in roles
    ]


def test_a_batch_of_bulk_results_is_one_insert_before_the_next_paint(panel, bus):
    inserts = _count(panel.recent_model.rowsInserted)
    progress = bulk_progress(bus)
    progress.begin("Revoking 40 sessions", 40, lambda: None)
    for n in range(40):
        progress.advance(ActionResult(f"sess-{n:02d}", True, "revoked", "revoked"))
    assert panel.recent_rows() == 0  # queued, not yet listed
    _paint_now()
    assert inserts == [1]
    assert panel.recent_rows() == 40
    assert panel.recent_text(0, 2) == "sess-39: revoked"  # newest first
    assert panel.recent_text(39, 2) == "sess-00: revoked"
    assert {panel.recent_text(row, 1) for row in range(40)} == {"Revoke"}


def test_queued_results_are_painted_in_the_paint_already_pending(panel, bus, qtbot):
    panel.resize(600, 200)
    panel.show()
    qtbot.waitExposed(panel)
    painted: list[int] = []

    class PaintSpy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(panel.recent_rows())
            return False

    progress = bulk_progress(bus)
    progress.begin("Revoking 5 sessions", 5, lambda: None)
    qtbot.waitUntil(lambda: panel.progress_row.isVisible())
    QCoreApplication.processEvents()
    spy = PaintSpy()
    panel.recent.viewport().installEventFilter(spy)
    panel.recent.viewport().update()  # the window's repaint is posted before the results
    for n in range(5):
        progress.advance(ActionResult(f"sess-{n}", True, "revoked", "revoked"))
    _paint_now()
    assert painted == [5]  # one paint, with every result of the batch in it


def test_a_result_added_directly_lands_above_the_queued_bulk_results(panel, bus):
    inserts = _count(panel.recent_model.rowsInserted)
    progress = bulk_progress(bus)
    progress.begin("Revoking 3 sessions", 3, lambda: None)
    for n in range(3):
        progress.advance(ActionResult(f"sess-{n}", n != 1, "revoked", "revoked"))
    bus.activity.emit("Revoke", "2 of 3 revoked, 1 failed", False)
    assert inserts == [1]  # the queued results and the summary, together
    texts = [panel.recent_text(row, 2) for row in range(panel.recent_rows())]
    assert texts == [
        "2 of 3 revoked, 1 failed",
        "sess-2: revoked",
        "sess-1: revoked",
        "sess-0: revoked",
    ]
    assert panel.recent_model.pending() == 0


def test_the_end_of_a_bulk_action_lists_every_result(panel, bus):
    progress = bulk_progress(bus)
    progress.begin("Revoking 2 sessions", 2, lambda: None)
    progress.advance(ActionResult("sess-a", True, "revoked", "revoked"))
    progress.advance(
        ActionResult("sess-b", False, "cancelled before it was sent", "active", Outcome.CANCELLED)
    )
    progress.end("1 of 2 revoked, 1 cancelled", False)
    assert panel.recent_rows() == 2
    assert panel.bar.value() == 1  # the cancelled row is not progress
    assert panel.bar.format() == "1 of 2 (1 cancelled)"


def test_the_recent_list_keeps_the_newest_max_recent_results(panel, bus):
    for n in range(MAX_RECENT - 2):
        panel.recent_model.add_later(RecentEntry(float(n), "Revoke", f"old {n}", True))
    panel.recent_model.flush()
    removals = _count(panel.recent_model.rowsRemoved)
    progress = bulk_progress(bus)
    progress.begin("Revoking 5 sessions", 5, lambda: None)
    for n in range(5):
        progress.advance(ActionResult(f"sess-{n}", True, "revoked", "revoked"))
    _paint_now()
    assert panel.recent_rows() == MAX_RECENT
    assert removals == [1]
    assert panel.recent_text(0, 2) == "sess-4: revoked"
    assert panel.recent_text(MAX_RECENT - 1, 2) == "old 3"  # old 0-2 were dropped


@pytest.mark.parametrize("added", [1, 4, 7, 12])
def test_the_cap_drops_the_oldest_rows(added):
    model = RecentModel(lambda: False, limit=5)
    for n in range(3):
        model.add(RecentEntry(float(n), "Note", f"first {n}", True))
    for n in range(added):
        model.add_later(RecentEntry(10.0 + n, "Revoke", f"bulk {n}", True))
    model.flush()
    expected = [f"bulk {n}" for n in reversed(range(added))] + [
        f"first {n}" for n in reversed(range(3))
    ]
    assert [model.entry_at(row).message for row in range(model.rowCount())] == expected[:5]


def test_redaction_re_masks_the_listed_rows_without_adding_them_again(panel, bus):
    for n in range(3):
        bus.activity.emit("Magic link", f"magic link {n} sent to ann.lee@example.com", True)
    inserts = _count(panel.recent_model.rowsInserted)
    changes: list[tuple[int, int, int, int]] = []
    panel.recent_model.dataChanged.connect(
        lambda first, last, *_: changes.append(
            (first.row(), first.column(), last.row(), last.column())
        )
    )
    bus.set_redaction(True)
    assert changes == [(0, 2, 2, 2)]  # one signal for every row
    for row in range(3):
        assert "ann.lee@example.com" not in panel.recent_text(row, 2)
        assert "ann.lee@example.com" not in panel.recent_data(row, 2, Qt.ItemDataRole.ToolTipRole)
        # the unmasked (secret-free) message stays available to whoever needs it
        assert "ann.lee@example.com" in panel.recent_data(row, 2, MESSAGE_ROLE)
    bus.set_redaction(False)
    assert len(changes) == 2
    assert inserts == []
    assert panel.recent_rows() == 3
    assert panel.recent_text(0, 2) == "magic link 2 sent to ann.lee@example.com"


def test_tooltips_icons_and_roles_come_from_data(panel, bus):
    bus.activity.emit("Revoke", "revoked sess-1", True)
    bus.activity.emit("Revoke", "not revoked: the server failed", False)
    model = panel.recent_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "Time",
        "Action",
        "Result",
    ]
    at = model.entry_at(0).at
    time_tip = panel.recent_data(0, 0, Qt.ItemDataRole.ToolTipRole)
    assert time_tip.startswith(utc_text(at))
    assert time_tip.endswith(f"{local_text(at)} local")
    assert len(panel.recent_text(0, 0)) == len("12:34:56")
    assert panel.recent_data(0, 2, Qt.ItemDataRole.ToolTipRole) == panel.recent_text(0, 2)
    failed = panel.recent_data(0, 2, Qt.ItemDataRole.DecorationRole)
    passed = panel.recent_data(1, 2, Qt.ItemDataRole.DecorationRole)
    assert isinstance(failed, QIcon)
    assert isinstance(passed, QIcon)
    assert failed.cacheKey() != passed.cacheKey()  # invalid vs valid
    assert panel.recent_data(0, 0, Qt.ItemDataRole.DecorationRole) is None
    assert panel.recent_data(0, 2, Qt.ItemDataRole.UserRole) is False
    assert panel.recent_data(1, 2, Qt.ItemDataRole.UserRole) is True
    assert panel.recent_data(1, 2, MESSAGE_ROLE) == "revoked sess-1"
    assert panel.recent_data(0, 1, Qt.ItemDataRole.UserRole) is None  # the Result column's
    assert panel.recent.model() is model
    assert panel.recent.accessibleName() == "Recent actions"


def test_the_recent_list_is_a_flat_list_that_tab_leaves(panel, bus):
    bus.activity.emit("Revoke", "revoked sess-1", True)
    view = panel.recent
    assert view.verticalHeader().isHidden()
    assert not view.showGrid()
    assert not view.tabKeyNavigation()
    assert view.columnWidth(0) == 80
    assert view.columnWidth(1) == 140
    assert view.rowHeight(0) < 2 * view.fontMetrics().height()  # one line, as in a tree


def test_no_token_is_ever_listed(panel, bus):
    secrets = [
        JWT_LIKE,
        "s3cr3t-client-value",
        "opaque-bearer-value-123",
    ]
    bus.activity.emit("Sync user", f"failed: client_secret=s3cr3t-client-value {JWT_LIKE}", False)
    progress = bulk_progress(bus)
    progress.begin("Revoking 2 sessions", 2, lambda: None)
    progress.advance(ActionResult("sess-a", False, f"refused token {JWT_LIKE}", "active"))
    progress.advance(
        ActionResult("sess-b", False, "Authorization: Bearer opaque-bearer-value-123", "active")
    )
    _paint_now()
    for redacting in (False, True):
        bus.set_redaction(redacting)
        shown = " ".join(str(value) for value in _all_shown(panel))
        held = " ".join(
            panel.recent_model.entry_at(row).message for row in range(panel.recent_rows())
        )
        assert panel.recent_rows() == 3
        for secret in secrets:
            assert secret not in shown
            assert secret not in held


def test_the_recent_model_passes_the_model_tester(qtmodeltester, panel, bus):
    qtmodeltester.check(panel.recent_model, force_py=True)  # empty
    bus.activity.emit("Revoke", "revoked sess-1", True)
    bus.activity.emit("Revoke", "not revoked", False)
    qtmodeltester.check(panel.recent_model, force_py=True)
    qtmodeltester.check(panel.recent_model)


def test_the_model_tester_follows_batches_the_cap_and_redaction(qtmodeltester, bus):
    model = RecentModel(bus.redaction_enabled, limit=4)
    qtmodeltester.check(model, force_py=True)
    for n in range(3):
        model.add_later(RecentEntry(float(n), "Revoke", f"sess-{n}: revoked", True))
    _paint_now()
    for n in range(3):
        model.add_later(RecentEntry(float(n), "Revoke", f"sess-{n + 3}: revoked", n % 2 == 0))
    model.flush()
    bus.set_redaction(True)
    model.redaction_changed()
    assert model.rowCount() == 4
