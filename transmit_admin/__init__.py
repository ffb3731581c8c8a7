"""transmit-admin: a desktop console for Transmit Security backend sessions."""

APP_NAME = "transmit-admin"
APP_ID = "io.github.transmit_admin.TransmitAdmin"

# Looked up on first use (module `__getattr__` below), not at import: reading the installed
# package's metadata imports `importlib.metadata` (and `email`) and scans `sys.path`, which
# cost the desktop window 30-120 ms before its first frame while nothing there shows it.
__version__: str


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("transmit-admin")
    except PackageNotFoundError:  # running from a checkout that was never installed
        value = "0.0.0+unknown"
    globals()["__version__"] = value  # looked up once; later reads find the global
    return value
