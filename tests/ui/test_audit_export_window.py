"""Issue 11 items: the window's audit export is readable by the user only, and its dialog
opens in the documents folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt


def test_export_from_the_window_is_private_and_starts_in_documents(
    qtbot: Any, main_window: Any, tmp_path: Path
) -> None:
    activity = main_window.controller.panels["activity"]
    activity.tabs.setCurrentIndex(1)
    main_window.runtime.current.store.audit(
        "note", target="sess-x", outcome="ok", detail="for the export"
    )
    old_umask = os.umask(0o022)  # the usual umask, under which open() gives rw-r--r--
    try:
        qtbot.mouseClick(activity.export_button, Qt.MouseButton.LeftButton)
        dialog = activity.export_dialog
        assert dialog is not None
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        expected = Path(documents) if documents and Path(documents).is_dir() else Path.home()
        assert Path(dialog.directory().absolutePath()) == expected
        assert Path(dialog.directory().absolutePath()) != Path.cwd()
        target = tmp_path / "audit.csv"
        dialog.selectFile(str(target))
        dialog.accept()
        qtbot.waitUntil(lambda: "Exported" in activity.audit_status.text(), timeout=10_000)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "for the export" in target.read_text(encoding="utf-8")
