"""Settings: saved environments and where their client secrets are kept."""

from transmit_admin.ui.settings.controller import EnvironmentsController
from transmit_admin.ui.settings.dialog import EnvironmentsDialog

__all__ = ["EnvironmentsController", "EnvironmentsDialog"]
