"""Where the data folder is: --data-dir, then TRANSMIT_ADMIN_HOME, then the platform folder."""

from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from transmit_admin.store.paths import DATABASE_NAME, data_dir, database_path


def test_the_override_wins_and_is_created_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSMIT_ADMIN_HOME", str(tmp_path / "from-env"))
    folder = data_dir(tmp_path / "chosen" / "deeper")
    assert folder == tmp_path / "chosen" / "deeper"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not (tmp_path / "from-env").exists()


def test_the_environment_variable_comes_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSMIT_ADMIN_HOME", str(tmp_path / "from-env"))
    assert data_dir() == tmp_path / "from-env"
    assert data_dir("") == tmp_path / "from-env"
    assert stat.S_IMODE((tmp_path / "from-env").stat().st_mode) == 0o700


def test_the_platform_folder_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRANSMIT_ADMIN_HOME", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda name: str(tmp_path / name))
    assert data_dir() == tmp_path / "transmit-admin"


def test_a_folder_that_exists_keeps_its_permissions(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert data_dir(shared) == shared
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_home_is_expanded_and_the_database_lives_inside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_dir("~/ta") == tmp_path / "ta"
    assert database_path(tmp_path / "ta") == tmp_path / "ta" / DATABASE_NAME
