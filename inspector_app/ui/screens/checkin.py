"""Check-in: who, where, why — with the enterprise's recent visits and the frequency warning.

The warning is computed offline (local ledger plus the history cached at the
last sync) as soon as the enterprise and kind are known, so the officer sees
it before signing.  It never blocks: it asks for a justification, recorded in
the signed check-in.  Kinds that need two officers show the co-officer, who
types their own passphrase on this tablet; a colleague not yet enrolled here
enrols in the same card, without leaving the check-in.

The reason is one tap on a row of large choices (a drop-down's arrow is too small
for a glove).  A reason from the profile is stored by its Chinese wording, its
identity whatever language the form was shown in, and shown in the reader's
language; a reason the officer types is stored as typed.  The check-in and cancel
buttons sit below the scrolling form, so a long warning never pushes them away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QWidget,
)

from inspector_app.services import visit_start
from inspector_app.services.names import legal_basis_text
from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.screen import Screen
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.widgets import (
    MessageLine,
    button,
    card,
    label,
    line_edit,
    vbox,
)
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.domain.location import Location
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.visit_start import CheckInBackground


#: The "other" choice of the reason and legal-basis lists.
OTHER = "\x00other"
#: The legal basis "none given" (a survey or a courtesy call cites no enforcement article).
NO_BASIS = "\x00none"


class CheckInScreen(Screen):
    title = Text("签到", "Check in")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.enterprise: EnterpriseChoice | None = None
        self.background: CheckInBackground | None = None
        self.reason_value: str | None = None
        columns = self.columns()
        left = vbox(spacing=16)
        left.addWidget(self._enterprise_card())
        left.addWidget(self._history_card(), 1)
        columns.add(left, 2, stacked_stretch=1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._form())
        self.form_scroll = scroll
        columns.add(scroll, 3, stacked_stretch=2)
        self.message = MessageLine(self.binder)
        self.check_in_button = button(self.binder, Text("签到并开始计时", "Check in and start the timer"),
                                      role="primary")
        self.check_in_button.clicked.connect(self.submit)
        self.cancel_button = button(self.binder, Text("取消", "Cancel"))
        self.cancel_button.clicked.connect(self.back)
        self.add_action_bar(self.message, self.check_in_button, self.cancel_button)

    def primary_action(self) -> QWidget:
        return self.check_in_button

    def _enterprise_card(self) -> Any:
        frame, layout = card()
        self.name_label = label(None, role="title")
        self.uscc_label = label(None)
        self.badge_label = MessageLine(self.binder)
        for widget in (self.name_label, self.uscc_label, self.badge_label):
            layout.addWidget(widget)
        return frame

    def _history_card(self) -> Any:
        frame, layout = card()
        layout.addWidget(label(self.binder, Text("近期在该企业的检查", "Recent visits at this enterprise"),
                               role="heading"))
        self.freshness_label = label(None, role="muted")
        self.history_list = QListWidget()
        self.binder.name(self.history_list, Text("近期检查列表", "Recent visits"))
        self.history_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history_list.setMinimumHeight(100)
        layout.addWidget(self.freshness_label)
        layout.addWidget(self.history_list, 1)
        return frame

    def _form(self) -> QWidget:
        holder = QWidget()
        layout = vbox(holder, spacing=14)
        frame, form_layout = card()
        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.kind_combo = QComboBox()
        self.binder.name(self.kind_combo, Text("检查类型", "Visit kind"))
        self.kind_combo.currentIndexChanged.connect(lambda _: self._kind_changed())
        self.legal_combo = QComboBox()
        self.binder.name(self.legal_combo, Text("法律依据", "Legal basis"))
        self.legal_combo.currentIndexChanged.connect(lambda _: self._legal_changed())
        self.legal_other = line_edit(self.binder, Text("填写法律依据", "Type the legal basis"))
        self.legal_other.hide()
        form.addRow(label(self.binder, Text("检查类型", "Kind"), wrap=False), self.kind_combo)
        form_layout.addLayout(form)
        form_layout.addWidget(label(self.binder, Text("事由（点选一项）", "Reason (tap one)"),
                                    role="heading"))
        self.reason_holder = QWidget()
        self.reason_row = FlowLayout(self.reason_holder)
        self.reason_group = QButtonGroup(self)
        self.reason_group.setExclusive(True)
        self.reason_buttons: dict[str, QPushButton] = {}
        form_layout.addWidget(self.reason_holder)
        self.reason_other = line_edit(self.binder, Text("填写事由", "Type the reason"))
        self.reason_other.hide()
        form_layout.addWidget(self.reason_other)
        basis = QFormLayout()
        basis.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        basis.addRow(label(self.binder, Text("法律依据", "Legal basis"), wrap=False), self.legal_combo)
        form_layout.addLayout(basis)
        form_layout.addWidget(self.legal_other)
        form_layout.addWidget(label(self.binder, Text("检查表", "Checklists"), role="heading"))
        self.industry_label = label(None, role="muted")
        form_layout.addWidget(self.industry_label)
        self.template_holder = QWidget()
        self.template_row = FlowLayout(self.template_holder)
        self.template_buttons: dict[str, QPushButton] = {}
        #: The officer's own choices, by template id, kept while the kind stays the same.
        self.template_choice: dict[str, bool] = {}
        form_layout.addWidget(self.template_holder)
        self.location_label = label(None, role="muted")
        self.binder.name(self.location_label, Text("签到位置", "Check-in position"))
        form_layout.addWidget(self.location_label)
        layout.addWidget(frame)
        layout.addWidget(self._warning_card())
        layout.addWidget(self._co_officer_card())
        layout.addStretch(1)
        return holder

    def _warning_card(self) -> Any:
        self.warning_frame, layout = card()
        self.warning_label = MessageLine(self.binder)
        self.justification_edit = line_edit(self.binder, Text("继续检查的理由（必填）",
                                                              "Why this visit goes ahead (required)"))
        layout.addWidget(self.warning_label)
        layout.addWidget(self.justification_edit)
        self.warning_frame.hide()
        return self.warning_frame

    def _co_officer_card(self) -> Any:
        self.co_frame, layout = card()
        self.co_label = label(None)
        self.co_combo = QComboBox()
        self.binder.name(self.co_combo, Text("共同执法人员", "Co-officer"))
        self.co_combo.currentIndexChanged.connect(lambda _: self._co_changed())
        self.co_pass = line_edit(self.binder, Text("共同执法人员的密码", "Co-officer's passphrase"))
        self.co_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.co_pass.returnPressed.connect(self.submit)
        self.co_enrol_button = button(self.binder, Text("第二名执法人员不在列表中？在此登记",
                                                        "Second officer not listed? Enrol here"))
        self.co_enrol_button.clicked.connect(lambda: self._show_co_enrolment(None, force=True))
        for widget in (self.co_label, self.co_combo, self.co_pass, self.co_enrol_button):
            layout.addWidget(widget)
        layout.addWidget(self._co_enrolment())
        return self.co_frame

    def _co_enrolment(self) -> QWidget:
        """Enrol the second officer on this tablet without leaving the check-in."""
        self.co_enrol_frame = QWidget()
        layout = vbox(self.co_enrol_frame, spacing=10)
        layout.addWidget(label(self.binder, Text(
            "登记第二名执法人员：由其本人设置密码（至少 6 位）。",
            "Enrol the second officer: they choose their own passphrase (6 characters or more)."),
            role="heading"))
        self.co_enrol_credential = line_edit(self.binder, Text("执法证号", "Credential number"))
        self.co_enrol_name = line_edit(self.binder, Text("姓名", "Name"))
        self.co_enrol_department = QComboBox()
        self.binder.name(self.co_enrol_department, Text("部门", "Department"))
        self.co_enrol_pass = line_edit(self.binder, Text("设置密码", "New passphrase"))
        self.co_enrol_repeat = line_edit(self.binder, Text("再次输入密码", "Repeat the passphrase"))
        for field in (self.co_enrol_pass, self.co_enrol_repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.co_enrol_repeat.returnPressed.connect(self.enrol_co_officer)
        grid = QGridLayout()
        grid.setSpacing(10)
        grid.addWidget(self.co_enrol_credential, 0, 0)
        grid.addWidget(self.co_enrol_name, 0, 1)
        grid.addWidget(self.co_enrol_department, 1, 0, 1, 2)
        grid.addWidget(self.co_enrol_pass, 2, 0)
        grid.addWidget(self.co_enrol_repeat, 2, 1)
        layout.addLayout(grid)
        self.co_enrol_confirm = button(self.binder, Text("登记并作为共同执法人员",
                                                         "Enrol as the co-officer"), role="primary")
        self.co_enrol_confirm.clicked.connect(self.enrol_co_officer)
        self.co_enrol_cancel = button(self.binder, Text("取消登记", "Cancel enrolment"))
        self.co_enrol_cancel.clicked.connect(self.co_enrol_frame.hide)
        flow_holder = QWidget()
        flow = FlowLayout(flow_holder)
        flow.addWidget(self.co_enrol_confirm)
        flow.addWidget(self.co_enrol_cancel)
        layout.addWidget(flow_holder)
        self.co_enrol_message = MessageLine(self.binder)
        layout.addWidget(self.co_enrol_message)
        self.co_enrol_frame.hide()
        return self.co_enrol_frame

    # -- entering ---------------------------------------------------------------------

    def enter(self, enterprise: EnterpriseChoice | None = None, **_: Any) -> None:
        if enterprise is None:
            self.ctx.nav.go("home")
            return
        self.enterprise = enterprise
        self.background = None
        self.message.clear()
        self.justification_edit.clear()
        self.co_pass.clear()
        self.co_enrol_frame.hide()
        self.template_choice = {}
        # Every check-in chooses its own reason: the last visit's is not carried over.
        self.reason_value = None
        self.reason_other.clear()
        self.legal_other.clear()
        self.legal_combo.setProperty("chosen", None)
        self._fill_choices()
        self._show_enterprise()
        self.kind_combo.setFocus()
        self._watch_position()
        self._load_background()

    def resume(self, **params: Any) -> None:
        """After an unlock: the form as it was (kind, reason, co-officer), fresh background."""
        if self.enterprise is None:
            self.ctx.nav.go("home")
            return
        self._watch_position()
        self._load_background()

    def leave(self) -> None:
        if self.ctx.position is not None:
            self.ctx.position.stop()

    def _watch_position(self) -> None:
        """Listen for fixes while the screen is shown; never wait for one."""
        from inspector_app.ui.positioning import PositionWatcher

        mode = self.ctx.preferences.location_source
        if self.ctx.position is None or self.ctx.position.mode != mode:
            if self.ctx.position is not None:
                self.ctx.position.stop()
            self.ctx.position = PositionWatcher(mode)
            self.ctx.position.changed.connect(self._show_position)
        self.ctx.position.start()
        self._show_position(self.ctx.position.latest())

    def _show_position(self, fix: Location | None) -> None:
        from inspector_app.ui.positioning import location_text

        if self.ctx.position is not None:
            fix = self.ctx.position.latest()  # the freshest known, not a stale signal
        zh, en = location_text(fix)
        self.binder.text(self.location_label, Text(zh, en))

    def back(self) -> None:
        self.ctx.nav.go("scan", purpose="checkin")

    def _fill_choices(self) -> None:
        profile, lang = self.ctx.profile, self.ctx.lang.lang
        assert profile is not None
        current_kind = self.kind_combo.currentData()
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind in profile.visit_kinds:
            suffix = "" if kind.is_enforcement else self.tr(Text("（非执法类）", " (non-enforcement)"))
            self.kind_combo.addItem(kind.name.render(lang) + suffix, kind.id)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(current_kind)))
        self.kind_combo.blockSignals(False)
        self._fill_reasons()
        self._fill_legal_bases()

    def _fill_reasons(self) -> None:
        """One large checkable button per profile reason, then "other"."""
        profile = self.ctx.profile
        assert profile is not None
        if not self.reason_buttons:
            choices = [(r.zh, r) for r in profile.reasons]
            choices.append((OTHER, Text("其他事由…", "Other reason…")))
            for value, text in choices:
                widget = button(self.binder, text, checkable=True)
                widget.clicked.connect(lambda _=False, v=value: self._reason_chosen(v))
                self.reason_group.addButton(widget)
                self.reason_row.addWidget(widget)
                self.reason_buttons[value] = widget
        self.reason_group.setExclusive(False)
        for value, widget in self.reason_buttons.items():
            widget.setChecked(value == self.reason_value)
        self.reason_group.setExclusive(True)
        self.reason_other.setVisible(self.reason_value == OTHER)

    def _reason_chosen(self, value: str) -> None:
        self.reason_value = value
        other = value == OTHER
        self.reason_other.setVisible(other)
        if other:
            self.reason_other.setFocus()
        elif self.co_pass.isVisibleTo(self) and not self.co_pass.text():
            self.co_pass.setFocus()  # the next thing to fill in: no tap to find the field
        else:
            self.check_in_button.setFocus()

    def reason_text(self) -> str:
        if self.reason_value == OTHER:
            return self.reason_other.text().strip()
        return self.reason_value or ""

    def _fill_legal_bases(self) -> None:
        """The kind's bases first, then the profile's; "none" preselected for a visit that is
        not enforcement (a survey cites no penalty article)."""
        profile, lang = self.ctx.profile, self.ctx.lang.lang
        assert profile is not None
        kind = profile.visit_kind(self.kind_combo.currentData() or "")
        chosen = self.legal_combo.property("chosen")
        self.legal_combo.blockSignals(True)
        self.legal_combo.clear()
        seen: set[str] = set()
        for basis in kind.legal_bases if kind else ():
            shown = legal_basis_text(profile, basis)
            self.legal_combo.addItem(shown.render(lang), shown.zh)
            seen.add(shown.zh)
        if kind is None or kind.is_enforcement:
            for text in profile.legal_bases:
                if text.zh not in seen:
                    self.legal_combo.addItem(text.render(lang), text.zh)
        self.legal_combo.addItem(self.tr(Text("（不引用）", "(none)")), NO_BASIS)
        self.legal_combo.addItem(self.tr(Text("其他（手动填写）…", "Other (type it)…")), OTHER)
        default = 0 if kind is not None and kind.legal_bases else self.legal_combo.findData(NO_BASIS)
        index = self.legal_combo.findData(chosen) if chosen is not None else -1
        self.legal_combo.setCurrentIndex(index if index >= 0 else default)
        self.legal_combo.blockSignals(False)
        self.legal_other.setVisible(self.legal_combo.currentData() == OTHER)

    def _legal_changed(self) -> None:
        value = self.legal_combo.currentData()
        self.legal_combo.setProperty("chosen", value)
        self.legal_other.setVisible(value == OTHER)
        if value == OTHER:
            self.legal_other.setFocus()

    def legal_basis(self) -> str | None:
        value = self.legal_combo.currentData()
        if value == OTHER:
            return self.legal_other.text().strip() or None
        return None if value in (NO_BASIS, None) else str(value)

    def _show_enterprise(self) -> None:
        enterprise = self.enterprise
        assert enterprise is not None
        self.name_label.setText(enterprise.name or self.tr(
            Text("（企业不在本地名录中）", "(enterprise not in the local registry)")))
        self.uscc_label.setText(self.tr(Text("统一社会信用代码：{u}", "USCC: {u}").format(
            u=enterprise.uscc)))
        self.badge_label.show_text({"signed": "ok", "legacy": "warn"}.get(enterprise.code, "warn"),
                                   enterprise.badge)

    def language_changed(self, lang: str) -> None:
        if self.enterprise is not None and self.ctx.profile is not None:
            self._fill_choices()
            self._show_enterprise()
            self._show_background()

    # -- background: history, warning, co-officers -------------------------------------

    def _kind_changed(self) -> None:
        self.template_choice = {}  # another kind, other checklists
        self.legal_combo.setProperty("chosen", None)  # a new kind: its own default basis
        self._fill_legal_bases()
        self._load_background()

    def _load_background(self) -> None:
        officer = self.ctx.session.officer
        if self.enterprise is None or officer is None or self.kind_combo.currentData() is None:
            return
        uscc, kind, me = self.enterprise.uscc, self.kind_combo.currentData(), officer.credential
        self.run(lambda ws: visit_start.check_in_background(ws, uscc, kind, me), self._got_background,
                 self.shown_in(self.message))

    def _got_background(self, background: CheckInBackground) -> None:
        self.background = background
        self._show_background()

    def _show_background(self) -> None:
        background, profile = self.background, self.ctx.profile
        if background is None or profile is None:
            return
        self._show_history(background)
        self._show_templates(background)
        assessment = background.assessment
        self.warning_frame.setVisible(assessment.warned)
        if assessment.warned:
            self.warning_label.show_text("warn", assessment.text())
        kind = profile.visit_kind(self.kind_combo.currentData() or "")
        needs_two = bool(kind and kind.requires_two_officers)
        self.co_frame.setVisible(needs_two)
        chosen = self.co_combo.currentData()
        self.co_combo.blockSignals(True)
        self.co_combo.clear()
        for credential, name in background.co_officers:
            self.co_combo.addItem(f"{name}  {credential}", credential)
        for credential, name, _department in background.not_enrolled:
            self.co_combo.addItem(self.tr(Text("{n}  {c}（未在本设备登记：选此登记）",
                                               "{n}  {c} (not enrolled here: choose to enrol)")
                                          .format(n=name, c=credential)), f"enrol:{credential}")
        self.co_combo.setCurrentIndex(max(0, self.co_combo.findData(chosen)))
        self.co_combo.blockSignals(False)
        self.co_label.setText(self.tr(Text(
            "执法检查须两名执法人员（《行政处罚法》第四十二条）：请第二名执法人员选择姓名并输入自己的密码。",
            "Enforcement needs two officers (Administrative Penalty Law, art. 42): the second "
            "officer chooses their name and types their own passphrase.") if background.co_officers
            else Text(
            "执法检查须两名执法人员，但本设备上没有其他已登记的执法人员：请第二名执法人员在下方登记。",
            "Enforcement needs two officers, but no other officer is enrolled on this tablet: "
            "the second officer enrols below.")))
        self._co_changed()

    def _show_templates(self, background: CheckInBackground) -> None:
        """The department's checklists for this kind, those fitting the enterprise's
        industry chosen; a tap adds or drops one."""
        for widget in self.template_buttons.values():
            self.template_row.removeWidget(widget)
            widget.deleteLater()
        self.template_buttons = {}
        for offered in background.templates:
            template_id = str(offered.ref["id"])
            widget = button(self.binder, offered.title, checkable=True)
            widget.setChecked(self.template_choice.get(template_id, offered.chosen))
            widget.toggled.connect(
                lambda on, t=template_id: self.template_choice.__setitem__(t, on))
            self.template_row.addWidget(widget)
            self.template_buttons[template_id] = widget
        self.industry_label.setText(self.tr(
            Text("按企业行业（{i}）预选；点按可增减。", "Chosen for the enterprise's industry ({i}); "
                 "tap to add or drop one.").format(i=background.industry) if background.industry
            else Text("企业行业未知：全部列出；点按可去掉不适用的。",
                      "The enterprise's industry is not known: all are listed; tap to drop one.")))

    def chosen_templates(self) -> tuple[dict[str, Any], ...] | None:
        background = self.background
        if background is None:
            return None
        return tuple(o.ref for o in background.templates
                     if self.template_buttons.get(str(o.ref["id"])) is not None
                     and self.template_buttons[str(o.ref["id"])].isChecked())

    def _show_history(self, background: CheckInBackground) -> None:
        from inspector_app.services.visit_log import local_time_text

        profile, lang = self.ctx.profile, self.ctx.lang.lang
        assert profile is not None
        assessment = background.assessment
        self.history_list.clear()
        for past in assessment.visits:
            department = profile.department(past.department)
            kind = profile.visit_kind(past.kind)
            source = self.tr(Text("本机", "this tablet") if past.source == "local"
                             else Text("中心", "central"))
            self.history_list.addItem(
                f"{local_time_text(past.checked_in_ms)}  ·  "
                f"{kind.name.render(lang) if kind else past.kind}\n"
                f"{department.name.render(lang) if department else past.department}  ·  {source}")
        if not assessment.visits:
            self.history_list.addItem(self.tr(Text("近 {d} 天内没有检查记录。",
                                                   "No visits in the last {d} days.")
                                              .format(d=assessment.rule.window_days)))
        synced = background.history_synced_ms
        self.freshness_label.setText(self.tr(
            Text("本机记录为实时；中心历史更新于 {t}。", "This tablet's records are live; central "
                 "history as of {t}.").format(t=local_time_text(synced)) if synced else
            Text("本机记录为实时；尚无中心历史（从未同步），其他设备的检查可能未计入。",
                 "This tablet's records are live; no central history yet (never synced), so "
                 "visits recorded on other tablets may be missing.")))
        gate = background.gate
        if gate is not None and gate.reason != "not_enrolled":  # the gate look-up's source
            from inspector_app.services.gate_check import gate_note

            self.freshness_label.setText(f"{self.freshness_label.text()}\n{self.tr(gate_note(gate))}")

    # -- the co-officer ----------------------------------------------------------------

    def _co_credential(self) -> str | None:
        value = self.co_combo.currentData()
        return None if value is None or str(value).startswith("enrol:") else str(value)

    def _co_changed(self) -> None:
        value = self.co_combo.currentData()
        background = self.background
        if value is not None and str(value).startswith("enrol:") and background is not None:
            credential = str(value)[len("enrol:"):]
            found = next((o for o in background.not_enrolled if o[0] == credential), None)
            self._show_co_enrolment(found, force=True)
        elif background is not None and not background.co_officers:
            self._show_co_enrolment(None)
        self.co_pass.setVisible(self._co_credential() is not None)

    def _show_co_enrolment(self, officer: tuple[str, str, str] | None, *,
                           force: bool = False) -> None:
        """Open the enrolment in the co-officer card (pre-filled for a provisioned colleague);
        left as it is when already open, unless ``force``."""
        profile = self.ctx.profile
        if self.co_enrol_frame.isVisibleTo(self) and not force:
            return
        self.co_enrol_message.clear()
        self.co_enrol_department.clear()
        for department in profile.departments if profile else ():
            self.co_enrol_department.addItem(department.name.render(self.ctx.lang.lang),
                                             department.id)
        credential, name, department_id = officer or ("", "", None)
        self.co_enrol_credential.setText(credential)
        self.co_enrol_name.setText(name)
        own = self.ctx.session.officer
        wanted = department_id or (own.department if own else None)
        self.co_enrol_department.setCurrentIndex(max(0, self.co_enrol_department.findData(wanted)))
        self.co_enrol_pass.clear()
        self.co_enrol_repeat.clear()
        self.co_enrol_frame.show()

    def enrol_co_officer(self) -> None:
        from inspector_protocol.errors import UserError

        officer, enterprise = self.ctx.session.officer, self.enterprise
        if officer is None or enterprise is None:
            return
        passphrase = self.co_enrol_pass.text()
        if passphrase != self.co_enrol_repeat.text():
            self.co_enrol_message.show_error(UserError(Text("两次输入的密码不一致。",
                                                            "The passphrases differ.")))
            return
        credential = self.co_enrol_credential.text().strip()
        name, department = self.co_enrol_name.text().strip(), self.co_enrol_department.currentData()
        uscc, kind, me = enterprise.uscc, self.kind_combo.currentData(), officer.credential
        self.co_enrol_confirm.setEnabled(False)

        def enrolled(background: CheckInBackground) -> None:
            self.co_enrol_confirm.setEnabled(True)
            self.co_enrol_frame.hide()
            self.background = background
            self._show_background()
            self.co_combo.setCurrentIndex(max(0, self.co_combo.findData(credential)))
            # They have just typed it twice: the co-signature needs no third time.
            self.co_pass.setText(passphrase)
            self.co_enrol_pass.clear()
            self.co_enrol_repeat.clear()
            self.message.show_text("ok", Text("{n} 已登记，可作为共同执法人员签名。",
                                              "{n} is enrolled and co-signs this check-in.")
                                   .format(n=name))
            self.check_in_button.setFocus()

        def refused(error: BaseException) -> None:
            self.co_enrol_confirm.setEnabled(True)
            self.shown_in(self.co_enrol_message)(error)

        self.run(lambda ws: visit_start.enrol_co_officer(ws, uscc, kind, me, credential, name,
                                                         passphrase, department),
                 enrolled, refused)

    # -- signing -------------------------------------------------------------------------

    def submit(self) -> None:
        signer, enterprise = self.ctx.session.signer, self.enterprise
        if signer is None or enterprise is None:
            return
        if not self.reason_text():
            self.message.show_text("error", Text("请点选检查事由。", "Tap the reason for the visit."))
            return
        form = visit_start.CheckInForm(
            uscc=enterprise.uscc, name=enterprise.name, code=enterprise.code,
            kind=self.kind_combo.currentData(), reason=self.reason_text(),
            legal_basis=self.legal_basis(),
            justification=self.justification_edit.text() or None,
            co_officer=self._co_credential() if self.co_frame.isVisibleTo(self) else None,
            co_passphrase=self.co_pass.text(),
            location=self.ctx.position.latest() if self.ctx.position is not None else None,
            templates=self.chosen_templates())
        self.message.clear()
        self.check_in_button.setEnabled(False)
        self.run(lambda ws: visit_start.record_check_in(ws, signer, form), self._checked_in, self._refused)

    def _checked_in(self, visit: Visit) -> None:
        self.check_in_button.setEnabled(True)
        self.co_pass.clear()
        self.ctx.nav.go("visit", visit_id=visit.id)

    def _refused(self, error: BaseException) -> None:
        from inspector_app.services.recorder import JustificationRequired

        self.check_in_button.setEnabled(True)
        if isinstance(error, JustificationRequired):
            self.warning_frame.show()
            self.warning_label.show_text("warn", error.assessment.text())
            self.message.show_text("error", Text("请填写继续检查的理由。",
                                                 "Please give the justification."))
            self.justification_edit.setFocus()
            return
        self.shown_in(self.message)(error)
