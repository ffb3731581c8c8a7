"""The HAR tab: a customer's capture read, its leaked sessions revoked, a sanitized copy saved."""

from transmit_admin.ui.har.controller import HarController
from transmit_admin.ui.har.view import HarView

__all__ = ["HarController", "HarView"]
