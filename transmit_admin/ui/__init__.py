"""The PySide6 desktop console: the only layer that imports Qt."""
