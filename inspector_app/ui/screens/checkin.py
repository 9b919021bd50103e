"""Check-in: who, where, why — with the enterprise's recent visits and the frequency warning.

The warning is computed offline (local ledger plus the history cached at the
last sync) as soon as the enterprise and kind are known, so the officer sees
it before signing.  It never blocks: it asks for a justification, recorded in
the signed check-in.  Kinds that need two officers show the co-officer, who
types their own passphrase on this tablet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QWidget,
)

from inspector_app.services import visit_start
from inspector_app.ui.screen import Screen
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.domain.location import Location
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.visit_start import CheckInBackground


class CheckInScreen(Screen):
    title = Text("签到", "Check in")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.enterprise: EnterpriseChoice | None = None
        self.background: CheckInBackground | None = None
        columns = self.columns()
        left = vbox(spacing=16)
        left.addWidget(self._enterprise_card())
        left.addWidget(self._history_card(), 1)
        columns.add(left, 2, stacked_stretch=1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._form())
        columns.add(scroll, 3, stacked_stretch=2)

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
        self.kind_combo = QComboBox()
        self.binder.name(self.kind_combo, Text("检查类型", "Visit kind"))
        self.kind_combo.currentIndexChanged.connect(lambda _: self._kind_changed())
        self.reason_combo = _editable_combo()
        self.binder.name(self.reason_combo, Text("检查事由", "Reason"))
        self.legal_combo = _editable_combo()
        self.binder.name(self.legal_combo, Text("法律依据（可选）", "Legal basis (optional)"))
        for title, widget in ((Text("检查类型", "Kind"), self.kind_combo),
                              (Text("事由", "Reason"), self.reason_combo),
                              (Text("法律依据", "Legal basis"), self.legal_combo)):
            form.addRow(label(self.binder, title, wrap=False), widget)
        form_layout.addLayout(form)
        self.location_label = label(None, role="muted")
        self.binder.name(self.location_label, Text("签到位置", "Check-in position"))
        form_layout.addWidget(self.location_label)
        layout.addWidget(frame)
        layout.addWidget(self._warning_card())
        layout.addWidget(self._co_officer_card())
        self.message = MessageLine(self.binder)
        layout.addWidget(self.message)
        self.check_in_button = button(self.binder, Text("签到并开始计时", "Check in and start the timer"),
                                      role="primary")
        self.check_in_button.clicked.connect(self.submit)
        self.cancel_button = button(self.binder, Text("取消", "Cancel"))
        self.cancel_button.clicked.connect(self.back)
        layout.addLayout(row(self.check_in_button, self.cancel_button))
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
        self.co_label = label(self.binder, Text(
            "执法检查须两名执法人员（《行政处罚法》第四十二条）：请第二名执法人员选择姓名并输入自己的密码。",
            "Enforcement needs two officers (Administrative Penalty Law, art. 42): the second "
            "officer chooses their name and types their own passphrase."))
        self.co_combo = QComboBox()
        self.binder.name(self.co_combo, Text("共同执法人员", "Co-officer"))
        self.co_pass = line_edit(self.binder, Text("共同执法人员的密码", "Co-officer's passphrase"))
        self.co_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.co_pass.returnPressed.connect(self.submit)
        for widget in (self.co_label, self.co_combo, self.co_pass):
            layout.addWidget(widget)
        return self.co_frame

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
        self.reason_combo.setEditText("")  # each visit its own reason, never the last one's
        self.legal_combo.setEditText("")
        self._fill_choices()
        self._show_enterprise()
        self.kind_combo.setFocus()
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
        reason = self.reason_combo.currentText()
        self.reason_combo.clear()
        self.reason_combo.addItems([r.render(lang) for r in profile.reasons])
        self.reason_combo.setEditText(reason)
        self._fill_legal_bases()

    def _fill_legal_bases(self, *, follow_kind: bool = False) -> None:
        profile, lang = self.ctx.profile, self.ctx.lang.lang
        assert profile is not None
        kind = profile.visit_kind(self.kind_combo.currentData() or "")
        bases = list(kind.legal_bases if kind else ())
        if kind is None or kind.is_enforcement:  # a survey cites no enforcement law
            bases += [b.render(lang) for b in profile.legal_bases if b.render(lang) not in bases]
        text = "" if follow_kind else self.legal_combo.currentText()
        self.legal_combo.clear()
        self.legal_combo.addItems(bases)
        self.legal_combo.setEditText(text or (bases[0] if kind and kind.legal_bases else ""))

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
        self._fill_legal_bases(follow_kind=True)  # the basis is the new kind's, not the last
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
        assessment = background.assessment
        self.warning_frame.setVisible(assessment.warned)
        if assessment.warned:
            self.warning_label.show_text("warn", assessment.text())
        kind = profile.visit_kind(self.kind_combo.currentData() or "")
        needs_two = bool(kind and kind.requires_two_officers)
        self.co_frame.setVisible(needs_two)
        chosen = self.co_combo.currentData()
        self.co_combo.clear()
        for credential, name in background.co_officers:
            self.co_combo.addItem(f"{name}  {credential}", credential)
        self.co_combo.setCurrentIndex(max(0, self.co_combo.findData(chosen)))

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

    # -- signing -------------------------------------------------------------------------

    def submit(self) -> None:
        signer, enterprise = self.ctx.session.signer, self.enterprise
        if signer is None or enterprise is None:
            return
        form = visit_start.CheckInForm(
            uscc=enterprise.uscc, name=enterprise.name, code=enterprise.code,
            kind=self.kind_combo.currentData(), reason=self.reason_combo.currentText(),
            legal_basis=self.legal_combo.currentText() or None,
            justification=self.justification_edit.text() or None,
            co_officer=self.co_combo.currentData() if self.co_frame.isVisibleTo(self) else None,
            co_passphrase=self.co_pass.text(),
            location=self.ctx.position.latest() if self.ctx.position is not None else None)
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


def _editable_combo() -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    return combo
