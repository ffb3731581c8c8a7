from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.store_factory import SettableClock
from transmit_admin.store.db import open_store
from transmit_admin.store.store import Store


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "transmit-admin.sqlite"


@pytest.fixture
def store(store_path: Path, clock: SettableClock) -> Iterator[Store]:
    with open_store(store_path, clock=clock) as opened:
        yield opened
