"""The global flags again, for after a sub-command: `transmit-admin sessions list --env dev`.

Kept apart from the handlers so that building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse


def global_flags() -> argparse.ArgumentParser:
    """A parent parser; given both before and after the sub-command, the later one wins."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: when absent here, the value given before the sub-command stays.
    parent.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="data folder")
    parent.add_argument(
        "--env", metavar="NAME", default=argparse.SUPPRESS, help="a saved environment"
    )
    return parent
