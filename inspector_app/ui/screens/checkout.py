"""Check-out: scan again at the exit, see the summary, then the enterprise rates the visit.

After check-out the tablet is turned to the enterprise representative, who
enters a rating (0–100) and a comment, and photographs the receipt QR code:
it names the signed check-out event, so the enterprise can verify the record
later.  No score is preset: the representative chooses one, or the rating is not
sent.  A visit left without a rating (the officer went home first) keeps asking
on the home screen, and a checked-out visit opened again from there shows its
receipt again, as a code and in words.  Required checklist items left unanswered are listed before check-out;
the officer may still check out, and the one form shows them as not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QListWidget, QScrollArea, QSlider, QSpinBox, QWidget

from inspector_app.domain.duration import BASIS_TEXT
from inspector_app.services import visit_end
from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import RunningTimer
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.visit_end import CheckOutView

#: The score box's value before the representative has chosen one.
NO_SCORE = -1


class CheckOutScreen(Screen):
    title = Text("签退与评价", "Check out and rating")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.view: CheckOutView | None = None
        self.exit_scan = "not_scanned"
        columns = self.columns()
        columns.add(self._summary_card(), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        right = vbox(holder, spacing=14)
        right.addWidget(self._exit_card())
        right.addWidget(self._rating_card())
        right.addWidget(self._receipt_card())
        right.addStretch(1)
        scroll.setWidget(holder)
        columns.add(scroll, 1)
        self.add_action_bar(None, self.check_out_button, self.back_button, self.rate_button,
                            self.done_button)

    def primary_action(self) -> QWidget | None:
        for widget in (self.check_out_button, self.rate_button, self.done_button):
            if widget.isVisibleTo(self):
                return widget
        return None

    def _summary_card(self) -> Any:
        frame, layout = card()
        self.enterprise_label = label(None, role="title")
        self.timer_label = label(None, role="timer", wrap=False)
        self.binder.name(self.timer_label, Text("检查时长", "Visit duration"))
        self.timer = RunningTimer(self.timer_label)
        self.basis_label = label(None, role="muted")
        self.findings_list = QListWidget()
        self.findings_list.setWordWrap(True)
        self.findings_list.setMinimumHeight(100)
        self.findings_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.binder.name(self.findings_list, Text("发现的问题", "Findings"))
        self.progress_label = MessageLine(self.binder)
        for widget in (self.enterprise_label, self.timer_label, self.basis_label):
            layout.addWidget(widget)
        layout.addWidget(label(self.binder, Text("发现的问题与整改要求", "Findings and rectifications"),
                               role="heading"))
        layout.addWidget(self.findings_list, 1)
        return frame

    def _exit_card(self) -> Any:
        self.exit_frame, layout = card()
        layout.addWidget(label(self.binder, Text("离开企业时签退", "Check out when leaving"),
                               role="heading"))
        self.exit_state = MessageLine(self.binder)
        self.scan_exit_button = button(self.binder, Text("扫描企业二维码签退", "Scan the code at the exit"))
        self.scan_exit_button.clicked.connect(self._scan_exit)
        self.no_scan_edit = line_edit(self.binder, Text("未扫码的原因（如二维码损坏）",
                                                        "Reason for not scanning (e.g. code damaged)"))
        self.incomplete_edit = line_edit(self.binder, Text("必答项未完成的原因（必填）",
                                                           "Why required items are unanswered "
                                                           "(required)"))
        self.message = MessageLine(self.binder)
        self.check_out_button = button(self.binder, Text("确认签退", "Check out"), role="primary")
        self.check_out_button.clicked.connect(self.submit_check_out)
        self.back_button = button(self.binder, Text("返回检查", "Back to the visit"))
        self.back_button.clicked.connect(self.back)
        for widget in (self.exit_state, self.scan_exit_button, self.no_scan_edit,
                       self.progress_label, self.incomplete_edit, self.message):
            layout.addWidget(widget)
        return self.exit_frame

    def _rating_card(self) -> Any:
        self.rating_frame, layout = card()
        layout.addWidget(label(self.binder, Text("请企业代表为本次检查评分",
                                                 "The enterprise rates this visit"), role="heading"))
        layout.addWidget(label(self.binder, Text("由企业代表填写：0–100 分。",
                                                 "To be filled in by the enterprise representative: "
                                                 "0 to 100 points."), role="muted"))
        self.score_slider = QSlider(Qt.Orientation.Horizontal)
        self.score_slider.setRange(0, 100)
        self.binder.name(self.score_slider, Text("评分", "Score"))
        self.score_spin = QSpinBox()
        self.score_spin.setRange(NO_SCORE, 100)
        # Until the representative chooses, the box says so: no score is preset.
        self.binder.bind(self.score_spin, lambda w, s: w.setSpecialValueText(s),  # type: ignore[attr-defined]
                         Text("未评分", "not rated"))
        self.score_spin.setMinimumWidth(150)
        self.binder.name(self.score_spin, Text("评分（数字）", "Score (number)"))
        self.score_slider.valueChanged.connect(self._slid)
        self.score_spin.valueChanged.connect(self._score_changed)
        layout.addLayout(row(self.score_slider, self.score_spin, stretch_last=True))
        self.quick_buttons = []
        holder = QWidget()
        quick_row = FlowLayout(holder)
        for value in (100, 95, 90, 80, 70, 60):
            quick = button(self.binder, Text(f"{value} 分", f"{value}"),
                           name=Text(f"评 {value} 分", f"Rate {value}"), checkable=True)
            quick.clicked.connect(lambda _=False, v=value: self.score_spin.setValue(v))
            self.quick_buttons.append(quick)
            quick_row.addWidget(quick)
        layout.addWidget(holder)
        self.comment_edit = line_edit(self.binder, Text("评价意见（可选）", "Comment (optional)"))
        self.rate_button = button(self.binder, Text("提交评价", "Submit the rating"), role="primary")
        self.rate_button.clicked.connect(self.submit_rating)
        self.rating_message = MessageLine(self.binder)
        layout.addWidget(self.comment_edit)
        layout.addWidget(self.rating_message)
        return self.rating_frame

    def _slid(self, value: int) -> None:
        if self.score_spin.value() != value:
            self.score_spin.setValue(value)

    def _score_changed(self, value: int) -> None:
        if value != NO_SCORE and self.score_slider.value() != value:
            self.score_slider.blockSignals(True)
            self.score_slider.setValue(value)
            self.score_slider.blockSignals(False)
        for quick, shown in zip(self.quick_buttons, (100, 95, 90, 80, 70, 60), strict=True):
            quick.setChecked(shown == value)
        self.rate_button.setEnabled(value != NO_SCORE)

    def clear_score(self) -> None:
        self.score_spin.setValue(NO_SCORE)
        self.score_slider.blockSignals(True)
        self.score_slider.setValue(0)
        self.score_slider.blockSignals(False)
        self._score_changed(NO_SCORE)

    def _receipt_card(self) -> Any:
        self.receipt_frame, layout = card()
        layout.addWidget(label(self.binder, Text("检查回执：请企业拍照留存", "Visit receipt: the "
                                                 "enterprise photographs it"), role="heading"))
        self.qr_label = label(None)
        self.binder.name(self.qr_label, Text("回执二维码", "VisitReceipt QR code"))
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # What the code says, in words a manager reads; the code's own text only as a tooltip.
        self.receipt_label = label(None)
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_button = button(self.binder, Text("完成，返回首页", "Done, back to home"),
                                  role="primary")
        self.done_button.clicked.connect(lambda: self.ctx.nav.go("home"))
        for widget in (self.qr_label, self.receipt_label):
            layout.addWidget(widget)
        return self.receipt_frame

    # -- entering ---------------------------------------------------------------------

    def enter(self, visit_id: str | None = None, exit_scan: str | None = None, **_: Any) -> None:
        if visit_id is None:
            self.ctx.nav.go("home")
            return
        if self.view is None or self.view.visit.id != visit_id:
            self.exit_scan = "not_scanned"
            self.no_scan_edit.clear()
            self.incomplete_edit.clear()
            self.comment_edit.clear()
            self.clear_score()
        if exit_scan is not None:
            self.exit_scan = exit_scan
        self.message.clear()
        self.rating_message.clear()
        self.run(lambda ws: visit_end.load_checkout_view(ws, visit_id), self._show,
                 self.shown_in(self.message))

    def leave(self) -> None:
        self.timer.stop()

    def back(self) -> None:
        if self.view is not None and self.view.visit.is_open:
            self.ctx.nav.go("visit", visit_id=self.view.visit.id)
        else:
            self.ctx.nav.go("home")

    def _show(self, view: CheckOutView) -> None:
        self.view = view
        visit = view.visit
        self.enterprise_label.setText(visit.enterprise.name or visit.enterprise.uscc)
        if visit.is_open:
            self.timer.start_from(view.seconds)
        else:
            self.timer.show_final(view.seconds)
        self.basis_label.setText("" if view.basis is None else self.tr(BASIS_TEXT[view.basis]))
        self._show_progress(view)
        self.findings_list.clear()
        self.findings_list.addItems([self.tr(f) for f in view.findings] or [self.tr(
            Text("未发现问题。", "No findings."))])
        self.exit_frame.setVisible(visit.is_open)
        self.rating_frame.setVisible(not visit.is_open and visit.rating is None)
        self.receipt_frame.setVisible(view.receipt_text is not None)
        self.check_out_button.setVisible(visit.is_open)
        self.back_button.setVisible(visit.is_open)
        self.rate_button.setVisible(not visit.is_open and visit.rating is None)
        self.rate_button.setEnabled(self.score_spin.value() != NO_SCORE)
        self.done_button.setVisible(not visit.is_open)
        self._show_exit_state()
        self._show_receipt(view)
        if visit.rating is not None:
            self.rating_message.show_text("ok", Text("企业评分：{s} 分", "Rated {s} by the enterprise")
                                          .format(s=visit.rating[0]))
        (self.check_out_button if visit.is_open else
         self.score_spin if visit.rating is None else self.done_button).setFocus()

    def _show_progress(self, view: CheckOutView) -> None:
        if view.missing_required and view.visit.is_open:
            self.progress_label.show_text("warn", Text(
                "还有 {n} 个必答检查项未填写：请返回填写，或说明未完成的原因"
                "（签退后它们在检查表中记为“未检查”）。",
                "{n} required item(s) are unanswered: go back and answer them, or say why (they "
                "stay \"not checked\" on the form).").format(n=view.missing_required))
        else:
            self.progress_label.clear()
        self.incomplete_edit.setVisible(bool(view.missing_required and view.visit.is_open))

    def _show_exit_state(self) -> None:
        scanned = self.exit_scan != "not_scanned"
        self.exit_state.show_text("ok" if scanned else "warn", Text(
            "✓ 已在出口扫描企业二维码。", "✓ The enterprise code was scanned at the exit.")
            if scanned else Text("尚未在出口扫码：请扫码，或填写未扫码的原因。",
                                 "Not scanned at the exit yet: scan, or give the reason."))
        self.no_scan_edit.setVisible(not scanned)

    def _show_receipt(self, view: CheckOutView) -> None:
        if view.receipt_png:
            pixmap = QPixmap()
            pixmap.loadFromData(view.receipt_png, "PNG")
            self.qr_label.setPixmap(pixmap)
        self.receipt_label.setToolTip(view.receipt_text or "")
        visit = view.visit
        if view.receipt_text is None or visit.checked_out is None:
            self.receipt_label.setText("")
            return
        from inspector_app.services.visit_log import local_time_text
        from inspector_app.ui.timer import clock_text

        self.receipt_label.setText(self.tr(Text(
            "{name}\n统一社会信用代码：{uscc}\n签到 {t_in} · 签退 {t_out} · 时长 {d}\n"
            "扫描二维码可核验本次检查记录。",
            "{name}\nUSCC: {uscc}\nIn {t_in} · out {t_out} · {d}\n"
            "Scan the code to verify this visit's record.").format(
            name=visit.enterprise.name or visit.enterprise.uscc, uscc=visit.enterprise.uscc,
            t_in=local_time_text(visit.checked_in.wall_ms),
            t_out=local_time_text(visit.checked_out.wall_ms), d=clock_text(view.seconds))))

    def language_changed(self, lang: str) -> None:
        if self.view is not None:
            self._show(self.view)

    # -- actions -----------------------------------------------------------------------

    def _scan_exit(self) -> None:
        if self.view is not None:
            self.ctx.nav.go("scan", purpose="checkout", visit_id=self.view.visit.id,
                            expected_uscc=self.view.visit.enterprise.uscc)

    def submit_check_out(self) -> None:
        signer, view = self.ctx.session.signer, self.view
        if signer is None or view is None:
            return
        visit_id, exit_scan = view.visit.id, self.exit_scan
        reason = self.no_scan_edit.text().strip() if exit_scan == "not_scanned" else None
        if exit_scan == "not_scanned" and not reason:
            self.message.show_text("error", Text("请在出口扫码，或填写未扫码的原因。",
                                                 "Scan the code at the exit, or give the reason "
                                                 "for not scanning."))
            self.no_scan_edit.setFocus()
            return
        incomplete = self.incomplete_edit.text().strip() or None
        self.check_out_button.setEnabled(False)

        def done(new: CheckOutView) -> None:
            self.check_out_button.setEnabled(True)
            self._show(new)

        def refused(error: BaseException) -> None:
            self.check_out_button.setEnabled(True)
            self.shown_in(self.message)(error)

        self.run(lambda ws: visit_end.check_out(ws, signer, visit_id, exit_scan, reason, incomplete), done,
                 refused)

    def submit_rating(self) -> None:
        signer, view = self.ctx.session.signer, self.view
        if signer is None or view is None:
            return
        visit_id, score = view.visit.id, self.score_spin.value()
        if score == NO_SCORE:
            self.rating_message.show_text("error", Text("请企业代表先选择分数。",
                                                        "The representative chooses a score first."))
            return
        comment = self.comment_edit.text() or None

        self.run(lambda ws: visit_end.rate_visit(ws, signer, visit_id, score, comment), self._show,
                 self.shown_in(self.rating_message))
