"""Settings and diagnostics: language, text size, theme, where the data is, and a self-test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QListWidget, QPushButton, QScrollArea, QWidget

from inspector_app import __version__
from inspector_app.platform.settings import PREFERENCES, Setting
from inspector_app.ui.flow import FlowLayout
from inspector_app.ui.screen import Screen
from inspector_app.ui.widgets import button, card, label, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.readiness import CheckResult

CHOICE_TEXT = {
    "zh": Text("中文", "中文"), "en": Text("English", "English"),
    "normal": Text("标准", "Normal"), "large": Text("大", "Large"), "huge": Text("特大", "Huge"),
    "standard": Text("标准配色", "Standard"), "sunlight": Text("强光高对比度", "Sunlight (high contrast)"),
    "device": Text("本机定位", "This tablet"), "replay": Text("演示回放", "Demo replay"),
    "off": Text("关闭", "Off"),
}
OUTCOME_MARK = {"ok": "✓", "warning": "⚠", "failed": "✗"}


def _scrolled(binder: Any, name: Text) -> tuple[QScrollArea, Any]:
    """A column that scrolls when the text size makes it taller than the screen."""
    holder = QWidget()
    layout = vbox(holder, spacing=16)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(holder)
    binder.name(area, name)
    return area, layout


class SettingsScreen(Screen):
    title = Text("设置与诊断", "Settings and diagnostics")
    needs_officer = False

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        from inspector_app.ui.sync_card import EndpointCard

        columns = self.columns()
        left, left_layout = _scrolled(self.binder, Text("显示与关于", "Display and about"))
        left_layout.addWidget(self._display_card())
        left_layout.addWidget(self._about_card(), 1)
        right, right_layout = _scrolled(self.binder, Text("中心端与自检", "Endpoint and self-test"))
        self.endpoint_card = EndpointCard(self.binder, ctx.sync, self.tr)
        right_layout.addWidget(self.endpoint_card)
        right_layout.addWidget(self._self_test_card(), 1)
        columns.add(left, 1)
        columns.add(right, 1)

    def _display_card(self) -> Any:
        frame, layout = card()
        self.choice_buttons: dict[tuple[str, str], QPushButton] = {}
        for choice in PREFERENCES:
            layout.addWidget(label(self.binder, choice.description, role="heading"))
            layout.addWidget(self._choice_row(choice))
        return frame

    def _choice_row(self, choice: Setting[str]) -> Any:
        group = QButtonGroup(self)
        buttons = []
        for value in choice.allowed:
            widget = button(self.binder, CHOICE_TEXT[value], checkable=True,
                            name=Text("{c}：{v}", "{c}: {v}").format(
                                c=choice.description, v=CHOICE_TEXT[value]))
            widget.clicked.connect(lambda _=False, c=choice.name, v=value: self._choose(c, v))
            group.addButton(widget)
            buttons.append(widget)
            self.choice_buttons[(choice.name, value)] = widget
        holder = QWidget()
        flow = FlowLayout(holder)  # long choices wrap on a portrait tablet
        for widget in buttons:
            flow.addWidget(widget)
        return holder

    def _about_card(self) -> Any:
        frame, layout = card()
        layout.addWidget(label(self.binder, Text("关于本设备", "About this tablet"), role="heading"))
        self.about_label = label(None)
        layout.addWidget(self.about_label)
        layout.addStretch(1)
        self.back_button = button(self.binder, Text("返回", "Back"))
        self.back_button.clicked.connect(self.back)
        layout.addLayout(row(self.back_button))
        return frame

    def _self_test_card(self) -> Any:
        frame, layout = card()
        layout.addWidget(label(self.binder, Text("自检", "Self-test"), role="heading"))
        layout.addWidget(label(self.binder, Text(
            "检查数据库、密钥、二维码识别、摄像头和中心端配置。",
            "Checks the database, keys, QR decoding, camera and the endpoint setting."),
            role="muted"))
        self.self_test_button = button(self.binder, Text("开始自检", "Run the self-test"),
                                       role="primary")
        self.self_test_button.clicked.connect(self.run_self_test)
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.binder.name(self.results, Text("自检结果", "Self-test results"))
        self.results_data: list[CheckResult] = []
        layout.addLayout(row(self.self_test_button))
        layout.addWidget(self.results, 1)
        return frame

    # -- showing --------------------------------------------------------------------

    def enter(self, **_: Any) -> None:
        self._show_choices()
        self._show_about()
        self.ctx.sync.refresh()  # the endpoint card shows the persisted sync state

    def back(self) -> None:
        self.ctx.nav.go("home" if self.ctx.session.active else "signin")

    def _show_choices(self) -> None:
        for (name, value), widget in self.choice_buttons.items():
            widget.setChecked(getattr(self.ctx.preferences, name) == value)

    def _show_about(self) -> None:
        profile = self.ctx.profile
        lines = [
            Text("版本：{v}", "Version: {v}").format(v=__version__),
            Text("数据文件夹：{d}", "Data folder: {d}").format(d=self.ctx.data_dir),
        ]
        if profile is not None:
            lines.append(Text("部门配置：{n}（第 {v} 版）", "Profile: {n} (version {v})").format(
                n=profile.name, v=profile.version))
            lines.append(Text("闲置 {m} 分钟后自动锁定", "Locks after {m} minutes idle").format(
                m=profile.idle_lock_minutes))
        self.about_label.setText("\n".join(self.tr(line) for line in lines))

    def language_changed(self, lang: str) -> None:
        self._show_choices()
        self._show_about()
        self._show_results(self.results_data)

    # -- actions ----------------------------------------------------------------------

    def _choose(self, name: str, value: str) -> None:
        self.ctx.nav.set_preferences(self.ctx.preferences.with_value(name, value))
        self._show_choices()

    def run_self_test(self) -> None:
        from inspector_app.services.readiness import run_self_test

        self.self_test_button.setEnabled(False)
        self.results.clear()
        self.results.addItem(self.tr(Text("正在自检…", "Running…")))

        def done(results: list[CheckResult]) -> None:
            self.self_test_button.setEnabled(True)
            self._show_results(results)

        self.run(run_self_test, done)

    def _show_results(self, results: list[CheckResult]) -> None:
        self.results_data = results
        if not results:
            return
        self.results.clear()
        for result in results:
            self.results.addItem(f"{OUTCOME_MARK[result.outcome]} {self.tr(result.name)}\n"
                                 f"{self.tr(result.detail)}")
