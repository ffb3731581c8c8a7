"""Which environment the window works on: the switcher's list, the badge, the banner, and the
switch itself (each environment's sessions come from its own store rows or file)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from transmit_admin.app import SANDBOX_ENV_NAME, sandbox_environment, start_demo
from transmit_admin.core.environment import Environment
from transmit_admin.store.environments import EnvironmentsFileError, SavedEnvironments
from transmit_admin.store.secrets import SECRETS_FILE_NAME
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.errors import user_message
from transmit_admin.ui.main_window import MainWindow
from transmit_admin.ui.tasks import TaskRunner, run_cpu

if TYPE_CHECKING:
    from transmit_admin.app import AppRuntime

log = logging.getLogger(__name__)
SANDBOX_COLOUR = "#1f6feb"
PRODUCTION_COLOUR = "#cf222e"
WARNING_COLOUR = "#9a6700"


class EnvironmentController(QObject):
    def __init__(
        self, window: MainWindow, bus: UiBus, runtime: AppRuntime, mailbox: QWidget | None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.bus = bus
        self.runtime = runtime
        self.mailbox = mailbox
        self.runner = TaskRunner(bus, self)
        window.switcher.chosen.connect(self.choose)

    @property
    def saved(self) -> SavedEnvironments:
        return SavedEnvironments(self.runtime.data_dir)

    def names(self) -> list[str]:
        """The saved environments, and the sandbox first when one is running."""
        try:
            names = self.saved.names()
        except (EnvironmentsFileError, OSError) as exc:  # say so, keep working
            self.bus.activity.emit(self.tr("Environments"), user_message(exc), False)
            names = []
        if SANDBOX_ENV_NAME not in names:  # started on demand when it is not running yet
            names.insert(0, SANDBOX_ENV_NAME)
        return names

    def show_current(self) -> None:
        """Badge, window title, banner and the Mailbox tab for the current environment."""
        runtime, window = self.runtime, self.window
        ws = runtime.current
        env = ws.environment
        window.switcher.set_environments(self.names(), env)
        window.setWindowTitle(self.tr("Transmit Admin — {0}").format(env.name))
        if self.mailbox is not None:
            window.tabs.setTabVisible(window.tabs.indexOf(self.mailbox), ws.is_sandbox)
        if ws.is_sandbox:
            text = self.tr(
                "Sandbox: a local stand-in for Transmit at {0}. These sessions are "
                "disposable demo data, recreated every time the app starts."
            ).format(env.base_url)
            window.banner.show_message(text, SANDBOX_COLOUR)
        elif env.production:
            text = self.tr("Production environment {0}: revoking here logs real users out.").format(
                env.name
            )
            window.banner.show_message(text, PRODUCTION_COLOUR)
        elif not runtime.secrets.get(env.name):
            window.banner.show_message(self._missing_secret_text(env), WARNING_COLOUR)
        else:
            window.banner.hide()

    def _missing_secret_text(self, env: Environment) -> str:
        runtime = self.runtime
        if not runtime.secrets.is_persistent and (runtime.data_dir / SECRETS_FILE_NAME).exists():
            return self.tr(
                "The client secrets are in an encrypted file: unlock it with its passphrase in "
                "File → Settings to use {0}'s actions."
            ).format(env.name)
        return self.tr(
            "No client secret is stored for {0}: tokens can be inspected, but actions need it. "
            "Enter it in File → Settings."
        ).format(env.name)

    def choose(self, name: str) -> None:
        """The user picked `name` in the switcher."""
        runtime = self.runtime
        if name == runtime.current.environment.name:
            return
        if name == SANDBOX_ENV_NAME and runtime.sandbox_info is not None:
            info = runtime.sandbox_info
            self.switch_to(sandbox_environment(info), lambda: info.client_secret)
            self._remember(None)  # the next start opens the sandbox again
            return
        if name == SANDBOX_ENV_NAME:
            self.start_sandbox()
            return
        try:
            env = self.saved.get(name)
        except (EnvironmentsFileError, OSError) as exc:
            self.bus.activity.emit(self.tr("Switch environment"), user_message(exc), False)
            return
        if env is None:
            return
        self.switch_to(env, runtime.secret_getter_for(env.name))
        self._remember(env.name)

    def _remember(self, name: str | None) -> None:
        try:
            self.saved.set_last_used(name)
        except (EnvironmentsFileError, OSError, KeyError):
            log.warning("could not remember the last used environment", exc_info=True)

    def start_sandbox(self) -> None:
        """Starts the local sandbox and its demo store off the GUI thread, then switches."""
        self.window.switcher.show_starting()
        self.bus.activity.emit(self.tr("Sandbox"), self.tr("Starting the local sandbox…"), True)
        self.runner.start(
            "start sandbox",
            run_cpu(start_demo, self.runtime.data_dir),
            on_result=self._sandbox_started,
            on_error=lambda _message: self.show_current(),
        )

    def _sandbox_started(self, started: tuple[Any, Environment, Any, Any]) -> None:
        sandbox, env, store, path = started
        self.runtime.adopt_sandbox(sandbox, store, path)
        info = sandbox.info
        self.switch_to(env, lambda: info.client_secret)
        self._remember(None)

    def switch_to(self, env: Environment, secret_getter: Callable[[], str]) -> None:
        """Makes `env` current everywhere; the session views reload from its own store."""
        try:
            self.runtime.switch_environment(env, secret_getter)
        except Exception as exc:  # noqa: BLE001 - StoreDamaged and OS errors: shown, not raised
            message = user_message(exc, action="switch environment")
            self.bus.activity.emit(self.tr("Switch environment"), message, False)
            self.show_current()
            return
        self.show_current()
        self.bus.environment_changed.emit()
        self.bus.sessions_reloaded.emit()
        self.bus.activity.emit(
            self.tr("Switch environment"), self.tr("Now working on {0}.").format(env.name), True
        )

    def after_settings(self) -> None:
        """Settings closed: pick up an edited current environment, refresh list and banner."""
        ws = self.runtime.current
        current = ws.environment
        if not ws.is_sandbox:
            try:
                edited = self.saved.get(current.name)
            except (EnvironmentsFileError, OSError):
                edited = None
            if edited is not None and edited != current:
                self.switch_to(edited, self.runtime.secret_getter_for(edited.name))
                return
        self.show_current()
