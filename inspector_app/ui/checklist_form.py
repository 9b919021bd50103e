"""The visit's checklists as one form (一表通查): one card per item, answered by touch.

Each tap records one signed answer event (through the task runner); the form
is then updated in place from the checklist state the ledger derives, so what
the officer sees (shown items, findings, progress) is always what was stored.
The form is built a few items per event-loop turn: a joint visit has dozens
of items, and building them all at once would freeze the timer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QTimer
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.i18n import Binder
from inspector_app.ui.widgets import card, label, name_inner_editor, set_role, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.checklists import ItemStatus, TemplateOutcome
    from inspector_protocol.checklist_template import Item, Template

#: answer(template_id, item_id, value)
Answer = Callable[[str, str, Any], None]
#: take_photo(template_id, item_id): the visit screen captures a photo for a photo item.
TakePhoto = Callable[[str, str], None]
ITEMS_PER_TURN = 6
YES_NO = {"yes": Text("是", "Yes"), "no": Text("否", "No"), "na": Text("不适用", "N/A")}


class ItemEditor(QFrame):
    """One item: its title, the answer controls for its type, and its finding."""

    def __init__(self, binder: Binder, template: Template, item: Item, answer: Answer,
                 take_photo: TakePhoto) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.template_id, self.item = template.id, item
        self._binder, self._answer, self._take_photo = binder, answer, take_photo
        layout = vbox(self, margins=14, spacing=8)
        required = Text(" ＊", " *") if item.required else Text("", "")
        heading = label(None, role="heading")
        binder.bind(heading, lambda w, s: w.setText(s),  # type: ignore[attr-defined]
                    Text("{t}{r}", "{t}{r}").format(t=item.title.as_text(), r=required))
        layout.addWidget(heading)
        layout.addWidget(label(binder, item.content.as_text(), role="muted"))
        self.buttons: dict[str, QPushButton] = {}
        self.field: QLineEdit | QDateEdit | None = None
        self.photo_label: QLabel | None = None
        layout.addWidget(self._controls())
        self.finding = label(None)
        self.finding.hide()
        layout.addWidget(self.finding)

    def _controls(self) -> QWidget:
        from PySide6.QtWidgets import QHBoxLayout

        holder, kind = QWidget(), self.item.answer.type
        if kind in ("yes_no", "single_choice", "multiple_choice"):
            # Long option labels wrap onto a second line instead of being cut (portrait).
            self._choice_buttons(FlowLayout(holder), multiple=kind == "multiple_choice")
            return holder
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        if kind in ("number", "text", "date"):
            self._field(row, kind)
        else:
            self._photo_controls(row)
        row.addStretch(1)
        return holder

    def _photo_controls(self, row: Any) -> None:
        self.photo_label = label(None, role="muted")
        self.photo_button = QPushButton()
        self.photo_button.setAutoDefault(True)
        self._binder.bind(self.photo_button, lambda w, s: w.setText(s),  # type: ignore[attr-defined]
                          Text("拍照取证", "Take a photo"))
        self._binder.bind(self.photo_button, lambda w, s: w.setAccessibleName(s),
                          Text("为“{item}”拍照", "Photo for \"{item}\"").format(
                              item=self.item.title.as_text()))
        self.photo_button.clicked.connect(
            lambda: self._take_photo(self.template_id, self.item.id))
        row.addWidget(self.photo_button)
        row.addWidget(self.photo_label, 1)

    def _choice_buttons(self, row: Any, *, multiple: bool) -> None:
        from inspector_protocol.checklist_template import YesNoAnswer

        spec = self.item.answer
        if isinstance(spec, YesNoAnswer):
            choices = [(v, YES_NO[v]) for v in spec.possible_values()]
        else:
            choices = [(o.value, o.label.as_text()) for o in spec.options]  # type: ignore[union-attr]
        group = QButtonGroup(self)
        group.setExclusive(not multiple)
        for value, text in choices:
            widget = QPushButton()
            widget.setCheckable(True)
            widget.setAutoDefault(True)
            self._binder.bind(widget, lambda w, s: w.setText(s), text)  # type: ignore[attr-defined]
            self._binder.bind(widget, lambda w, s: w.setAccessibleName(s),
                              Text("{item}：{v}", "{item}: {v}").format(
                                  item=self.item.title.as_text(), v=text))
            group.addButton(widget)
            row.addWidget(widget)
            self.buttons[value] = widget
            if multiple:
                widget.clicked.connect(self._send_multiple)
            else:
                widget.clicked.connect(lambda _=False, v=value: self._send(v))

    def _field(self, row: Any, kind: str) -> None:
        from inspector_protocol.checklist_template import NumberAnswer

        field: QLineEdit | QDateEdit
        if kind == "date":
            field = QDateEdit()
            field.setCalendarPopup(True)
            field.setDisplayFormat("yyyy-MM-dd")
            field.setDate(QDate.currentDate())
        else:
            field = QLineEdit()
            if kind == "number":
                field.setValidator(QDoubleValidator())
            field.returnPressed.connect(self._send_field)
        self._binder.name(field, self.item.title.as_text())
        name_inner_editor(self._binder, field, self.item.title.as_text())
        self.field = field
        row.addWidget(field, 1)
        spec = self.item.answer
        if isinstance(spec, NumberAnswer) and spec.unit:
            unit = label(None, wrap=False)
            unit.setText(spec.unit)
            row.addWidget(unit)
        save = QPushButton()
        save.setAutoDefault(True)
        self._binder.bind(save, lambda w, s: w.setText(s), Text("保存", "Save"))  # type: ignore[attr-defined]
        self._binder.bind(save, lambda w, s: w.setAccessibleName(s),
                          Text("保存：{item}", "Save: {item}").format(item=self.item.title.as_text()))
        save.clicked.connect(self._send_field)
        row.addWidget(save)

    # -- sending answers ------------------------------------------------------------

    def _send(self, value: Any) -> None:
        self._answer(self.template_id, self.item.id, value)

    def _send_multiple(self) -> None:
        self._send([v for v, b in self.buttons.items() if b.isChecked()])

    def _send_field(self) -> None:
        from inspector_protocol.checklist_template import NumberAnswer

        field = self.field
        if isinstance(field, QDateEdit):
            self._send(field.date().toString("yyyy-MM-dd"))
            return
        assert isinstance(field, QLineEdit)
        text = field.text().strip()
        if isinstance(self.item.answer, NumberAnswer):
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                number = None
            value: Any = int(number) if number is not None and number.is_integer() else number
            self._send(value if number is not None else text)
        else:
            self._send(text)

    # -- showing state ------------------------------------------------------------------

    def show_status(self, status: ItemStatus, template: Template) -> None:
        self.setVisible(status.visible)
        value = status.answer.value if status.answer else None
        values = value if isinstance(value, list) else [value]
        for option, widget in self.buttons.items():
            widget.setChecked(option in values)
            set_role(widget, "failing", widget.isChecked() and status.failing)
        if self.field is not None and value is not None and not self.field.hasFocus():
            if isinstance(self.field, QDateEdit):
                self.field.setDate(QDate.fromString(str(value), "yyyy-MM-dd"))
            else:
                self.field.setText(str(value))
        if self.photo_label is not None:
            self._show_photos(values if value is not None else [])
        self._show_finding(status)

    def _show_photos(self, photo_ids: list[Any]) -> None:
        assert self.photo_label is not None
        self._binder.text(self.photo_label, Text("已附 {n} 张照片 {ids}", "{n} photo(s) attached {ids}")
                          .format(n=len(photo_ids), ids=" ".join(str(p)[:8] for p in photo_ids)))

    def _show_finding(self, status: ItemStatus) -> None:
        rectification = self.item.rectification
        if not status.failing:
            self.finding.hide()
            return
        text = Text("不合格", "Non-compliant")
        if rectification is not None:
            text = Text("不合格 — 整改要求：{r}（{d} 天内）", "Non-compliant — rectify: {r} (within {d} "
                        "days)").format(r=rectification.requirement.as_text(),
                                        d=rectification.deadline_days)
        self._binder.text(self.finding, text)
        set_role(self.finding, "tone", "error")
        self.finding.show()


class ChecklistForm(QWidget):
    """All templates of a visit, department by department, in one scrolling form."""

    def __init__(self, binder: Binder, answer: Answer, take_photo: TakePhoto) -> None:
        super().__init__()
        self._binder, self._answer, self._take_photo = binder, answer, take_photo
        self._layout = vbox(self, spacing=12)
        self.editors: dict[tuple[str, str], ItemEditor] = {}
        self.headers: dict[str, Any] = {}
        self._pending: Iterator[None] | None = None
        self._latest: tuple[TemplateOutcome, ...] = ()
        self._builder = QTimer(self)
        self._builder.setInterval(0)
        self._builder.timeout.connect(self._build_some)
        self.visit_id: str | None = None
        self._templates: list[str] = []

    def load(self, visit_id: str, outcomes: tuple[TemplateOutcome, ...],
             department_name: Callable[[str], Text]) -> None:
        """Show a visit's form: rebuilt for another visit, updated in place for the same one."""
        self._latest = outcomes
        templates = [o.template.id for o in outcomes]
        if visit_id == self.visit_id and self._pending is None and templates == self._templates:
            self.update_state(outcomes)
            return
        self._templates = templates  # a department joined: its section is built
        self.visit_id = visit_id
        self._clear()
        self._pending = self._build(outcomes, department_name)
        self._builder.start()

    @property
    def building(self) -> bool:
        return self._pending is not None

    def _clear(self) -> None:
        from inspector_app.ui.widgets import clear_layout

        self._builder.stop()
        self._pending = None
        clear_layout(self._layout)
        self.editors.clear()
        self.headers.clear()

    def _build(self, outcomes: tuple[TemplateOutcome, ...],
               department_name: Callable[[str], Text]) -> Iterator[None]:
        for outcome in outcomes:
            template = outcome.template
            frame, layout = card()
            layout.addWidget(label(self._binder, Text("{dep} · {title}", "{dep} · {title}").format(
                dep=department_name(outcome.department), title=template.title.as_text()),
                role="title"))
            progress = label(None, role="muted")
            layout.addWidget(progress)
            self.headers[template.id] = progress
            self._layout.addWidget(frame)
            for index, item in enumerate(template.items):
                editor = ItemEditor(self._binder, template, item, self._answer,
                                    self._take_photo)
                self.editors[(template.id, item.id)] = editor
                self._layout.addWidget(editor)
                if index % ITEMS_PER_TURN == ITEMS_PER_TURN - 1:
                    yield
        self._layout.addStretch(1)
        self.update_state(self._latest)

    def _build_some(self) -> None:
        try:
            next(self._pending)  # type: ignore[arg-type]
        except StopIteration:
            self._builder.stop()
            self._pending = None

    def redraw(self) -> None:
        """Show the last recorded state again (after a refused answer)."""
        self.update_state(self._latest)

    def update_state(self, outcomes: tuple[TemplateOutcome, ...]) -> None:
        self._latest = outcomes
        for outcome in outcomes:
            for status in outcome.statuses:
                editor = self.editors.get((outcome.template.id, status.item.id))
                if editor is not None:
                    editor.show_status(status, outcome.template)
            header = self.headers.get(outcome.template.id)
            if header is not None:
                p = outcome.progress
                self._binder.text(header, Text(
                    "必答项 {a}/{r} · 已答 {n} 项 · 不合格 {f} 项",
                    "Required {a}/{r} · answered {n} · non-compliant {f}").format(
                    a=p.required_answered, r=p.required, n=p.answered, f=p.failing))
