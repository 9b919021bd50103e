"""The visit's checklists as one form (一表通查): one card per item, answered by touch.

Each tap records one signed answer event (through the task runner); the form
is then updated in place from the checklist state the ledger derives, so what
the officer sees (shown items, findings, progress) is always what was stored.
The form is built in short time slices between event-loop turns: a joint
visit has a hundred items, and building them all at once would freeze the
timer and the officer's next tap.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.i18n import Binder
from inspector_app.ui.widgets import card, label, name_inner_editor, set_role, vbox
from inspector_protocol.text import Text

#: A typed answer is recorded when typing pauses this long (or the field is left).
TYPING_PAUSE_MS = 1500

if TYPE_CHECKING:
    from inspector_app.checklists import ItemStatus, TemplateOutcome
    from inspector_app.checklists.evaluation import Progress
    from inspector_protocol.checklist_template import Item, Template

#: answer(template_id, item_id, value)
Answer = Callable[[str, str, Any], None]
#: take_photo(template_id, item_id): the visit screen captures a photo for a photo item.
TakePhoto = Callable[[str, str], None]
#: The GUI thread builds the form in slices of at most this much work (a 60 Hz frame is
#: 16 ms), so the running timer and a tap wait for one slice at most, never for the whole
#: form.  Counted in the thread's CPU time: on a machine busy with other work, being
#: preempted makes every slice longer whatever its size, and counting it would only make
#: the form take many more turns to appear.
SLICE_BUDGET_S = 0.010
PLACE_BATCH_GUESS_S = 0.004
#: A slice builds at least this many steps: on a tablet they take about a millisecond each,
#: well inside the budget; on a machine so loaded that they take far longer, the form must
#: still appear in a few dozen turns rather than one turn per item.
MIN_ITEMS_PER_SLICE = 3
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
                    Text("{t}{r}", "{t}{r}").format(t=item.title, r=required))
        layout.addWidget(heading)
        layout.addWidget(label(binder, item.content, role="muted"))
        self.buttons: dict[str, QPushButton] = {}
        self.field: QLineEdit | QDateEdit | None = None
        self.photo_label: QLabel | None = None
        layout.addWidget(self._controls())
        self.finding = label(None)
        self.finding.hide()
        layout.addWidget(self.finding)
        #: What show_status last showed, and whether a tap changed the controls since.
        self._shown: tuple[bool, object, bool] | None = None
        self._touched = False
        #: The last typed value sent, so the same text is not signed twice.
        self._sent: Any = None
        self._recorded: Any = None

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
                              item=self.item.title))
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
            choices = [(o.value, o.label) for o in spec.options]  # type: ignore[union-attr]
        group = QButtonGroup(self)
        group.setExclusive(not multiple)
        for value, text in choices:
            widget = QPushButton()
            widget.setCheckable(True)
            widget.setAutoDefault(True)
            self._binder.bind(widget, lambda w, s: w.setText(s), text)  # type: ignore[attr-defined]
            self._binder.bind(widget, lambda w, s: w.setAccessibleName(s),
                              Text("{item}：{v}", "{item}: {v}").format(
                                  item=self.item.title, v=text))
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
        self._binder.name(field, self.item.title)
        name_inner_editor(self._binder, field, self.item.title)
        self.field = field
        row.addWidget(field, 1)
        spec = self.item.answer
        if isinstance(spec, NumberAnswer) and spec.unit:
            unit = label(None, wrap=False)
            unit.setText(spec.unit)
            row.addWidget(unit)
        # No separate 保存: a typed answer is recorded when the officer pauses, leaves the
        # field, presses Enter, or leaves the form (check-out, lock, another screen).
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.flush)
        if isinstance(field, QDateEdit):
            field.dateChanged.connect(lambda _: self.flush())
        else:
            field.textEdited.connect(lambda _: self._pause.start())
            field.editingFinished.connect(self.flush)

    # -- sending answers ------------------------------------------------------------

    def _send(self, value: Any) -> None:
        self._touched = True  # the controls now show the tap, not what was recorded
        self._answer(self.template_id, self.item.id, value)

    def _send_multiple(self) -> None:
        self._send([v for v, b in self.buttons.items() if b.isChecked()])

    def _send_field(self) -> None:
        self.flush()

    def _field_value(self) -> Any:
        from inspector_protocol.checklist_template import NumberAnswer

        field = self.field
        if isinstance(field, QDateEdit):
            return field.date().toString("yyyy-MM-dd")
        assert isinstance(field, QLineEdit)
        text = field.text().strip()
        if not text:
            return None
        if isinstance(self.item.answer, NumberAnswer):
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                return text  # refused in words by the recorder, not dropped
            return int(number) if number.is_integer() else number
        return text

    def flush(self) -> None:
        """Record what the field holds if it differs from what was recorded (each answer
        once: pausing, then leaving the field, does not sign it twice)."""
        if self.field is None:
            return
        self._pause.stop()
        value = self._field_value()
        if value is None or value == self._recorded or value == self._sent:
            return
        self._sent = value
        self._send(value)

    # -- showing state ------------------------------------------------------------------

    def show_status(self, status: ItemStatus, template: Template) -> None:
        shown = (status.visible, status.answer, status.failing)
        if shown == self._shown and not self._touched:
            return
        if self._shown is None:
            # Not shown yet: hiding is free now, and an item left alone is shown with its
            # holder.  Showing it here would lay out every visible ancestor at once.
            if not status.visible:
                self.hide()
        elif self._shown[0] != status.visible:
            self.setVisible(status.visible)
        self._shown, self._touched = shown, False
        value = status.answer.value if status.answer else None
        self._recorded = value
        values = value if isinstance(value, list) else [value]
        for option, widget in self.buttons.items():
            widget.setChecked(option in values)
            failing = widget.isChecked() and status.failing
            if bool(widget.property("failing")) != failing:  # restyling is not free
                set_role(widget, "failing", failing)
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
                        "days)").format(r=rectification.requirement,
                                        d=rectification.deadline_days)
        self._binder.text(self.finding, text)
        set_role(self.finding, "tone", "error")
        self.finding.show()


class ChecklistForm(QWidget):
    """All templates of a visit, department by department, in one scrolling form.

    The form is built a little at a time: each event-loop turn adds sections and
    items for at most :data:`SLICE_BUDGET_S`, then lets the timer, the camera
    preview and the officer's taps through.  Items appear top first, each already
    showing its recorded state, so a built item can be answered while the rest are
    still coming.  :attr:`building` is true from :meth:`load` until the last item is
    in, and :attr:`built` is emitted then (tests and benchmarks wait on it).
    """

    #: Emitted when every section and item of the loaded form exists.
    built = Signal()

    def __init__(self, binder: Binder, answer: Answer, take_photo: TakePhoto) -> None:
        super().__init__()
        _grows_down(self)
        self._binder, self._answer, self._take_photo = binder, answer, take_photo
        self._outer = vbox(self)
        self._page, self._layout = self._new_page()
        self._section = self._layout  # where items go: the section being built
        self._batch: QWidget | None = None  # the items built in this slice, placed at its end
        self.editors: dict[tuple[str, str], ItemEditor] = {}
        self.headers: dict[str, QLabel] = {}
        self._steps: deque[Callable[[], None]] = deque()
        self._latest: tuple[TemplateOutcome, ...] = ()
        self._statuses: dict[tuple[str, str], ItemStatus] = {}
        self._shown_progress: dict[str, Progress] = {}
        self._department_name: Callable[[str], Text] = lambda d: Text(d, d)
        self._builder = QTimer(self)
        self._builder.setInterval(0)
        self._builder.timeout.connect(self._build_some)
        self.visit_id: str | None = None
        self._templates: list[str] = []
        #: How long each slice of the current (or last) build took, in ms: wall time, and
        #: the GUI thread's CPU time (the two differ only when other work shares the CPU).
        self.slice_ms: list[float] = []
        self.slice_cpu_ms: list[float] = []
        # What a step and the placing of a batch cost at most, lately (placing is guessed
        # until measured: the first batch must not overrun the budget either).
        self._longest_step = 0.0
        self._place_batch_s = PLACE_BATCH_GUESS_S
        self._placing = 0.0

    def load(self, visit_id: str, outcomes: tuple[TemplateOutcome, ...],
             department_name: Callable[[str], Text]) -> None:
        """Show a visit's form: built for another visit; for the same one, updated in place,
        with the sections of a department that joined added at the end."""
        self._department_name = department_name
        templates = [o.template.id for o in outcomes]
        known = len(self._templates)
        if visit_id == self.visit_id and templates[:known] == self._templates:
            self._templates = templates
            self.update_state(outcomes)
            self._queue_sections(outcomes[known:])
            return
        self.visit_id, self._templates = visit_id, templates
        self._clear()
        self.update_state(outcomes)
        self._queue_sections(outcomes)

    @property
    def building(self) -> bool:
        return bool(self._steps)

    def _new_page(self) -> tuple[QWidget, QVBoxLayout]:
        page = _grows_down(QWidget())
        layout = vbox(page, spacing=12)
        layout.addStretch(1)
        self._outer.addWidget(page)
        return page, layout

    def _clear(self) -> None:
        """Drop the previous visit's form (its widgets go in the next turn, all at once)."""
        self._builder.stop()
        self._steps.clear()
        self.setMinimumHeight(0)
        if self._batch is not None:
            self._batch.deleteLater()
            self._batch = None
        self._page.hide()
        self._outer.removeWidget(self._page)
        self._page.deleteLater()
        self._page, self._layout = self._new_page()
        self.editors.clear()
        self.headers.clear()
        self._statuses.clear()
        self._shown_progress.clear()

    def _queue_sections(self, outcomes: tuple[TemplateOutcome, ...]) -> None:
        if not outcomes:
            return
        if not self._steps:
            self.slice_ms, self.slice_cpu_ms = [], []
        for outcome in outcomes:
            self._steps.append(partial(self._add_section, outcome))
            for item in outcome.template.items:
                self._steps.append(partial(self._add_editor, outcome.template, item))
        self._builder.start()

    def _add_section(self, outcome: TemplateOutcome) -> None:
        """A department's template: its heading card, then its items in a holder of their
        own, so that adding items lays out that section again, not the whole form."""
        self._place_batch()
        template = outcome.template
        section = _grows_down(QWidget())
        self._section = vbox(section, spacing=12)
        frame, layout = card()
        layout.addWidget(label(self._binder, Text("{dep} · {title}", "{dep} · {title}").format(
            dep=self._department_name(outcome.department), title=template.title),
            role="title"))
        progress = label(None, role="muted")
        layout.addWidget(progress)
        self._section.addWidget(frame)
        self.headers[template.id] = progress
        latest = next((o for o in self._latest if o.template.id == template.id), outcome)
        self._show_progress(template.id, latest.progress)
        self._layout.insertWidget(self._layout.count() - 1, section)  # before the stretch
        section.ensurePolished()

    def _add_editor(self, template: Template, item: Item) -> None:
        """An item, built in this slice's batch (not on screen yet: nothing is laid out)."""
        editor = ItemEditor(self._binder, template, item, self._answer, self._take_photo)
        status = self._statuses.get((template.id, item.id))
        if status is not None:
            editor.show_status(status, template)
        if self._batch is None:
            self._batch = QWidget()
            vbox(self._batch, spacing=12)
        layout = self._batch.layout()
        assert layout is not None
        layout.addWidget(editor)
        self.editors[(template.id, item.id)] = editor

    def _place_batch(self) -> None:
        """Put the items built in this slice on screen together, shown and laid out now, so
        that the slice's time includes their layout: one layout pass for the batch, not one
        per item (showing a widget lays out each of its visible ancestors)."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        started = time.thread_time()
        self._section.addWidget(batch)
        batch.ensurePolished()  # styled now, with its final parent
        if self.isVisible():
            # Room first: shown in a form too short for it, the batch would squeeze every
            # item above it until the scroll area grows the form (twice the whole form).
            grow = batch.heightForWidth(self._page.width()) + self._section.spacing()
            self.setMinimumHeight(self.height() + grow)
            batch.show()
        self._placing = time.thread_time() - started
        self._place_batch_s = _estimate(self._place_batch_s, self._placing)

    def _build_some(self) -> None:
        """One slice: another step only while the slice, with the step and the placing of
        its batch (as long as the longest seen lately), stays within the budget."""
        wall, started = time.perf_counter(), time.thread_time()
        built = 0
        while self._steps:
            step_started, self._placing = time.thread_time(), 0.0
            self._steps.popleft()()
            built += 1
            now = time.thread_time()
            # A section step places the batch before it: placing has its own estimate.
            self._longest_step = _estimate(self._longest_step,
                                           now - step_started - self._placing)
            expected = now - started + self._longest_step + self._place_batch_s
            if expected > SLICE_BUDGET_S and built >= MIN_ITEMS_PER_SLICE:
                break
        self._place_batch()
        self.slice_cpu_ms.append((time.thread_time() - started) * 1000)
        self.slice_ms.append((time.perf_counter() - wall) * 1000)
        if not self._steps:
            self._builder.stop()
            self.setMinimumHeight(0)  # the form is as tall as its items again
            self.built.emit()

    def flush(self) -> None:
        """Record every typed answer not yet recorded (before check-out, on leaving)."""
        for editor in self.editors.values():
            if editor.field is not None:
                editor.flush()

    def redraw(self) -> None:
        """Show the last recorded state again (after a refused answer)."""
        self.update_state(self._latest)

    def update_state(self, outcomes: tuple[TemplateOutcome, ...]) -> None:
        """Show recorded state; only items whose state changed (or that were tapped) are
        touched, so a tap's result costs the same on a form of 10 items or 100."""
        self._latest = outcomes
        for outcome in outcomes:
            template_id = outcome.template.id
            for status in outcome.statuses:
                key = (template_id, status.item.id)
                self._statuses[key] = status
                editor = self.editors.get(key)
                if editor is not None:
                    editor.show_status(status, outcome.template)
            self._show_progress(template_id, outcome.progress)

    def _show_progress(self, template_id: str, p: Progress) -> None:
        header = self.headers.get(template_id)
        if header is None or self._shown_progress.get(template_id) == p:
            return
        self._shown_progress[template_id] = p
        self._binder.text(header, Text(
            "必答项 {a}/{r} · 已答 {n} 项 · 不合格 {f} 项",
            "Required {a}/{r} · answered {n} · non-compliant {f}").format(
            a=p.required_answered, r=p.required, n=p.answered, f=p.failing))


def _estimate(previous: float, measured: float) -> float:
    """The longest cost seen, forgotten slowly: one slow step (a collection, a busy
    machine) must not shrink every later slice to a single item."""
    return max(measured, previous * 0.95)


def _grows_down(widget: QWidget) -> QWidget:
    """The form only grows at the bottom: when it does, only the new part is painted, not
    every item on screen again (which each slice of building would otherwise cost)."""
    widget.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
    return widget
