"""The `transmit-admin` command: the GUI by default, sub-commands for scripting.

Every sub-command lives in `transmit_admin.commands.<name>` with a `register(subparsers)`
function that sets `func(args) -> int` on its parser. Exit codes: 0 ok, 1 a check or action
failed, 2 usage or unreadable input. Nothing escapes as a traceback: the one-line message goes
to stderr and the traceback to the log file.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
from collections.abc import Sequence
from typing import Any

from transmit_admin.commands._parser import CommandParser
from transmit_admin.core.printable import printable

log = logging.getLogger(__name__)

# Order is the order of `--help`.
COMMAND_MODULES = ("verify", "sessions", "audit", "har", "team", "sandbox")


class VersionAction(argparse.Action):
    """`--version`, reading the version only when asked (see `transmit_admin.__version__`)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        from transmit_admin import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="transmit-admin",
        description=(
            "Console for Transmit Security backend sessions: verify tokens, browse tracked "
            "sessions, revoke them. With no sub-command the desktop window opens."
        ),
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the database, settings and logs live (default: TRANSMIT_ADMIN_HOME, "
        "else the platform's user data folder)",
    )
    parser.add_argument("--env", metavar="NAME", help="a saved environment to use")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the main window offscreen against the sandbox, inspect one token, exit",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=CommandParser
    )
    for name in COMMAND_MODULES:
        module_name = f"transmit_admin.commands.{name}"
        # A module that exists but fails to import must fail loudly; only an absent one is
        # skipped (a trimmed build may leave one out).
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from transmit_admin.logsetup import configure_logging

    configure_logging(args.data_dir, to_stderr=args.command is not None)
    try:
        if args.command is None:
            from transmit_admin.ui.launch import run_gui

            return run_gui(args)
        result: int = args.func(args)
        return result
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one sentence, never a traceback
        log.exception("unhandled error in %s", args.command or "gui")
        print(f"transmit-admin: {exc.__class__.__name__}: {printable(str(exc))}", file=sys.stderr)
        return 2


def gui_main() -> int:
    return main([])


if __name__ == "__main__":
    sys.exit(main())
