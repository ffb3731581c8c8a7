"""Where transmit-admin keeps its data: `--data-dir` > `TRANSMIT_ADMIN_HOME` > platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "transmit-admin"
HOME_VARIABLE = "TRANSMIT_ADMIN_HOME"
DATABASE_NAME = "sessions.sqlite"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder, created owner-only (0700) when it does not exist yet.

    An existing folder's permissions are left alone: it may be one the user chose and shares
    on purpose; everything we write inside it is created owner-only anyway.
    """
    chosen = override if override not in (None, "") else os.environ.get(HOME_VARIABLE) or None
    if chosen is not None:
        folder = Path(chosen).expanduser()
    else:
        # Imported here: the GUI resolves its data folder before the first paint, and runs
        # with TRANSMIT_ADMIN_HOME or --data-dir (tests, scripts) never need it.
        import platformdirs

        folder = Path(platformdirs.user_data_dir(APP_NAME))
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkdir's mode is filtered by the umask; say it again explicitly.
        folder.chmod(0o700)
    return folder


def database_path(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / DATABASE_NAME
