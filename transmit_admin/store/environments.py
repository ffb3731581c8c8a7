"""Saved environments: `environments.json` in the data folder, owner-only, never a secret.

The file is rewritten whole through a temporary file and a rename, so a crash mid-write leaves
the previous version intact. Secrets live in `store.secrets.SecretStore`, keyed by the name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from transmit_admin.core.environment import Environment

ENVIRONMENTS_FILE_NAME = "environments.json"
_FILE_VERSION = 1


class EnvironmentsFileError(Exception):
    """The saved environments cannot be read; the message names the file and the way out."""


class SavedEnvironments:
    """The environments a user has saved, and which one was used last."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / ENVIRONMENTS_FILE_NAME

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": _FILE_VERSION, "last_used": None, "environments": []}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EnvironmentsFileError(
                f"{self.path} cannot be read ({exc}); move it aside and add the environments again"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("environments"), list):
            raise EnvironmentsFileError(f"{self.path} is not a transmit-admin environments file")
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path)

    def load_all(self) -> list[Environment]:
        """Every saved environment in saved order; a damaged entry raises, naming it."""
        environments = []
        for entry in self._read()["environments"]:
            try:
                environments.append(Environment.from_dict(entry))
            except ValueError as exc:
                name = entry.get("name") if isinstance(entry, dict) else None
                raise EnvironmentsFileError(
                    f"the saved environment {name!r} in {self.path} is damaged: {exc}"
                ) from None
        return environments

    def get(self, name: str) -> Environment | None:
        return next((env for env in self.load_all() if env.name == name), None)

    def names(self) -> list[str]:
        return [env.name for env in self.load_all()]

    def save(self, env: Environment) -> None:
        """Adds `env`, or replaces the saved one of the same name in place."""
        data = self._read()
        entries = [e for e in data["environments"] if isinstance(e, dict)]
        new_entry = env.to_dict()
        for index, entry in enumerate(entries):
            if entry.get("name") == env.name:
                entries[index] = new_entry
                break
        else:
            entries.append(new_entry)
        data["environments"] = entries
        self._write(data)

    def delete(self, name: str) -> bool:
        """Removes the environment; returns whether it existed. Forgets it as last used too."""
        data = self._read()
        entries = [e for e in data["environments"] if isinstance(e, dict)]
        kept = [e for e in entries if e.get("name") != name]
        if len(kept) == len(entries):
            return False
        data["environments"] = kept
        if data.get("last_used") == name:
            data["last_used"] = None
        self._write(data)
        return True

    @property
    def last_used(self) -> str | None:
        value = self._read().get("last_used")
        return value if isinstance(value, str) else None

    def set_last_used(self, name: str | None) -> None:
        data = self._read()
        known = {e.get("name") for e in data["environments"] if isinstance(e, dict)}
        if name is not None and name not in known:
            raise KeyError(f"no saved environment is named {name!r}")
        data["last_used"] = name
        self._write(data)
