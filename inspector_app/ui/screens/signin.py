"""Sign-in: pick yourself from the list, type your passphrase; or enrol on this tablet.

It is also the lock screen.  When the tablet locks in the middle of a visit, the visit
stays on screen with its timer running, and the officer who was signed in unlocks with
the short PIN set at the day's passphrase sign-in (:mod:`inspector_app.ledger.quick_unlock`)
and returns to the screen they left.

Unlocking derives a key with scrypt (~0.1 s), so it runs on the worker.  After
repeated wrong passphrases the ledger refuses attempts for a while; the
screen counts the wait down and keeps the button disabled until it is over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from inspector_app.ledger.quick_unlock import VALID_HOURS
from inspector_app.services import roster as officer_roster
from inspector_app.ui.screen import Screen
from inspector_app.ui.session import Officer
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.services.officer_enrolment import OfficerSummary
    from inspector_app.services.roster import LockScreen, Roster
    from inspector_protocol.keys import Signer


class SignInScreen(Screen):
    title = Text("执法人员登录", "Officer sign-in")
    needs_officer = False

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.roster: Roster | None = None
        self._wait_s = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.locked_for: str | None = None
        self.quick_minutes: int | None = None
        columns = self.columns()
        columns.add(self._officer_card(), 5)
        columns.add(self._right_column(), 6)

    def primary_action(self) -> Any:
        return self.pin_button if self.pin_button.isVisibleTo(self) else self.sign_in_button

    # -- layout ---------------------------------------------------------------

    def _officer_card(self) -> Any:
        frame, layout = card()
        layout.addWidget(label(self.binder, Text("请选择执法人员", "Choose your name"), role="heading"))
        self.officer_list = QListWidget()
        self.binder.name(self.officer_list, Text("执法人员列表", "Officers"))
        self.officer_list.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.officer_list.itemActivated.connect(lambda _: self.passphrase.setFocus())
        layout.addWidget(self.officer_list, 1)
        self.new_officer_button = button(self.binder, Text("登记新的执法人员", "Enrol a new officer"))
        self.new_officer_button.clicked.connect(lambda: self._show_enrolment(None))
        layout.addWidget(self.new_officer_button)
        return frame

    def _visit_card(self) -> Any:
        """The visit in progress, shown on the lock screen: the timer keeps running."""
        from inspector_app.ui.timer import RunningTimer

        self.visit_frame, layout = card()
        layout.addWidget(label(self.binder, Text("检查进行中（已锁定，计时继续）",
                                                 "Visit in progress (locked, the timer runs on)"),
                               role="muted"))
        # One line each: a wrapped label asks its column for the height of its narrowest
        # width, which made the lock screen taller than the tablet.
        self.visit_label = label(None, role="heading", wrap=False)
        self.visit_timer_label = label(None, role="timer", wrap=False)
        self.binder.name(self.visit_timer_label, Text("检查计时", "Visit timer"))
        self.visit_timer = RunningTimer(self.visit_timer_label)
        layout.addWidget(self.visit_label)
        layout.addWidget(self.visit_timer_label)
        self.visit_frame.hide()
        return self.visit_frame

    def _pin_card(self) -> Any:
        self.pin_frame, layout = card()
        self.pin_title = label(None, role="heading", wrap=False)
        self.pin_validity = label(None, role="muted", wrap=False)
        self.pin_edit = line_edit(self.binder, Text("快速解锁 PIN（6 位数字）",
                                                    "Quick-unlock PIN (6 digits)"))
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(6)
        self.pin_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.pin_edit.returnPressed.connect(self.unlock_with_pin)
        self.pin_button = button(self.binder, Text("解锁", "Unlock"), role="primary")
        self.pin_button.clicked.connect(self.unlock_with_pin)
        self.use_passphrase_button = button(self.binder, Text("改用密码", "Use the passphrase"))
        self.use_passphrase_button.clicked.connect(lambda: self._show_pin(False))
        self.pin_message = MessageLine(self.binder)
        layout.addWidget(self.pin_title)
        layout.addWidget(self.pin_validity)
        layout.addWidget(self.pin_edit)
        layout.addLayout(row(self.pin_button, self.use_passphrase_button))
        layout.addWidget(self.pin_message)
        self.pin_frame.hide()
        return self.pin_frame

    def _right_column(self) -> QVBoxLayout:
        column = vbox(spacing=16)
        column.addWidget(self._visit_card())
        column.addWidget(self._pin_card())
        frame, layout = card()
        self.password_frame = frame
        self.selected_label = label(None, role="heading")
        self.status_label = label(None, role="muted")
        self.passphrase = line_edit(self.binder, Text("密码", "Passphrase"))
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.sign_in)
        self.sign_in_button = button(self.binder, Text("登录", "Sign in"), role="primary")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.enrol_button = button(self.binder, Text("在本设备登记", "Enrol on this tablet"))
        self.enrol_button.clicked.connect(lambda: self._show_enrolment(self._selected()))
        self.message = MessageLine(self.binder)
        # Optional, once a day: the PIN that unlocks after an idle lock for the next hours.
        self.new_pin = line_edit(self.binder, Text(
            "同时设置快速解锁 PIN（可选，6 位数字，{h} 小时内有效）",
            "Also set a quick-unlock PIN (optional, 6 digits, valid {h} hours)").format(
            h=VALID_HOURS), Text("快速解锁 PIN（可选）", "Quick PIN (optional)"))
        self.new_pin.setToolTip(self.new_pin.accessibleName())
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setMaxLength(6)
        self.new_pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.new_pin.returnPressed.connect(self.sign_in)
        for widget in (self.selected_label, self.status_label):
            layout.addWidget(widget)
        fields = QGridLayout()
        fields.setSpacing(10)
        fields.addWidget(self.passphrase, 0, 0)
        fields.addWidget(self.new_pin, 0, 1)
        fields.setColumnStretch(0, 3)
        fields.setColumnStretch(1, 2)
        layout.addLayout(fields)
        layout.addLayout(row(self.sign_in_button, self.enrol_button))
        layout.addWidget(self.message)
        layout.addStretch(1)
        column.addWidget(frame, 1)
        column.addWidget(self._enrolment_card())
        column.addStretch(0)
        return column

    def _enrolment_card(self) -> Any:
        self.enrol_frame, layout = card()
        layout.addWidget(label(self.binder, Text("在本设备登记执法人员", "Enrol an officer on this tablet"),
                               role="heading"))
        self.enrol_credential = line_edit(self.binder, Text("执法证号", "Credential number"))
        self.enrol_name = line_edit(self.binder, Text("姓名", "Name"))
        self.enrol_department = QComboBox()
        self.binder.name(self.enrol_department, Text("部门", "Department"))
        self.enrol_pass = line_edit(self.binder, Text("设置密码（至少 6 位）",
                                                      "New passphrase (6 characters or more)"))
        self.enrol_repeat = line_edit(self.binder, Text("再次输入密码", "Repeat the passphrase"))
        for field in (self.enrol_pass, self.enrol_repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.enrol_repeat.returnPressed.connect(self.enrol)
        # The one-time code from department IT that activates the key at the centre.
        self.enrol_activation = line_edit(self.binder, Text("激活码（部门信息科提供）",
                                                            "Activation code (from department IT)"))
        grid = QGridLayout()
        grid.addWidget(self.enrol_credential, 0, 0)
        grid.addWidget(self.enrol_name, 0, 1)
        grid.addWidget(self.enrol_department, 1, 0, 1, 2)
        grid.addWidget(self.enrol_pass, 2, 0)
        grid.addWidget(self.enrol_repeat, 2, 1)
        grid.addWidget(self.enrol_activation, 3, 0, 1, 2)
        layout.addLayout(grid)
        self.enrol_confirm = button(self.binder, Text("登记", "Enrol"), role="primary")
        self.enrol_confirm.clicked.connect(self.enrol)
        self.enrol_cancel = button(self.binder, Text("取消", "Cancel"))
        self.enrol_cancel.clicked.connect(self.enrol_frame.hide)
        layout.addLayout(row(self.enrol_confirm, self.enrol_cancel))
        self.enrol_message = MessageLine(self.binder)
        layout.addWidget(self.enrol_message)
        self.enrol_frame.hide()
        return self.enrol_frame

    # -- entering ---------------------------------------------------------------

    def enter(self, credential: str | None = None, locked: bool = False, **_: Any) -> None:
        self.passphrase.clear()
        self.new_pin.clear()
        self.pin_edit.clear()
        self.message.clear()
        self.pin_message.clear()
        self.locked_for = credential if locked else None
        self.quick_minutes = None
        self.visit_frame.hide()
        self._show_pin(False)
        if locked:
            self.message.show_text("warn", Text("已锁定。请重新输入密码，或选择其他执法人员。",
                                                "Locked. Enter your passphrase again, or choose "
                                                "another officer."))
        if locked and credential is not None:
            self.run(lambda ws: officer_roster.lock_screen(ws, credential), self._show_lock)
        self._wanted = credential
        self.status_label.setText(self.tr(Text("正在打开记录…", "Opening the ledger…")))
        self.run(officer_roster.load_roster, self._show_roster)

    def _show_roster(self, roster: Roster) -> None:
        self.roster = roster
        self.ctx.profile = roster.profile
        self.ctx.session.set_idle_minutes(roster.profile.idle_lock_minutes)
        selected = self._selected()
        wanted = self._wanted or (selected.credential if selected else None)
        self.officer_list.clear()
        for officer in roster.officers:
            item = QListWidgetItem(self._officer_text(officer))
            item.setData(Qt.ItemDataRole.UserRole, officer)
            self.officer_list.addItem(item)
            if officer.credential == wanted:
                self.officer_list.setCurrentItem(item)
        if self.officer_list.currentItem() is None and self.officer_list.count():
            self.officer_list.setCurrentRow(0)
        self._fill_departments(roster.profile)
        self._selection_changed()
        (self.pin_edit if self.pin_frame.isVisibleTo(self) else self.passphrase).setFocus()

    def leave(self) -> None:
        self.visit_timer.stop()

    def _show_lock(self, lock: LockScreen) -> None:
        if self.locked_for is None:
            return  # signed in meanwhile
        self.quick_minutes = lock.quick_minutes
        # Hide before showing: a child shown lays its window out at once, and the window
        # would grow past the screen for the moment both were in it (and stay that size).
        self._show_pin(lock.quick_minutes is not None)
        visit = lock.today.open_visit
        if visit is not None:
            self.visit_label.setText(visit.enterprise.name or visit.enterprise.uscc)
            self.visit_timer.start_from(lock.today.open_seconds)
        self.visit_frame.setVisible(visit is not None)

    def _show_pin(self, shown: bool) -> None:
        """The PIN for the officer who locked, while it is valid; else the passphrase."""
        for frame, visible in sorted(((self.pin_frame, shown), (self.password_frame, not shown)),
                                     key=lambda pair: pair[1]):  # hide first, then show
            frame.setVisible(visible)
        self.officer_list.setEnabled(not shown)
        self.new_officer_button.setVisible(not shown)
        if shown:
            self.enrol_frame.hide()
            self.pin_title.setText(self.tr(Text("{n}：请输入 PIN", "{n}: enter your PIN")
                                           .format(n=self._locked_name())))
            self.pin_validity.setText(self.tr(Text("快速解锁还可用 {m} 分钟",
                                                   "Quick unlock valid {m} more minutes")
                                              .format(m=self.quick_minutes or 0)))
            self.pin_edit.setFocus()
        else:
            self.passphrase.setFocus()

    def _locked_name(self) -> str:
        for officer in self.roster.officers if self.roster else ():
            if officer.credential == self.locked_for:
                return officer.name
        return self.locked_for or ""

    def unlock_with_pin(self) -> None:
        credential, pin = self.locked_for, self.pin_edit.text()
        officer = next((o for o in self.roster.officers if o.credential == credential), None) \
            if self.roster else None
        if credential is None or officer is None or not pin:
            return
        self.pin_button.setEnabled(False)
        self.pin_message.clear()

        def refused(error: BaseException) -> None:
            from inspector_app.ledger.quick_unlock import QuickUnlockUnavailable, WrongPin

            self.pin_button.setEnabled(True)
            self.pin_edit.clear()
            if isinstance(error, QuickUnlockUnavailable) or (
                    isinstance(error, WrongPin) and error.attempts_left == 0):
                self._show_pin(False)
                self.shown_in(self.message)(error)
                return
            self.shown_in(self.pin_message)(error)
            self.pin_edit.setFocus()

        def unlocked(signer: Signer) -> None:
            self.pin_button.setEnabled(True)
            self._signed_in(signer, officer)

        self.run(lambda ws: officer_roster.unlock_with_pin(ws, credential, pin), unlocked, refused)

    def _officer_text(self, officer: OfficerSummary) -> str:
        assert self.roster is not None
        department = self.roster.profile.department(officer.department)
        dept = department.name.render(self.ctx.lang.lang) if department else officer.department
        state = "" if officer.key_id else self.tr(Text("  〔未在本设备登记〕", "  [not enrolled here]"))
        return f"{officer.name}  {officer.credential}\n{dept}{state}"

    def _fill_departments(self, profile: Profile) -> None:
        self.enrol_department.clear()
        for department in profile.departments:
            self.enrol_department.addItem(department.name.render(self.ctx.lang.lang), department.id)

    def language_changed(self, lang: str) -> None:
        if self.roster is not None:
            self._show_roster(self.roster)

    def _selected(self) -> OfficerSummary | None:
        item = self.officer_list.currentItem()
        officer: OfficerSummary | None = None if item is None else item.data(
            Qt.ItemDataRole.UserRole)
        return officer

    def _selection_changed(self) -> None:
        officer = self._selected()
        enrolled = officer is not None and officer.key_id is not None
        self.selected_label.setText("" if officer is None else officer.name)
        self.status_label.setText(self.tr(
            Text("请输入密码登录。", "Enter your passphrase to sign in.") if enrolled else
            Text("尚未在本设备登记：请先登记并设置密码。",
                 "Not enrolled on this tablet yet: enrol and choose a passphrase first.")
            if officer is not None else Text("本设备尚无执法人员。", "No officers on this tablet yet.")))
        self.passphrase.setEnabled(enrolled)
        self.sign_in_button.setEnabled(enrolled and self._wait_s == 0)
        self.enrol_button.setVisible(officer is not None and not enrolled)

    # -- signing in ---------------------------------------------------------------

    def sign_in(self) -> None:
        officer = self._selected()
        if officer is None or officer.key_id is None or self._wait_s > 0:
            return
        credential, passphrase = officer.credential, self.passphrase.text()
        pin = self.new_pin.text() or None
        self.sign_in_button.setEnabled(False)
        self.message.clear()
        self.run(lambda ws: officer_roster.sign_in(ws, credential, passphrase, pin),
                 lambda signer: self._signed_in(signer, officer), self._refused)

    def _signed_in(self, signer: Signer, officer: OfficerSummary) -> None:
        self.passphrase.clear()
        self.new_pin.clear()
        self.pin_edit.clear()
        self.locked_for = None
        self.ctx.session.sign_in(signer, Officer(officer.credential, officer.name, officer.department))
        self.ctx.nav.resume(officer.credential)

    def _refused(self, error: BaseException) -> None:
        from inspector_app.ledger.lockout import LockedOut, WrongPassphraseError

        self.passphrase.selectAll()
        self.passphrase.setFocus()
        self._selection_changed()
        if isinstance(error, LockedOut):
            self._start_wait(error.remaining_s)
        elif isinstance(error, WrongPassphraseError) and error.attempts_left == 0:
            self.message.show_error(error)
            self._ask_remaining_wait()
            return
        self.shown_in(self.message)(error)

    def _ask_remaining_wait(self) -> None:
        officer = self._selected()
        if officer is None:
            return
        credential = officer.credential
        self.run(lambda ws: officer_roster.lockout_wait_s(ws, credential), self._start_wait)

    def _start_wait(self, seconds: int) -> None:
        self._wait_s = seconds
        self._show_wait()
        if seconds > 0:
            self._countdown.start()

    def _tick(self) -> None:
        self._wait_s = max(0, self._wait_s - 1)
        self._show_wait()

    def _show_wait(self) -> None:
        if self._wait_s == 0:
            self._countdown.stop()
            self.message.show_text("ok", Text("可以再次尝试。", "You may try again now."))
        else:
            self.message.show_text("error", Text(
                "密码错误次数过多，请等待 {s} 秒后重试。",
                "Too many wrong passphrases; try again in {s} seconds.").format(s=self._wait_s))
        self._selection_changed()

    # -- enrolling ---------------------------------------------------------------

    def _show_enrolment(self, officer: OfficerSummary | None) -> None:
        self.enrol_message.clear()
        self.enrol_credential.setText(officer.credential if officer else "")
        self.enrol_name.setText(officer.name if officer else "")
        if officer is not None:
            index = self.enrol_department.findData(officer.department)
            self.enrol_department.setCurrentIndex(max(0, index))
        for field in (self.enrol_pass, self.enrol_repeat, self.enrol_activation):
            field.clear()
        self.enrol_frame.show()
        (self.enrol_pass if officer else self.enrol_credential).setFocus()

    def enrol(self) -> None:
        from inspector_protocol.errors import UserError

        if self.enrol_pass.text() != self.enrol_repeat.text():
            self.enrol_message.show_error(UserError(Text("两次输入的密码不一致。",
                                                         "The passphrases differ.")))
            return
        credential, name = self.enrol_credential.text().strip(), self.enrol_name.text().strip()
        passphrase, department = self.enrol_pass.text(), self.enrol_department.currentData()
        activation = self.enrol_activation.text().strip() or None
        self.enrol_confirm.setEnabled(False)
        self.run(lambda ws: officer_roster.enrol(ws, credential, name, passphrase, department,
                                                 activation),
                 lambda officers: self._enrolled(officers, credential), self._enrol_failed)

    def _enrolled(self, roster: Roster, credential: str) -> None:
        self.enrol_confirm.setEnabled(True)
        self.enrol_frame.hide()
        self._wanted = credential
        self._show_roster(roster)
        self.message.show_text("ok", Text("登记完成，请输入刚设置的密码登录。",
                                          "Enrolled. Sign in with the passphrase you chose."))

    def _enrol_failed(self, error: BaseException) -> None:
        self.enrol_confirm.setEnabled(True)
        self.shown_in(self.enrol_message)(error)
