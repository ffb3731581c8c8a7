"""The Token tab: paste text, see what every token in it is and whether it can be trusted."""

from transmit_admin.ui.inspector.controller import InspectorController
from transmit_admin.ui.inspector.view import InspectorView

__all__ = ["InspectorController", "InspectorView"]
