"""Home: the visit in progress with its timer, a large Scan button, today's visits, sync state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from inspector_app.services.today import officer_today
from inspector_app.ui.screen import Screen
from inspector_app.ui.timer import RunningTimer, clock_text
from inspector_app.ui.widgets import button, card, label, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.today import Today


class HomeScreen(Screen):
    title = Text("首页", "Home")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.snapshot: Today | None = None
        columns = self.columns()
        left = vbox(spacing=16)
        left.addWidget(self._visit_card())
        left.addWidget(self._rating_card())
        self.scan_button = button(self.binder, Text("扫码签到", "Scan to check in"), role="huge")
        self.scan_button.clicked.connect(lambda: self.ctx.nav.go("scan", purpose="checkin"))
        left.addWidget(self.scan_button)
        left.addWidget(self._today_card(), 1)
        columns.add(left, 3)
        right = vbox(spacing=16)
        # A visit checked out but not yet rated (the officer left for home first): the rating
        # is asked for again, not skipped for good.
        right.addWidget(self._sync_card())
        ctx.sync.running_changed.connect(self._sync_running)
        self.logs_button = button(self.binder, Text("检查记录（中队长）", "Visit logs (team lead)"))
        self.logs_button.clicked.connect(lambda: self.ctx.nav.go("logs"))
        right.addWidget(self.logs_button)
        right.addStretch(1)
        columns.add(right, 2, stacked_stretch=0)

    def primary_action(self) -> Any:
        return self.scan_button if self.scan_button.isEnabled() else self.continue_button

    def _visit_card(self) -> Any:
        self.visit_frame, layout = card()
        layout.addWidget(label(self.binder, Text("进行中的检查", "Visit in progress"), role="muted"))
        self.visit_label = label(None, role="heading")
        self.timer_label = label(None, role="timer", wrap=False)
        self.binder.name(self.timer_label, Text("检查计时", "Visit timer"))
        self.timer = RunningTimer(self.timer_label, self.refresh)
        self.continue_button = button(self.binder, Text("继续检查", "Continue the visit"),
                                      role="primary")
        self.continue_button.clicked.connect(self._continue)
        layout.addWidget(self.visit_label)
        layout.addLayout(row(self.timer_label, self.continue_button, stretch_last=True))
        self.visit_frame.hide()
        return self.visit_frame

    def _rating_card(self) -> Any:
        """A visit checked out but not yet rated (the officer went home first): the rating is
        asked for again, not skipped for good.  It takes the visit card's place, shown only
        while no other visit runs (the officer is still at that enterprise)."""
        self.rating_frame, layout = card()
        self.rating_label = label(None, role="heading")
        self.rating_button = button(self.binder, Text("请企业评分", "Enterprise rating"),
                                    role="primary")
        self.rating_button.clicked.connect(self._rate_pending)
        layout.addWidget(self.rating_label)
        layout.addLayout(row(self.rating_button))
        self.rating_frame.hide()
        return self.rating_frame

    def _today_card(self) -> Any:
        frame, layout = card()
        layout.addWidget(label(self.binder, Text("今日检查", "Today's visits"), role="heading"))
        self.today_list = QListWidget()
        self.binder.name(self.today_list, Text("今日检查列表", "Today's visits"))
        self.today_list.itemActivated.connect(self._open_item)
        self.today_list.itemClicked.connect(self._open_item)  # one tap, not a double tap
        self.today_empty = label(self.binder, Text("今天还没有检查记录。", "No visits yet today."),
                                 role="muted")
        layout.addWidget(self.today_list, 1)
        layout.addWidget(self.today_empty)
        return frame

    def _sync_card(self) -> Any:
        from inspector_app.ui.sync_card import SyncCard

        self.sync_card = SyncCard(self.binder, self.ctx.sync, self.tr)
        return self.sync_card

    # -- data -----------------------------------------------------------------

    def enter(self, **_: Any) -> None:
        self.refresh()
        self.scan_button.setFocus()

    def leave(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        officer = self.ctx.session.officer
        if officer is None:
            return
        credential = officer.credential
        self.run(lambda ws: officer_today(ws, credential), self._show)

    def _show(self, snapshot: Today) -> None:
        self.snapshot = snapshot
        visit = snapshot.open_visit
        self.visit_frame.setVisible(visit is not None)
        self.scan_button.setEnabled(visit is None)
        if visit is not None:
            self.visit_label.setText(f"{visit.enterprise.name or visit.enterprise.uscc} · "
                                     f"{self._kind_name(visit.kind)}")
            self.timer.start_from(snapshot.open_seconds)
        else:
            self.timer.stop()
        self._show_today(snapshot)
        self._show_pending_rating(snapshot)
        self.ctx.sync.show(snapshot.sync)  # the card (and settings) follow

    def _show_today(self, snapshot: Today) -> None:
        from inspector_app.services.visit_log import local_time_text

        self.today_list.clear()
        for visit, seconds in snapshot.visits:
            state = self.tr(visit.state.text())
            duration = "" if seconds is None else clock_text(seconds)
            warned = "  ⚠" if visit.frequency_warned else ""
            item = QListWidgetItem(
                f"{local_time_text(visit.checked_in.wall_ms, with_date=False)}  "
                f"{visit.enterprise.name or visit.enterprise.uscc}{warned}\n"
                f"{self._kind_name(visit.kind)} · {state} · {duration}")
            item.setData(Qt.ItemDataRole.UserRole, visit.id)
            self.today_list.addItem(item)
        self.today_empty.setVisible(not snapshot.visits)

    def _unrated(self, snapshot: Today) -> Any:
        from inspector_app.domain.visit_state import VisitState

        return next((visit for visit, _ in snapshot.visits
                     if visit.state == VisitState.CHECKED_OUT and visit.rating is None), None)

    def _show_pending_rating(self, snapshot: Today) -> None:
        visit = self._unrated(snapshot)
        if snapshot.open_visit is not None:
            visit = None
        self.rating_frame.setVisible(visit is not None)
        if visit is not None:
            self.binder.text(self.rating_label, Text(
                "尚待企业评分：{e}", "Not yet rated by the enterprise: {e}").format(
                e=visit.enterprise.name or visit.enterprise.uscc))

    def _rate_pending(self) -> None:
        visit = self._unrated(self.snapshot) if self.snapshot else None
        if visit is not None:
            self.ctx.nav.go("checkout", visit_id=visit.id)

    def _sync_running(self, running: bool) -> None:
        if not running and self.isVisible():
            self.refresh()  # delivery states changed

    def _kind_name(self, kind_id: str) -> str:
        profile = self.ctx.profile
        kind = profile.visit_kind(kind_id) if profile else None
        return kind.name.render(self.ctx.lang.lang) if kind else kind_id

    def language_changed(self, lang: str) -> None:
        if self.snapshot is not None:
            self._show(self.snapshot)

    # -- actions ----------------------------------------------------------------

    def _continue(self) -> None:
        if self.snapshot and self.snapshot.open_visit:
            self.ctx.nav.go("visit", visit_id=self.snapshot.open_visit.id)

    def _open_item(self, item: QListWidgetItem) -> None:
        visit_id = item.data(Qt.ItemDataRole.UserRole)
        if self.snapshot and self.snapshot.open_visit and self.snapshot.open_visit.id == visit_id:
            self._continue()
        elif visit_id:
            # A finished visit: its summary, its rating (if still missing) and its receipt
            # again, for an enterprise that did not photograph it the first time.
            self.ctx.nav.go("checkout", visit_id=visit_id)
