"""Switching language at run time: widgets are bound to bilingual texts once.

A screen binds each widget property to a :class:`~inspector_protocol.text.Text`
(``binder.text(button, Text("签到", "Check in"))``); when the language
changes, every binding is rendered again.  Texts that depend on data (a table,
a visit card) are redrawn by the screen's own ``language_changed`` handler.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from inspector_protocol.text import Lang, Text


class LanguageState(QObject):
    """The language the app shows; one per application."""

    changed = Signal(str)

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.lang: Lang = lang
        self._binders: weakref.WeakSet[Binder] = weakref.WeakSet()

    def set_lang(self, lang: Lang) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        for binder in list(self._binders):
            binder.apply(lang)
        self.changed.emit(lang)

    def render(self, text: Text) -> str:
        return text.render(self.lang)

    def binder(self) -> Binder:
        binder = Binder(self)
        self._binders.add(binder)
        return binder


class Binder:
    """The text bindings of one screen: (widget, setter, Text) triples, rendered on demand."""

    def __init__(self, state: LanguageState) -> None:
        self._state = state
        self._bindings: list[tuple[weakref.ref[QWidget], Callable[[QWidget, str], None],
                                   Text]] = []

    def bind(self, widget: QWidget, setter: Callable[[QWidget, str], None], text: Text) -> None:
        # Replacing an earlier binding of the same setter keeps the list from growing.
        self._bindings = [b for b in self._bindings
                          if not (b[0]() is widget and b[1] is setter)]
        self._bindings.append((weakref.ref(widget), setter, text))
        setter(widget, text.render(self._state.lang))

    def text(self, widget: QWidget, text: Text, *, name: Text | None = None) -> None:
        """Bind the widget's visible text and (by default the same) accessible name."""
        self.bind(widget, _set_text, text)
        self.bind(widget, _set_accessible_name, name or text)

    def name(self, widget: QWidget, name: Text) -> None:
        self.bind(widget, _set_accessible_name, name)

    def placeholder(self, widget: QWidget, text: Text) -> None:
        self.bind(widget, _set_placeholder, text)

    def apply(self, lang: Lang) -> None:
        alive = []
        for ref, setter, text in self._bindings:
            widget = ref()
            if widget is not None:
                setter(widget, text.render(lang))
                alive.append((ref, setter, text))
        self._bindings = alive


def _set_text(widget: QWidget, value: str) -> None:
    widget.setText(value)  # type: ignore[attr-defined]


def _set_accessible_name(widget: QWidget, value: str) -> None:
    widget.setAccessibleName(value)


def _set_placeholder(widget: QWidget, value: str) -> None:
    widget.setPlaceholderText(value)  # type: ignore[attr-defined]
