"""`python -m transmit_admin.sandbox [flags]`: the sandbox alone, without the app's data folder.

The runner starts the sandbox this way, so a test run never touches a user's settings or logs.
Same flags as `transmit-admin sandbox`.
"""

from __future__ import annotations

import argparse
import sys

from transmit_admin.sandbox.cli_args import add_arguments, config_from_args
from transmit_admin.sandbox.faults import FaultSettingsError
from transmit_admin.sandbox.serve import RemoteBindRefused, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m transmit_admin.sandbox",
        description="A local Transmit-compatible server for demos and tests.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return serve(config_from_args(args), json_output=args.json, env_output=args.print_env)
    except (FaultSettingsError, RemoteBindRefused, OSError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
