"""The frozen app's entry point: the same `transmit-admin` command as the wheel's script.

PyInstaller needs a script file; `transmit_admin/__main__.py` would put the package folder
itself on the analysis path, so this one lives outside the package.
"""

import sys

from transmit_admin.cli import main

if __name__ == "__main__":
    sys.exit(main())
