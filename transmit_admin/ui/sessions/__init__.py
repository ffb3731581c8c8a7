"""The session side of the window: table, details, actions and the magic-link flow."""

from transmit_admin.ui.sessions.actions import SessionActions
from transmit_admin.ui.sessions.details import SessionDetailsView
from transmit_admin.ui.sessions.model import SessionTableModel
from transmit_admin.ui.sessions.panel import SessionsPanel

__all__ = ["SessionActions", "SessionDetailsView", "SessionTableModel", "SessionsPanel"]
