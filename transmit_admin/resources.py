"""Where the app's data files (icons, styles, desktop metadata) are, however it was installed.

Three layouts exist, tried in this order:

1. installed from a wheel: `resources/` is force-included as `transmit_admin/resources`, a
   real folder beside this module;
2. a checkout (also an editable install): `resources/` sits next to the `transmit_admin/`
   package folder;
3. a PyInstaller bundle: the spec copies `resources/` to `transmit_admin/resources` under
   `sys._MEIPASS` (which layout 1 usually finds already); `sys._MEIPASS/resources` is accepted
   as well.

No Qt here: the UI turns these paths into `QIcon`s.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# Every icon in resources/icons/ (without `.svg`); the UI may only ask for these names.
ICON_NAMES = (
    "app",
    "paste",
    "verify",
    "valid",
    "invalid",
    "unverified",
    "warn",
    "skip",
    "revoke",
    "revoke-user",
    "magic-link",
    "mail",
    "check-alive",
    "reauth",
    "sync",
    "note",
    "settings",
    "copy",
    "redact",
    "export",
    "search",
    "cancel",
    "open-session",
    "track",
    "environment",
    "refresh",
)


def candidate_roots(
    installed: Path | None, checkout: Path | None, meipass: str | None
) -> Iterator[Path]:
    """The places `resources/` may be, most specific first."""
    if installed is not None:
        yield installed
    if checkout is not None:
        yield checkout
    if meipass:
        yield Path(meipass) / "transmit_admin" / "resources"
        yield Path(meipass) / "resources"


def _installed_root() -> Path | None:
    # The folder `importlib.resources.files("transmit_admin") / "resources"` names in every
    # supported layout (each loads the package from files; a zipped one would need extraction),
    # found without importing importlib.resources' eight modules: the icons of the window's
    # first frame wait for this.
    return Path(__file__).parent / "resources"


def resource_root() -> Path:
    """The folder holding `icons/`, `desktop/` and the other resources."""
    candidates = list(
        candidate_roots(
            _installed_root(), PACKAGE_DIR.parent / "resources", getattr(sys, "_MEIPASS", None)
        )
    )
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"transmit-admin's resources folder is missing (looked in: {looked}); "
        "reinstall the package or run from a complete checkout"
    )


def resource_path(*parts: str) -> Path:
    """A file or folder below the resources root; raises FileNotFoundError when absent."""
    if not parts:
        raise ValueError("resource_path needs at least one path component")
    for part in parts:
        if not part or part in {".", ".."} or "/" in part or "\\" in part:
            raise ValueError(f"not a plain path component: {part!r}")
    root = resource_root()
    path = root.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"resource {'/'.join(parts)!r} is not in {root} (an incomplete install or build?)"
        )
    return path


def icon_path(name: str) -> Path:
    """The SVG of a named icon, e.g. `icon_path("revoke")`."""
    if name not in ICON_NAMES:
        raise FileNotFoundError(f"no icon called {name!r}; known icons: {', '.join(ICON_NAMES)}")
    return resource_path("icons", f"{name}.svg")
