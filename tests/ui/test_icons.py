"""Icons come from resources/icons and are loaded once; a missing one never crashes."""

from __future__ import annotations

from typing import Any

from transmit_admin.resources import ICON_NAMES
from transmit_admin.ui.icons import icon


def test_every_named_icon_loads_and_is_cached(qapp: Any) -> None:
    for name in ICON_NAMES:
        loaded = icon(name)
        assert not loaded.isNull(), name
        assert not loaded.pixmap(16, 16).isNull(), name
        assert icon(name) is loaded


def test_unknown_icon_is_empty_not_an_error(qapp: Any) -> None:
    assert icon("no-such-icon").isNull()
