"""Sub-command parsers whose flags are added when the sub-command is used, not when built.

`cli.build_parser` runs every sub-command's `register`, for every `transmit-admin` call and for
the desktop window, which parses only the global flags. A sub-command whose flags come from a
heavy module (the sandbox's import its server's fault middleware and asyncio) registers them
with `add_arguments_when_used`. `transmit-admin --help` lists it either way: its line comes
from the `help=` given to `add_parser`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

AddArguments = Callable[[argparse.ArgumentParser], None]


class CommandParser(argparse.ArgumentParser):
    """Adds its deferred flags the first time it parses, or prints its help or usage."""

    _pending_arguments: AddArguments | None = None

    def _add_pending_arguments(self) -> None:
        pending, self._pending_arguments = self._pending_arguments, None
        if pending is not None:
            pending(self)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        self._add_pending_arguments()
        return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        self._add_pending_arguments()
        return super().format_usage()

    def format_help(self) -> str:
        self._add_pending_arguments()
        return super().format_help()


def add_arguments_when_used(parser: argparse.ArgumentParser, add: AddArguments) -> None:
    """`add(parser)` when `parser` is first used; at once for a plain `ArgumentParser` (one
    not built by `cli.build_parser`, e.g. in a test)."""
    if isinstance(parser, CommandParser):
        parser._pending_arguments = add
    else:
        add(parser)
