"""Sub-commands of `transmit-admin`: each module has `register(subparsers)`."""
