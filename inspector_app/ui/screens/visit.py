"""Visit in progress: the running timer, the one form, evidence, rectifications, check-out.

The timer is derived from the check-in event and the clocks now, so it shows
the right time after the app (or the tablet) restarts.  Everything recorded
here (answers, photos, rectifications, a joining department, notes) is one
signed event, written on the worker; the screen redraws from what was stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QScrollArea, QWidget

from inspector_app.services.visit_view import VisitView, abandon_visit, load_visit_view
from inspector_app.ui.checklist_form import ChecklistForm
from inspector_app.ui.evidence_card import EvidenceCard
from inspector_app.ui.joint_card import JointVisitCard
from inspector_app.ui.rectification_card import RectificationCard
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import RunningTimer
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.checklists import TemplateOutcome
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.officer_code import OfficerCode
    from inspector_app.services.visit_view import PhotoTarget
    from inspector_app.services.workspace import Workspace
    from inspector_app.ui.context import SourceFactory
    from inspector_app.ui.officer_code_view import OfficerCodeView
    from inspector_protocol.keys import Signer

__all__ = ["VisitScreen", "VisitView", "load_visit_view"]


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


class VisitScreen(Screen):
    title = Text("检查进行中", "Visit in progress")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.view: VisitView | None = None
        self.code_view: OfficerCodeView | None = None
        outer = vbox(self, margins=20, spacing=14)
        outer.addWidget(self._header())
        from inspector_app.ui.adaptive import AdaptiveColumns

        body = AdaptiveColumns(margins=(0, 0), spacing=16)
        self.form = ChecklistForm(self.binder, self._answer, self._photo_for_item)
        ctx.session.locking.connect(self._locking)
        self.form_scroll = _scroll(self.form)
        self.binder.name(self.form_scroll, Text("一表通查检查表", "The one form"))
        body.add(self.form_scroll, 3, stacked_stretch=3)
        self.side_scroll = side = _scroll(self._side())
        self.binder.name(side, Text("签退、照片、整改、联合检查与备注",
                                    "Check-out, photos, rectifications, joint visit and notes"))
        body.add(side, 2, stacked_stretch=2)
        outer.addWidget(body, 1)

    def primary_action(self) -> QWidget:
        return self.check_out_button

    def _header(self) -> Any:
        """Who and how long on one side, 亮码 and check-out on the other; on a portrait
        tablet the buttons take a second row rather than squeezing their words."""
        from inspector_app.ui.adaptive import AdaptiveColumns

        frame, layout = card(vertical=False)
        columns = AdaptiveColumns(margins=(0, 0), spacing=12, stack_below=1000,
                                  height_is_free=False)
        layout.addWidget(columns)
        info = QHBoxLayout()
        text = vbox(spacing=4)
        self.enterprise_label = label(None, role="title")
        self.details_label = label(None, role="muted")
        text.addWidget(self.enterprise_label)
        text.addWidget(self.details_label)
        info.addLayout(text, 1)
        self.timer_label = label(None, role="timer", wrap=False)
        self.binder.name(self.timer_label, Text("检查计时", "Visit timer"))
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.timer = RunningTimer(self.timer_label, self._resync)
        info.addWidget(self.timer_label)
        self.code_button = button(self.binder, Text("亮码", "My code"), role="huge",
                                  name=Text("亮码入企：出示执法人员身份码",
                                            "Show my officer code to the guard"))
        self.code_button.setMinimumWidth(160)  # "亮码" is two characters; the target is not
        self.code_button.clicked.connect(self.show_code)
        # Check-out is in the header, beside the timer: never scrolled away with the form.
        self.check_out_button = button(self.binder, Text("签退", "Check out"), role="huge")
        self.check_out_button.setMinimumWidth(160)
        self.check_out_button.clicked.connect(self._check_out)
        actions = QHBoxLayout()
        actions.setSpacing(12)
        actions.addWidget(self.code_button)
        actions.addWidget(self.check_out_button)
        columns.add(info, 1)
        columns.add(actions)
        return frame

    def _side(self) -> QWidget:
        holder = QWidget()
        side = vbox(holder, spacing=12)
        self.message = MessageLine(self.binder)
        side.addWidget(self.message)
        self.evidence = EvidenceCard(self.binder, self._record_photo, self.tr)
        self.evidence.camera_button.clicked.connect(self.open_camera)
        self.rectifications = RectificationCard(self.binder, self._record_rectification, self.tr)
        self.joint = JointVisitCard(self.binder, self._add_department, self.tr)
        for widget in (self.evidence, self.rectifications, self.joint, self._notes_card()):
            side.addWidget(widget)
        self.abandon_edit = line_edit(self.binder, Text("放弃原因（如企业停产）",
                                                        "Reason to abandon (e.g. site closed)"))
        self.abandon_button = button(self.binder, Text("放弃此次检查", "Abandon this visit"),
                                     role="danger")
        self.abandon_button.clicked.connect(self._abandon)
        side.addWidget(self.abandon_edit)
        side.addLayout(row(self.abandon_button))
        side.addStretch(1)
        return holder

    def _notes_card(self) -> Any:
        notes, layout = card()
        layout.addWidget(label(self.binder, Text("备注", "Notes"), role="heading"))
        self.note_edit = line_edit(self.binder, Text("添加备注", "Add a note"))
        self.note_edit.returnPressed.connect(self._add_note)
        self.note_button = button(self.binder, Text("添加备注", "Add note"))
        self.note_button.clicked.connect(self._add_note)
        self.notes_list = QListWidget()
        self.binder.name(self.notes_list, Text("备注列表", "Notes"))
        self.notes_list.setWordWrap(True)
        self.notes_list.setMinimumHeight(90)
        self.notes_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for widget in (self.note_edit, self.note_button, self.notes_list):
            layout.addWidget(widget)
        return notes

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
            self.evidence.aim(None, None)
        self.run(lambda ws: load_visit_view(ws, visit_id), self._show, self.shown_in(self.message))

    def leave(self) -> None:
        self.form.flush()  # nothing typed is lost by going elsewhere
        self.timer.stop()
        self.evidence.stop()
        if self.code_view is not None:
            self.code_view.hide()  # the code names the officer: never left behind on lock

    def _locking(self) -> None:
        if self.isVisible():
            self.form.flush()  # recorded under the key about to be dropped

    def back(self) -> None:
        """Escape closes the officer code first, then leaves as any screen does."""
        if self.code_view is not None and self.code_view.isVisible():
            self.code_view.hide()
        else:
            super().back()

    def _show(self, view: VisitView) -> None:
        if not view.visit.is_open:
            self.ctx.nav.go("checkout", visit_id=view.visit.id)
            return
        self.view = view
        self._show_header(view.visit)
        self.timer.start_from(view.seconds)
        self.form.load(view.visit.id, view.outcomes, self._department_name)
        self._show_side(view)

    def _show_side(self, view: VisitView) -> None:
        self.notes_list.clear()
        self.notes_list.addItems(view.visit.notes)
        self.evidence.show_photos(view.visit)
        self.rectifications.show_view(view)
        self.joint.show_visit(view.visit, self.ctx.profile)

    def _show_header(self, visit: Visit) -> None:
        profile, lang = self.ctx.profile, self.ctx.lang.lang
        kind = profile.visit_kind(visit.kind) if profile else None
        self.enterprise_label.setText(visit.enterprise.name or visit.enterprise.uscc)
        from inspector_app.services.names import reason_text

        reason = reason_text(profile, visit.reason, lang)
        self.details_label.setText(f"{kind.name.render(lang) if kind else visit.kind} · "
                                   f"{reason} · {visit.enterprise.uscc}")

    def _department_name(self, department_id: str) -> Text:
        profile = self.ctx.profile
        department = profile.department(department_id) if profile else None
        return department.name if department else Text(department_id, department_id)

    def language_changed(self, lang: str) -> None:
        if self.view is not None:
            self._show_header(self.view.visit)
            self._show_side(self.view)

    # -- the officer code (亮码入企) ---------------------------------------------------------

    def show_code(self) -> None:
        """Sign a fresh officer code for this visit on the worker, then show it full-screen."""
        from inspector_app.services.officer_code import Holder, issue_officer_code

        signer, officer, view = self.ctx.session.signer, self.ctx.session.officer, self.view
        if signer is None or officer is None or view is None:
            return
        holder = Holder(officer.credential, officer.name, officer.department)
        visit_id = view.visit.id
        self.message.clear()
        self.run(lambda ws: issue_officer_code(ws, signer, holder, visit_id), self._present_code,
                 self.shown_in(self.message))

    def _present_code(self, code: OfficerCode) -> None:
        from inspector_app.ui.officer_code_view import OfficerCodeView

        if not self.isVisible():
            return  # the officer left the screen (or the tablet locked) while it was signed
        if self.code_view is None:
            self.code_view = OfficerCodeView(self.window(), self.binder)
        self.code_view.present(code, self._code_details(code))

    def _code_details(self, code: OfficerCode) -> Text:
        profile, signed = self.ctx.profile, code.credential
        kind = profile.visit_kind(signed.visit_kind) if profile else None
        return Text("{dept} · {kind} · {reason}", "{dept} · {kind} · {reason}").format(
            dept=self._department_name(signed.department),
            kind=kind.name if kind else signed.visit_kind, reason=signed.reason)

    def _resync(self) -> None:
        if self.view is not None and self.isVisible():
            visit_id = self.view.visit.id
            self.run(lambda ws: load_visit_view(ws, visit_id),
                     lambda view: self.timer.start_from(view.seconds))

    # -- recording ---------------------------------------------------------------------

    def _record(self, job: Callable[[Workspace, Signer, str], VisitView],
                on_done: Callable[[VisitView], None] | None = None) -> None:
        """Run ``job(ws, signer, visit_id)`` on the worker, then redraw from the ledger."""
        signer, view = self.ctx.session.signer, self.view
        if signer is None or view is None:
            return
        visit_id = view.visit.id
        self.message.clear()

        def done(new: VisitView) -> None:
            self._show(new)
            if on_done is not None:
                on_done(new)

        self.run(lambda ws: job(ws, signer, visit_id), done, self.shown_in(self.message))

    def _answer(self, template_id: str, item_id: str, value: Any) -> None:
        from inspector_app.services.visit_view import answer

        signer, view = self.ctx.session.signer, self.view
        if signer is None or view is None:
            return
        visit_id = view.visit.id
        self.message.clear()

        def refused(error: BaseException) -> None:
            self.shown_in(self.message)(error)
            self.form.redraw()  # a refused tap must not look recorded

        def recorded(outcomes: tuple[TemplateOutcome, ...]) -> None:
            self.form.update_state(outcomes)
            self._refresh_side()

        self.run(lambda ws: answer(ws, signer, visit_id, template_id, item_id, value),
                 recorded, refused)

    def _refresh_side(self) -> None:
        """Findings changed: the rectification offers follow."""
        if self.view is not None:
            visit_id = self.view.visit.id
            self.run(lambda ws: load_visit_view(ws, visit_id), self._show_side_only)

    def _show_side_only(self, view: VisitView) -> None:
        self.view = view
        self._show_side(view)

    def _photo_for_item(self, template_id: str, item_id: str) -> None:
        """A photo item's button: the next photo is attached to that item."""
        editor = self.form.editors.get((template_id, item_id))
        self.evidence.aim((template_id, item_id), editor.item.title if editor else None)
        self.open_camera()

    def open_camera(self) -> None:
        if not self.ctx.cameras_known and not self.ctx.extra_sources:
            from inspector_app.services.cameras import find_cameras

            self.run(lambda ws: find_cameras(), self._cameras_found)
            return
        factory, fps = self._photo_source()
        self.evidence.capture.start(factory, self.tr, fps)

    def _cameras_found(self, cameras: list[Any]) -> None:
        self.ctx.cameras_known = True
        self.ctx.camera_index = cameras[0].index if cameras else None
        self.open_camera()

    def _photo_source(self) -> tuple[SourceFactory | None, float | None]:
        """A replay source offered by a test or demo, else the first camera, else none."""
        if self.ctx.extra_sources:
            return next(iter(self.ctx.extra_sources.values())), self.ctx.replay_fps
        if self.ctx.camera_index is not None:
            index = self.ctx.camera_index

            def camera() -> Any:
                from inspector_app.scanning.sources import CameraSource

                return CameraSource(index)

            return camera, None
        return None, None

    def _record_photo(self, data: bytes | Path, target: PhotoTarget | None,
                      caption: str | None) -> None:
        from inspector_app.services.visit_view import record_photo

        self.evidence.capture.stop()
        self._record(lambda ws, signer, visit_id: record_photo(ws, signer, visit_id, data, target,
                                                               caption),
                     lambda view: self.evidence.recorded(view.visit))

    def _record_rectification(self, requirement: str, deadline: dt.date,
                              item: str | None) -> None:
        from inspector_app.services.visit_view import record_rectification

        self._record(lambda ws, signer, visit_id: record_rectification(
            ws, signer, visit_id, requirement, deadline, item))

    def _add_department(self, department: str) -> None:
        from inspector_app.services.visit_view import add_department

        self._record(lambda ws, signer, visit_id: add_department(ws, signer, visit_id,
                                                                 department))

    def _add_note(self) -> None:
        from inspector_app.services.visit_view import add_note

        text = self.note_edit.text()
        self._record(lambda ws, signer, visit_id: add_note(ws, signer, visit_id, text),
                     lambda _: self.note_edit.clear())

    def _check_out(self) -> None:
        self.form.flush()  # recorded before the check-out screen counts what is missing
        if self.view is not None:
            self.ctx.nav.go("checkout", visit_id=self.view.visit.id)

    def _abandon(self) -> None:
        signer, view, reason = self.ctx.session.signer, self.view, self.abandon_edit.text()
        if signer is None or view is None:
            return
        visit_id = view.visit.id
        self.run(lambda ws: abandon_visit(ws, signer, visit_id, reason),
                 lambda _: self.ctx.nav.go("home"), self.shown_in(self.message))
