"""The bus remembers the redaction mode and announces each real change once."""

from __future__ import annotations

from typing import Any

from transmit_admin.ui.bus import UiBus


def test_redaction_is_announced_once_per_change(qtbot: Any, bus: UiBus) -> None:
    seen: list[bool] = []
    bus.redaction_changed.connect(seen.append)
    assert not bus.redaction_enabled()
    bus.set_redaction(True)
    bus.set_redaction(True)
    assert bus.redaction_enabled()
    bus.set_redaction(False)
    assert seen == [True, False]
    assert not bus.redaction_enabled()
