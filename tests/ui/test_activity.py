"""The activity panel: recent results, bulk progress with Cancel, the audit log and its export."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from transmit_admin.services.results import ActionResult
from transmit_admin.store.db import open_store
from transmit_admin.ui.activity import ActivityPanel, bulk_progress

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
    widget = ActivityPanel(SimpleNamespace(store=store), bus)
    qtbot.addWidget(widget)
    return widget


def test_activity_lists_results_newest_first_without_secrets(panel, bus):
    bus.activity.emit("Revoke", "revoked sess-1", True)
    bus.activity.emit("Revoke", f"not revoked: token {JWT_LIKE} refused", False)
    assert panel.recent.topLevelItemCount() == 2
    newest = panel.recent.topLevelItem(0)
    assert newest.text(1) == "Revoke"
    assert "not revoked" in newest.text(2)
    assert JWT_LIKE not in newest.text(2)
    assert newest.data(2, 0x0100) is False
    assert panel.recent.topLevelItem(1).text(2) == "revoked sess-1"


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
    assert panel.recent.topLevelItem(0).text(2) == "sess-b: not revoked: the server failed"
    panel.cancel_button.click()
    assert cancelled == [True]
    progress.end("1 of 3 revoked, 1 failed, 1 cancelled", False)
    assert panel.bar_label.text() == "1 of 3 revoked, 1 failed, 1 cancelled"
    assert not panel.cancel_button.isEnabled()


def test_audit_tab_shows_the_log_newest_first(panel):
    panel.tabs.setCurrentIndex(1)
    assert panel.audit.topLevelItemCount() == 30
    assert panel.audit.topLevelItem(0).text(3) == "sess-029"
    assert panel.audit.topLevelItem(29).text(3) == "sess-000"
    assert panel.audit_status.text() == "30 entries"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_audit_export_writes_every_entry_off_the_gui_thread(panel, qtbot, qloop, tmp_path, fmt):
    target = tmp_path / f"audit.{fmt}"
    task = panel.export_audit(target, fmt)
    assert task is not None
    assert not panel.export_button.isEnabled()  # busy while the worker writes
    qtbot.waitUntil(task.done, timeout=10_000)
    assert panel.export_button.isEnabled()
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
    assert "Traceback" not in panel.audit_status.text()
    assert panel.audit_status.text()
    assert not target.exists()


def test_redaction_masks_emails_in_activity_and_audit(panel, bus):
    bus.activity.emit("Magic link", "magic link sent to ann.lee@example.com", True)
    bus.set_redaction(True)
    shown = panel.recent.topLevelItem(0).text(2)
    assert "ann.lee@example.com" not in shown
    assert shown.startswith("magic link sent to ")
    panel.tabs.setCurrentIndex(1)
    assert panel.audit.topLevelItem(0).text(3) != "sess-029"
    bus.set_redaction(False)
    assert panel.recent.topLevelItem(0).text(2) == "magic link sent to ann.lee@example.com"
    assert panel.audit.topLevelItem(0).text(3) == "sess-029"
