"""Sync state in plain words (home screen) and the endpoint's status (settings).

Both follow the app's :class:`~.sync_driver.SyncDriver`: network reachability,
events waiting for a receipt, the last successful sync, the last error as the
sync client worded it, and a run's progress with a cancel button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QProgressBar

from inspector_app.ui.i18n import Binder
from inspector_app.ui.widgets import MessageLine, button, card_layout, label, row
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.sync_status import SyncState
    from inspector_app.ui.sync_driver import SyncDriver

NETWORK_TEXT = {True: Text("● 在线", "● Online"), False: Text("○ 离线：记录保存在本机，联网后自动同步",
                                                          "○ Offline: records stay here and sync "
                                                          "when the network returns"),
                None: Text("网络状态未知（按计划自动同步）", "Network state unknown (syncs on a timer)")}


def _when(ms: int | None) -> str:
    from inspector_app.services.visit_log import local_time_text

    return "" if ms is None else local_time_text(ms)


class SyncCard(QFrame):
    def __init__(self, binder: Binder, driver: SyncDriver, render: Callable[[Text], str]) -> None:
        super().__init__()
        self._binder, self._driver, self._render = binder, driver, render
        layout = card_layout(self)
        layout.addWidget(label(binder, Text("同步", "Sync"), role="heading"))
        self.network_label = label(None)
        self.pending_label = label(None)
        self.last_sync_label = label(None, role="muted")
        self.progress_bar = QProgressBar()
        binder.name(self.progress_bar, Text("同步进度", "Sync progress"))
        self.progress_bar.hide()
        self.sync_button = button(binder, Text("立即同步", "Sync now"))
        self.sync_button.clicked.connect(driver.sync_now)
        self.cancel_button = button(binder, Text("取消同步", "Cancel the sync"))
        self.cancel_button.clicked.connect(driver.cancel)
        self.cancel_button.hide()
        self.sync_message = MessageLine(binder)
        for widget in (self.network_label, self.pending_label, self.last_sync_label,
                       self.progress_bar):
            layout.addWidget(widget)
        layout.addLayout(row(self.sync_button, self.cancel_button))
        layout.addWidget(self.sync_message)
        driver.state_changed.connect(lambda _: self.redraw())
        driver.online_changed.connect(lambda _: self.redraw())
        driver.running_changed.connect(self._running)
        driver.progress.connect(self._progress)
        self.redraw()

    def _running(self, running: bool) -> None:
        self.progress_bar.setVisible(running)
        self.progress_bar.setRange(0, 0)  # busy until the first batch reports
        self.cancel_button.setVisible(running)
        self.redraw()

    def _progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)

    def redraw(self) -> None:
        driver, state = self._driver, self._driver.state
        self._binder.text(self.network_label, NETWORK_TEXT[driver.online])
        self.sync_button.setEnabled(not driver.running and (state is None or state.available))
        if state is None:
            return
        self._binder.text(self.pending_label, Text("待同步记录：{n} 条", "Events awaiting sync: {n}")
                          .format(n=state.pending) if state.pending else Text(
                              "记录已全部送达，待上传照片 {n} 张。",
                              "Every event has reached the centre; {n} photo(s) still to upload.")
                          .format(n=state.photos_pending) if state.photos_pending else
                          Text("全部记录已送达中心。", "Everything has reached the centre."))
        self._binder.text(self.last_sync_label, Text("上次同步：{t}", "Last sync: {t}").format(
            t=_when(state.last_success_ms)) if state.last_success_ms else Text(
            "尚未同步过（离线记录，联网后同步）。", "Never synced (recorded offline; syncs when online)."))
        self._show_problem(state)

    def _show_problem(self, state: SyncState) -> None:
        if state.device_name is None or state.endpoint is None:
            self.sync_message.show_text("warn", state.endpoint_problem or Text(
                "本设备尚未在中心端注册；记录安全地保存在本机。请联系管理员注册。",
                "This tablet is not enrolled with the central endpoint; records are kept safely "
                "here. Ask IT to enrol it."))
        elif state.last_error is not None:
            self.sync_message.show_text("error", Text("上次同步失败（{t}）：{e}",
                                                      "The last sync failed ({t}): {e}").format(
                t=_when(state.last_attempt_ms), e=state.last_error))
        elif state.rejected:
            self.sync_message.show_text("error", Text(
                "中心端拒收了 {n} 条记录，请联系管理员。", "The centre refused {n} event(s); "
                "contact IT.").format(n=state.rejected))
        elif state.update is not None:
            self.sync_message.show_text("warn", state.update)
        else:
            self.sync_message.clear()


class EndpointCard(QFrame):
    """Settings: where this tablet syncs, whether it is enrolled, how the last sync went."""

    def __init__(self, binder: Binder, driver: SyncDriver, render: Callable[[Text], str]) -> None:
        super().__init__()
        self._binder, self._driver = binder, driver
        layout = card_layout(self)
        layout.addWidget(label(binder, Text("中心端", "Central endpoint"), role="heading"))
        self.status_label = label(None)
        layout.addWidget(self.status_label)
        driver.state_changed.connect(lambda _: self.redraw())
        driver.online_changed.connect(lambda _: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        state = self._driver.state
        if state is None:
            self._binder.text(self.status_label, Text("正在读取…", "Reading…"))
            return
        lines = [
            Text("地址：{u}", "Address: {u}").format(u=state.endpoint) if state.endpoint else
            (state.endpoint_problem or Text("未配置", "not configured")),
            Text("本设备：已注册为“{n}”", "This tablet: enrolled as \"{n}\"").format(
                n=state.device_name) if state.device_name else
            Text("本设备：尚未注册", "This tablet: not enrolled"),
            NETWORK_TEXT[self._driver.online],
            Text("上次成功同步：{t}", "Last successful sync: {t}").format(
                t=_when(state.last_success_ms) or "-"),
            Text("待同步 {p} 条；被拒 {r} 条", "{p} waiting; {r} refused").format(
                p=state.pending, r=state.rejected),
        ]
        if state.last_error is not None:
            lines.append(Text("上次错误：{e}", "Last error: {e}").format(e=state.last_error))
        if state.update is not None:
            lines.append(state.update)
        zh = "\n".join(line.render("zh") for line in lines)
        en = "\n".join(line.render("en") for line in lines)
        self._binder.text(self.status_label, Text(zh, en))  # no parameters: taken verbatim
