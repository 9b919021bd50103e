"""The base of every screen: its context, its text bindings, and how it is entered."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QWidget

from inspector_app.ui.adaptive import AdaptiveColumns
from inspector_app.ui.context import AppContext
from inspector_app.ui.error_dialogs import is_expected
from inspector_app.ui.widgets import MessageLine, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.workspace import Workspace

T = TypeVar("T")


class Screen(QWidget):
    #: Shown in the window's top bar.
    title = Text("", "")
    #: Screens that need a signed-in officer send everyone else to the sign-in screen.
    needs_officer = True

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("screen")
        self.ctx = ctx
        self.binder = ctx.lang.binder()
        ctx.lang.changed.connect(self.language_changed)

    def columns(self, **options: Any) -> AdaptiveColumns:
        """The screen's body as columns that stack on a portrait tablet."""
        columns = AdaptiveColumns(**options)
        vbox(self).addWidget(columns)
        return columns

    def add_action_bar(self, message: QWidget | None, *buttons: QWidget) -> None:
        """The screen's primary action below its scrolling body, always in view."""
        from inspector_app.ui.widgets import action_bar

        body = self.layout()
        assert body is not None, "columns() first"
        body.addWidget(action_bar(message, *buttons))

    def primary_action(self) -> QWidget | None:
        """The button the screen is for right now (tests check it is always in view)."""
        return None

    def enter(self, **params: Any) -> None:
        """Called each time the screen is shown, with the navigation parameters."""

    def resume(self, **params: Any) -> None:
        """Shown again after an unlock, with the parameters it was entered with (by default
        entered again: screens that reload from the ledger lose nothing)."""
        self.enter(**params)

    def leave(self) -> None:
        """Called when another screen replaces this one (stop timers, cameras)."""

    def language_changed(self, lang: str) -> None:
        """Redraw texts that come from data (bound texts follow by themselves)."""

    def run(self, job: Callable[[Workspace], T], on_done: Callable[[T], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        self.ctx.tasks.run(job, on_done, on_error)

    def tr(self, text: Text) -> str:  # type: ignore[override]  # bilingual Text, not Qt tr
        return self.ctx.lang.render(text)

    def shown_in(self, line: MessageLine) -> Callable[[BaseException], None]:
        """An error handler: errors meant for a person go to ``line``, bugs are reported."""

        def handle(error: BaseException) -> None:
            if is_expected(error):
                line.show_error(error)
            else:
                self.ctx.nav.report(error)

        return handle

    def back(self) -> None:
        """Escape: where this screen goes back to (home by default)."""
        if self.ctx.session.active:
            self.ctx.nav.go("home")
