"""Saved environments: JSON file, owner-only, atomic, no secrets, last used."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from transmit_admin.core.environment import Environment, Region
from transmit_admin.store.environments import (
    ENVIRONMENTS_FILE_NAME,
    EnvironmentsFileError,
    SavedEnvironments,
)


def _env(name: str, client_id: str = "client-1") -> Environment:
    return Environment.from_region(name, Region.EU, client_id, tenant_id="tenant-1")


def test_save_load_replace_delete(tmp_path: Path) -> None:
    saved = SavedEnvironments(tmp_path)
    assert saved.load_all() == []
    saved.save(_env("dev"))
    saved.save(_env("prod"))
    saved.save(_env("dev", client_id="client-2"))
    assert [e.name for e in saved.load_all()] == ["dev", "prod"]
    assert saved.get("dev") == _env("dev", client_id="client-2")
    assert saved.delete("dev") is True
    assert saved.delete("dev") is False
    assert saved.names() == ["prod"]
    assert stat.S_IMODE((tmp_path / ENVIRONMENTS_FILE_NAME).stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_last_used_follows_set_and_delete(tmp_path: Path) -> None:
    saved = SavedEnvironments(tmp_path)
    saved.save(_env("dev"))
    assert saved.last_used is None
    saved.set_last_used("dev")
    assert SavedEnvironments(tmp_path).last_used == "dev"
    with pytest.raises(KeyError):
        saved.set_last_used("nope")
    saved.delete("dev")
    assert saved.last_used is None


def test_file_holds_no_secret_field(tmp_path: Path) -> None:
    saved = SavedEnvironments(tmp_path)
    saved.save(_env("dev"))
    text = (tmp_path / ENVIRONMENTS_FILE_NAME).read_text(encoding="utf-8")
    assert "secret" not in text.lower()


def test_damaged_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / ENVIRONMENTS_FILE_NAME
    path.write_text("{broken", encoding="utf-8")
    saved = SavedEnvironments(tmp_path)
    with pytest.raises(EnvironmentsFileError, match="move it aside"):
        saved.load_all()
    with pytest.raises(EnvironmentsFileError):
        saved.save(_env("dev"))
    assert path.read_text(encoding="utf-8") == "{broken"


def test_damaged_entry_names_the_environment(tmp_path: Path) -> None:
    path = tmp_path / ENVIRONMENTS_FILE_NAME
    path.write_text(json.dumps({"version": 1, "environments": [{"name": "dev"}]}))
    with pytest.raises(EnvironmentsFileError, match="'dev'"):
        SavedEnvironments(tmp_path).load_all()
