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


#: Bindings of widgets that no longer exist are dropped when a binder grows past this.
_PRUNE_ABOVE = 2048


class Binder:
    """The text bindings of one screen: (widget, setter, Text) triples, rendered on demand."""

    def __init__(self, state: LanguageState) -> None:
        self._state = state
        # Keyed by widget and setter, so binding again replaces the earlier binding in O(1)
        # (a checklist form binds a thousand texts).  The weak reference tells a widget that
        # died from a new one that happens to get its id.
        self._bindings: dict[tuple[int, Callable[[QWidget, str], None]],
                             tuple[weakref.ref[QWidget], Text]] = {}
        self._prune_above = _PRUNE_ABOVE

    def bind(self, widget: QWidget, setter: Callable[[QWidget, str], None], text: Text) -> None:
        self._bindings[(id(widget), setter)] = (weakref.ref(widget), text)
        setter(widget, text.render(self._state.lang))
        if len(self._bindings) > self._prune_above:  # widgets of rebuilt forms leave entries
            self._bindings = {k: v for k, v in self._bindings.items() if v[0]() is not None}
            self._prune_above = max(_PRUNE_ABOVE, 2 * len(self._bindings))

    def text(self, widget: QWidget, text: Text, *, name: Text | None = None) -> None:
        """Bind the widget's visible text and (by default the same) accessible name."""
        self.bind(widget, _set_text, text)
        self.bind(widget, _set_accessible_name, name or text)

    def name(self, widget: QWidget, name: Text) -> None:
        self.bind(widget, _set_accessible_name, name)

    def placeholder(self, widget: QWidget, text: Text) -> None:
        self.bind(widget, _set_placeholder, text)

    def apply(self, lang: Lang) -> None:
        for key, (ref, text) in list(self._bindings.items()):
            widget = ref()
            if widget is None:
                del self._bindings[key]
            else:
                key[1](widget, text.render(lang))


def _set_text(widget: QWidget, value: str) -> None:
    widget.setText(value)  # type: ignore[attr-defined]


def _set_accessible_name(widget: QWidget, value: str) -> None:
    widget.setAccessibleName(value)


def _set_placeholder(widget: QWidget, value: str) -> None:
    widget.setPlaceholderText(value)  # type: ignore[attr-defined]
