"""The window: a top bar, a message bar, and one screen at a time.

Screens are built the first time they are needed (importing and building
every screen up front would delay the first paint), then kept, so a screen's
state survives going to another one and back.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMainWindow, QStackedWidget, QWidget

from inspector_app.platform.settings import Preferences
from inspector_app.ui.adaptive import AdaptiveColumns
from inspector_app.ui.context import AppContext
from inspector_app.ui.error_dialogs import is_expected, log_bug, show_crash_dialog
from inspector_app.ui.screen import Screen
from inspector_app.ui.touch import make_touch_friendly
from inspector_app.ui.widgets import MessageLine, button, label, vbox
from inspector_protocol.text import Text

#: Screen name → module and class, imported on first use.
SCREENS = {
    "signin": ("inspector_app.ui.screens.signin", "SignInScreen"),
    "home": ("inspector_app.ui.screens.home", "HomeScreen"),
    "scan": ("inspector_app.ui.screens.scan", "ScanScreen"),
    "checkin": ("inspector_app.ui.screens.checkin", "CheckInScreen"),
    "visit": ("inspector_app.ui.screens.visit", "VisitScreen"),
    "checkout": ("inspector_app.ui.screens.checkout", "CheckOutScreen"),
    "logs": ("inspector_app.ui.screens.logs", "LogsScreen"),
    "settings": ("inspector_app.ui.screens.device_settings", "SettingsScreen"),
    "provisioning": ("inspector_app.ui.screens.provisioning", "ProvisioningScreen"),
}
#: Screens used at a desk rather than at a gate (denser fields, more rows of data).
DESK_SCREENS = frozenset({"logs"})
APP_NAME = Text("入企扫码", "Scan-to-Enter Inspector")
#: The top bar needs about this much width for its title and buttons on one row.
BAR_STACK_BELOW_PX = 1100


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.ctx: AppContext | None = None
        self.screens: dict[str, Screen] = {}
        self.current: Screen | None = None
        self._dialogs: list[QWidget] = []
        self.current_name = ""
        self._params: dict[str, Any] = {}
        #: Where each officer was when the tablet locked: unlocking returns there.
        self._resume: dict[str, tuple[str, dict[str, Any]]] = {}

    def attach(self, ctx: AppContext) -> None:
        """Build the chrome around the context (split from __init__: the context needs us)."""
        self.ctx = ctx
        self.binder = ctx.lang.binder()
        self.binder.bind(self, lambda w, s: w.setWindowTitle(s), APP_NAME)
        central = QWidget()
        layout = vbox(central, spacing=0)
        layout.addWidget(self._top_bar(ctx))
        self.message_bar = MessageLine(self.binder)
        layout.addWidget(self.message_bar)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        ctx.tasks.busy_changed.connect(self._busy)
        ctx.session.signed_in.connect(self._officer_changed)
        ctx.session.locked.connect(self._locked)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        self._officer_changed()

    # -- chrome -------------------------------------------------------------

    def _top_bar(self, ctx: AppContext) -> QFrame:
        """Title on the left, who is signed in and the app's buttons on the right; on a
        portrait tablet the buttons move to a second row instead of widening the window."""
        bar = QFrame()
        bar.setProperty("role", "bar")
        outer = vbox(bar)
        columns = AdaptiveColumns(margins=(16, 6), spacing=8, stack_below=BAR_STACK_BELOW_PX,
                                  height_is_free=False)
        outer.addWidget(columns)
        self.title_label = label(None, role="heading", wrap=False)
        self.officer_label = label(None, wrap=False)
        self.busy_label = label(self.binder, Text("正在保存…", "Working…"), role="muted")
        self.busy_label.setVisible(False)
        self.home_button = button(self.binder, Text("首页", "Home"))
        self.lang_button = button(self.binder, Text("English", "中文"),
                                  name=Text("切换为英文", "Switch to Chinese"))
        self.settings_button = button(self.binder, Text("设置", "Settings"))
        self.lock_button = button(self.binder, Text("锁定", "Lock"),
                                  name=Text("锁定并切换执法人员", "Lock and switch officer"))
        self.home_button.clicked.connect(lambda: self.go("home"))
        self.lang_button.clicked.connect(self._toggle_language)
        self.settings_button.clicked.connect(lambda: self.go("settings"))
        self.lock_button.clicked.connect(ctx.session.lock)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addStretch(1)
        title_row.addWidget(self.busy_label)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        for widget in (self.officer_label, self.home_button, self.lang_button,
                       self.settings_button, self.lock_button):
            buttons.addWidget(widget)
        columns.add(title_row, 1)
        columns.add(buttons)
        return bar

    def _busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)

    def _officer_changed(self) -> None:
        assert self.ctx is not None
        officer = self.ctx.session.officer
        self.officer_label.setText("" if officer is None else f"{officer.name} · {officer.credential}")
        signed_in = officer is not None
        for widget in (self.home_button, self.lock_button):
            widget.setVisible(signed_in)

    def _locked(self, credential: str) -> None:
        if self.current_name and self.current_name != "signin":
            self._resume[credential] = (self.current_name, self._params)
        self._officer_changed()
        self.go("signin", credential=credential, locked=True)

    def resume(self, credential: str) -> None:
        """After signing in: back where this officer was when the tablet locked (a screen
        keeps its state, a half-filled check-in included), else home."""
        name, params = self._resume.pop(credential, ("home", {}))
        self._resume.clear()  # another officer's place is not kept across sign-ins
        target = self.screen(name)
        if name == "home" or not target.needs_officer:
            self.go("home")
            return
        self._show(name, target, params)
        target.resume(**params)

    def _toggle_language(self) -> None:
        assert self.ctx is not None
        lang = "en" if self.ctx.lang.lang == "zh" else "zh"
        self.set_preferences(self.ctx.preferences.with_value("language", lang))

    def _escape(self) -> None:
        if self.current is not None:
            self.current.back()

    # -- navigation ---------------------------------------------------------

    def go(self, screen: str, **params: Any) -> None:
        assert self.ctx is not None
        target = self.screen(screen)
        if target.needs_officer and not self.ctx.session.active:
            target = self.screen("signin")
            params = {}
            screen = "signin"
        self._show(screen, target, params)
        target.enter(**params)

    def _show(self, name: str, target: Screen, params: dict[str, Any]) -> None:
        self.message_bar.clear()
        if self.current is not None and self.current is not target:
            self.current.leave()
        self.current, self.current_name, self._params = target, name, params
        self.stack.setCurrentWidget(target)
        self.binder.bind(self.title_label, lambda w, s: w.setText(s), target.title)  # type: ignore[attr-defined]

    def screen(self, name: str) -> Screen:  # type: ignore[override]  # by name, not QScreen
        if name not in self.screens:
            assert self.ctx is not None
            module, cls = SCREENS[name]
            screen = getattr(importlib.import_module(module), cls)(self.ctx)
            # The officer's screens take gloved fingers: fields a full touch target tall.
            # The team lead's logs are read at a desk and keep their rows for the table.
            screen.setProperty("gloves", name not in DESK_SCREENS)
            self.screens[name] = screen
            self.stack.addWidget(screen)
            # Style every widget now, as part of building, rather than on first show.
            screen.ensurePolished()
            make_touch_friendly(screen)
        return self.screens[name]

    def warm(self, name: str) -> None:
        """Build a screen and render it once off screen: importing, styling and the first
        rasterising of its glyphs (large CJK sizes are slow) then happen now, not on the
        officer's first tap."""
        self.screen(name).grab()

    def warm_all_later(self, then: Callable[[], None] | None = None) -> None:
        """After start-up, warm the screens one per event-loop turn; ``then`` once all are."""
        pending = [name for name in SCREENS if name not in self.screens]

        def next_one() -> None:
            if pending:
                self.warm(pending.pop(0))
                QTimer.singleShot(0, next_one)
            elif then is not None:
                then()

        QTimer.singleShot(0, next_one)

    # -- errors and preferences --------------------------------------------------

    def report(self, error: BaseException) -> None:
        """Errors no screen handled: messages in the bar, bugs in a crash dialog."""
        assert self.ctx is not None
        if is_expected(error):
            self.message_bar.show_error(error)
            return
        details = log_bug(error)
        self._dialogs.append(show_crash_dialog(self, error, details, self.ctx.lang.lang))

    def set_preferences(self, preferences: Preferences) -> None:
        from inspector_app.ui.tablet_app import apply_preferences

        assert self.ctx is not None
        apply_preferences(self.ctx, preferences)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.current is not None:
            self.current.leave()
        super().closeEvent(event)

