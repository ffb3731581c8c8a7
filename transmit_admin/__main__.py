import sys

from transmit_admin.cli import main

sys.exit(main())
