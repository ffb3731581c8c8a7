"""Big pastes: processed off the GUI thread (the window keeps ticking), huge ones refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QTimer

from transmit_admin.core.extract import MAX_INPUT_BYTES
from transmit_admin.core.report import Verdict
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.inspector import InspectorController, InspectorView
from transmit_admin.ui.inspector.paste_edit import LARGE_PASTE_CHARS


@pytest.fixture
def inspector(qtbot: Any, qloop: Any) -> Iterator[InspectorController]:
    """No environment: tokens come out unverified, which is all these tests need."""
    bus = UiBus()
    view = InspectorView()
    qtbot.addWidget(view)
    controller = InspectorController(None, bus, view)
    view.show()
    yield controller
    bus.deleteLater()


TOKEN = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0."
    "eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjQxMDI0NDQ4MDB9."
    "c2lnbmF0dXJlLWJ5dGVzLWZvci10ZXN0cw"
)


def test_ten_megabyte_paste_keeps_the_window_responsive(
    qtbot: Any, inspector: InspectorController
) -> None:
    line = "2026-11-27T04:00:00Z INFO request handled path=/v1/users status=200 ok\n"
    text = line * (10 * 2**20 // len(line)) + f"Authorization: Bearer {TOKEN}\n"
    assert len(text) > 10 * 2**20
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    mime = QMimeData()
    mime.setText(text)
    try:
        with qtbot.waitSignal(inspector.inspected, timeout=30000):
            inspector.view.paste_edit.insertFromMimeData(mime)
            # The paste returned to the event loop before the inspection ended ...
            assert inspector.runner.is_running("inspect")
            assert inspector.report is None
            ticked_before_result = len(ticks)
        # ... and the timer kept firing while the worker thread read the 10 MB.
        assert len(ticks) > ticked_before_result
    finally:
        timer.stop()
    assert inspector.report is not None
    assert inspector.report.verdict is Verdict.UNVERIFIED
    # The editor shows a summary, not 10 MB of laid-out text.
    assert len(inspector.view.paste_edit.toPlainText()) < LARGE_PASTE_CHARS
    assert "characters pasted" in inspector.view.paste_edit.toPlainText()


def test_paste_over_the_limit_is_refused_with_a_message(
    qtbot: Any, inspector: InspectorController
) -> None:
    with qtbot.waitSignal(inspector.inspected, timeout=30000):
        inspector.set_text("x" * (MAX_INPUT_BYTES + 1))
    assert inspector.report is None
    assert "MiB" in inspector.view.status.text()
    assert not inspector.view.banner.isVisible()


def test_multibyte_paste_over_the_byte_limit_is_refused_in_the_worker(
    qtbot: Any, inspector: InspectorController
) -> None:
    text = "é" * (MAX_INPUT_BYTES // 2 + 1)  # fewer characters than the limit, more bytes
    with qtbot.waitSignal(inspector.inspected, timeout=30000):
        inspector.set_text(text)
    assert inspector.report is None
    assert "MiB" in inspector.view.status.text()
