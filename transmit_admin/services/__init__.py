"""Orchestration shared by the CLI and the GUI.

One action = API call + store update + session event + audit row. async, no Qt.
"""
