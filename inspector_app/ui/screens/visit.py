"""Visit in progress: the running timer, the one form of checklists, notes, check-out.

The timer is derived from the check-in event and the clocks now, so it shows
the right time after the app (or the tablet) restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QScrollArea, QWidget

from inspector_app.i18n import Text
from inspector_app.ui.checklist_form import ChecklistForm
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import RunningTimer
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, vbox

if TYPE_CHECKING:
    from inspector_app.app import Workspace
    from inspector_app.checklists import TemplateOutcome
    from inspector_app.domain.visit import Visit
    from inspector_app.ledger.keys import Signer


@dataclass(frozen=True)
class VisitView:
    visit: Visit
    seconds: int
    outcomes: tuple[TemplateOutcome, ...]


def load_visit_view(ws: Workspace, visit_id: str) -> VisitView:
    from inspector_app.checklists import outcomes
    from inspector_app.recorder import VisitRecorder

    recorder = VisitRecorder(ws)
    visit = recorder.visit(visit_id)
    duration = visit.duration(ws.ledger.time_evidence())
    return VisitView(visit, duration.seconds if duration else 0,
                     outcomes(recorder.checklists(visit.id)))


def answer(ws: Workspace, signer: Signer, visit_id: str, template_id: str, item_id: str,
           value: Any) -> tuple[TemplateOutcome, ...]:
    from inspector_app.checklists import outcomes
    from inspector_app.recorder import VisitRecorder

    return outcomes(VisitRecorder(ws).answer(signer, visit_id, template_id, item_id, value))


class VisitScreen(Screen):
    title = Text("检查进行中", "Visit in progress")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.view: VisitView | None = None
        outer = vbox(self, margins=20, spacing=14)
        outer.addWidget(self._header())
        body = QHBoxLayout()
        body.setSpacing(16)
        self.form = ChecklistForm(self.binder, self._answer)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_scroll.setWidget(self.form)
        body.addWidget(self.form_scroll, 3)
        side_scroll = QScrollArea()  # fits a landscape tablet, and a portrait one
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        side_scroll.setWidget(self._side())
        body.addWidget(side_scroll, 1)
        outer.addLayout(body, 1)

    def _header(self) -> Any:
        frame, layout = card(vertical=False)
        text = vbox(spacing=4)
        self.enterprise_label = label(None, role="title")
        self.details_label = label(None, role="muted")
        text.addWidget(self.enterprise_label)
        text.addWidget(self.details_label)
        layout.addLayout(text, 1)
        self.timer_label = label(None, role="timer", wrap=False)
        self.binder.name(self.timer_label, Text("检查计时", "Visit timer"))
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.timer = RunningTimer(self.timer_label, self._resync)
        layout.addWidget(self.timer_label)
        return frame

    def _side(self) -> QWidget:
        holder = QWidget()
        side = vbox(holder, spacing=12)
        self.check_out_button = button(self.binder, Text("签退", "Check out"), role="huge")
        self.check_out_button.clicked.connect(self._check_out)
        side.addWidget(self.check_out_button)
        notes, layout = card()
        layout.addWidget(label(self.binder, Text("备注", "Notes"), role="heading"))
        self.note_edit = line_edit(self.binder, Text("添加备注", "Add a note"))
        self.note_edit.returnPressed.connect(self._add_note)
        self.note_button = button(self.binder, Text("添加备注", "Add note"))
        self.note_button.clicked.connect(self._add_note)
        self.notes_list = QListWidget()
        self.binder.name(self.notes_list, Text("备注列表", "Notes"))
        self.notes_list.setWordWrap(True)
        self.notes_list.setMinimumHeight(120)
        self.notes_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for widget in (self.note_edit, self.note_button, self.notes_list):
            layout.addWidget(widget)
        side.addWidget(notes, 1)
        self.message = MessageLine(self.binder)
        side.addWidget(self.message)
        self.abandon_edit = line_edit(self.binder, Text("放弃原因（如企业停产）",
                                                        "Reason to abandon (e.g. site closed)"))
        self.abandon_button = button(self.binder, Text("放弃此次检查", "Abandon this visit"),
                                     role="danger")
        self.abandon_button.clicked.connect(self._abandon)
        side.addWidget(self.abandon_edit)
        side.addLayout(row(self.abandon_button))
        return holder

    # -- entering --------------------------------------------------------------------

    def enter(self, visit_id: str | None = None, **_: Any) -> None:
        if visit_id is None:
            self.ctx.nav.go("home")
            return
        self.message.clear()
        self.abandon_edit.clear()
        if self.view is None or self.view.visit.id != visit_id:
            self.enterprise_label.setText("")
            self.timer_label.setText("")
        self.run(lambda ws: load_visit_view(ws, visit_id), self._show, self.shown_in(self.message))

    def leave(self) -> None:
        self.timer.stop()

    def _show(self, view: VisitView) -> None:
        if not view.visit.is_open:
            self.ctx.nav.go("checkout", visit_id=view.visit.id)
            return
        self.view = view
        self._show_header(view.visit)
        self.timer.start_from(view.seconds)
        self.form.load(view.visit.id, view.outcomes, self._department_name)
        self.notes_list.clear()
        self.notes_list.addItems(view.visit.notes)

    def _show_header(self, visit: Visit) -> None:
        profile, lang = self.ctx.profile, self.ctx.lang.lang
        kind = profile.visit_kind(visit.kind) if profile else None
        self.enterprise_label.setText(visit.enterprise.name or visit.enterprise.uscc)
        self.details_label.setText(f"{kind.name.render(lang) if kind else visit.kind} · "
                                   f"{visit.reason} · {visit.enterprise.uscc}")

    def _department_name(self, department_id: str) -> Text:
        profile = self.ctx.profile
        department = profile.department(department_id) if profile else None
        return department.name.as_text() if department else Text(department_id, department_id)

    def language_changed(self, lang: str) -> None:
        if self.view is not None:
            self._show_header(self.view.visit)

    def _resync(self) -> None:
        if self.view is not None and self.isVisible():
            visit_id = self.view.visit.id
            self.run(lambda ws: load_visit_view(ws, visit_id),
                     lambda view: self.timer.start_from(view.seconds))

    # -- recording ---------------------------------------------------------------------

    def _answer(self, template_id: str, item_id: str, value: Any) -> None:
        signer, view = self.ctx.session.signer, self.view
        if signer is None or view is None:
            return
        visit_id = view.visit.id
        self.message.clear()

        def refused(error: BaseException) -> None:
            self.shown_in(self.message)(error)
            self.form.redraw()  # a refused tap must not look recorded

        self.run(lambda ws: answer(ws, signer, visit_id, template_id, item_id, value),
                 self.form.update_state, refused)

    def _add_note(self) -> None:
        signer, view, text = self.ctx.session.signer, self.view, self.note_edit.text()
        if signer is None or view is None:
            return
        visit_id = view.visit.id

        def add(ws: Workspace) -> Visit:
            from inspector_app.recorder import VisitRecorder

            return VisitRecorder(ws).add_note(signer, visit_id, text)

        def added(visit: Visit) -> None:
            self.note_edit.clear()
            self.notes_list.clear()
            self.notes_list.addItems(visit.notes)

        self.run(add, added, self.shown_in(self.message))

    def _check_out(self) -> None:
        if self.view is not None:
            self.ctx.nav.go("checkout", visit_id=self.view.visit.id)

    def _abandon(self) -> None:
        signer, view, reason = self.ctx.session.signer, self.view, self.abandon_edit.text()
        if signer is None or view is None:
            return
        visit_id = view.visit.id

        def abandon(ws: Workspace) -> Visit:
            from inspector_app.recorder import VisitRecorder

            return VisitRecorder(ws).abandon(signer, visit_id, reason)

        self.run(abandon, lambda _: self.ctx.nav.go("home"), self.shown_in(self.message))
