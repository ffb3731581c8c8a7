"""Icons from `resources/icons/<name>.svg`, loaded once per name."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)


def _icon_path(name: str) -> Path | None:
    try:
        from transmit_admin.resources import icon_path
    except ImportError:  # running from a source tree before the resources module landed
        candidate = Path(__file__).resolve().parents[2] / "resources" / "icons" / f"{name}.svg"
        return candidate if candidate.exists() else None
    try:
        return Path(icon_path(name))
    except (FileNotFoundError, KeyError, ValueError):
        return None


@functools.cache
def icon(name: str) -> QIcon:
    """The named icon, or an empty QIcon (logged) when it is missing: never a crash."""
    path = _icon_path(name)
    if path is None or not path.exists():
        log.warning("icon %r is missing", name)
        return QIcon()
    return QIcon(str(path))
