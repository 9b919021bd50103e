"""Rectification items (整改) with deadlines, pre-filled from the form's findings.

Each failing answer whose item names a rectification is offered with the
template's requirement and its default deadline (days from the answer); the
officer may edit both, or write one that no item names.  Recording signs a
rectification event; the list shows what the visit has required so far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QFrame, QListWidget

from inspector_app.ui.i18n import Binder
from inspector_app.ui.widgets import (
    button,
    card_layout,
    label,
    line_edit,
    name_inner_editor,
    row,
)
from inspector_protocol.china_time import china_today
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.visit_view import VisitView

#: record(requirement, deadline, item key or None)
Record = Callable[[str, dt.date, "str | None"], None]
OTHER = Text("（其他整改事项）", "(another rectification)")


class RectificationCard(QFrame):
    def __init__(self, binder: Binder, record: Record, render: Callable[[Text], str]) -> None:
        super().__init__()
        self._record, self._render = record, render
        self._today = china_today()  # replaced by the visit's day when one is shown
        #: (item key, requirement, default deadline) per finding offered, by combo index.
        self._offers: list[tuple[str, Text, dt.date]] = []
        layout = card_layout(self)
        layout.addWidget(label(binder, Text("整改事项", "Rectifications"), role="heading"))
        self.source_combo = QComboBox()
        binder.name(self.source_combo, Text("整改来源（不合格项）", "From which finding"))
        self.source_combo.currentIndexChanged.connect(lambda _: self._prefill())
        self.requirement_edit = line_edit(binder, Text("整改要求", "What must be corrected"))
        self.deadline_edit = QDateEdit()
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_edit.setDisplayFormat("yyyy-MM-dd")
        binder.name(self.deadline_edit, Text("整改期限", "Deadline"))
        name_inner_editor(binder, self.deadline_edit, Text("整改期限", "Deadline"))
        self.record_button = button(binder, Text("记录整改", "Record"),
                                    name=Text("记录整改事项", "Record the rectification"))
        self.record_button.clicked.connect(self.submit)
        self.list = QListWidget()
        binder.name(self.list, Text("已记录的整改事项", "Rectifications recorded"))
        self.list.setWordWrap(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setMinimumHeight(70)
        self.list.setMaximumHeight(180)
        for widget in (self.source_combo, self.requirement_edit):
            layout.addWidget(widget)
        layout.addLayout(row(self.deadline_edit, self.record_button))
        layout.addWidget(self.list)

    def show_view(self, view: VisitView) -> None:
        """Offer the findings not yet turned into rectifications; list those recorded."""
        from inspector_app.services.visit_view import finding_key

        self._today = view.today
        recorded = {str(r.get("item")) for r in view.visit.rectifications if r.get("item")}
        chosen = self._current()
        self._offers = [(finding_key(f), f.requirement, f.deadline)
                        for f in view.findings if finding_key(f) not in recorded]
        titles = [f.item.title for f in view.findings if finding_key(f) not in recorded]
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        for title in titles:
            self.source_combo.addItem(self._render(title))
        self.source_combo.addItem(self._render(OTHER))
        keys = [key for key, _, _ in self._offers]
        chosen_key = chosen[0] if chosen else None
        self.source_combo.setCurrentIndex(keys.index(chosen_key) if chosen_key in keys else 0)
        self.source_combo.blockSignals(False)
        self._prefill()
        self._list(view)

    def _current(self) -> tuple[str, Text, dt.date] | None:
        index = self.source_combo.currentIndex()
        return self._offers[index] if 0 <= index < len(self._offers) else None

    def _prefill(self) -> None:
        data = self._current()
        if data is None:
            self.requirement_edit.clear()
            deadline = self._today + dt.timedelta(days=30)
        else:
            self.requirement_edit.setText(self._render(data[1]))
            deadline = data[2]
        self.deadline_edit.setDate(QDate(deadline.year, deadline.month, deadline.day))

    def _list(self, view: VisitView) -> None:
        self.list.clear()
        for item in view.visit.rectifications:
            self.list.addItem(self._render(Text("{req}（期限 {d}）", "{req} (by {d})").format(
                req=str(item.get("requirement", "")), d=str(item.get("deadline", "")))))
        if not view.visit.rectifications:
            self.list.addItem(self._render(Text("尚无整改事项。", "No rectifications yet.")))

    def submit(self) -> None:
        data = self._current()
        date = self.deadline_edit.date()
        self._record(self.requirement_edit.text(), dt.date(date.year(), date.month(), date.day()),
                     None if data is None else str(data[0]))
