"""Scan: the camera preview decoded in a worker, or the USCC typed with live validation.

The same screen serves the gate (check-in) and the exit (check-out); at the
exit the code must be the visit's enterprise.  A verified code goes straight
on; an unverified (legacy) code is shown in amber and needs a tap to go on; a
rejected code is shown in red with the reason, and scanning continues.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox

from inspector_app.services.cameras import find_cameras
from inspector_app.ui.preview import PreviewWidget
from inspector_app.ui.screen import Screen
from inspector_app.ui.widgets import MessageLine, button, card, label, line_edit, row, set_role, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.scanning.classify import PayloadVerdict
    from inspector_app.ui.camera import CameraWorker
    from inspector_app.ui.context import SourceFactory

DEMO_SOURCE = "demo"
FILE_SOURCE = "file"


@dataclass(frozen=True)
class EnterpriseChoice:
    """The enterprise a scan or typed entry identified, and how."""

    uscc: str
    name: str | None
    #: "signed", "legacy" or "typed" (as recorded in the check-in).
    code: str

    @property
    def badge(self) -> Text:
        return {"signed": Text("✓ 已验证的企业码", "✓ Verified enterprise code"),
                "legacy": Text("⚠ 未验证的旧版二维码", "⚠ Unverified (old-style) code"),
                }.get(self.code, Text("⌨ 手工输入的代码", "⌨ Typed code"))


class ScanScreen(Screen):
    title = Text("扫描企业二维码", "Scan the enterprise code")

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.purpose = "checkin"
        self.visit_id: str | None = None
        self.expected_uscc: str | None = None
        self.worker: CameraWorker | None = None
        #: Bumped whenever the camera is stopped, so a start that was waiting is dropped.
        self._camera_request = 0
        self.pending: EnterpriseChoice | None = None
        self._sources: dict[str, SourceFactory] = {}
        columns = self.columns()
        columns.add(self._camera_column(), 3)
        columns.add(self._side_column(), 2, stacked_stretch=0)

    def _camera_column(self) -> Any:
        column = vbox(spacing=10)
        self.preview = PreviewWidget()
        self.binder.name(self.preview, Text("摄像头画面", "Camera preview"))
        self.source_picker = QComboBox()
        self.binder.name(self.source_picker, Text("选择摄像头", "Choose the camera"))
        self.binder.placeholder(self.source_picker, Text("选择画面来源…", "Choose a source…"))
        self.source_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.source_picker.activated.connect(lambda _: self._start_selected())
        self.still_button = button(self.binder, Text("看不清？加强识别", "Hard to read? Try harder"))
        self.still_button.clicked.connect(self._try_harder)
        column.addWidget(self.preview, 1)
        column.addLayout(row(self.source_picker, self.still_button, stretch_last=True))
        return column

    def _side_column(self) -> Any:
        column = vbox(spacing=14)
        self.purpose_label = label(None, role="heading")
        column.addWidget(self.purpose_label)
        self.verdict_frame, verdict = card()
        self.verdict_label = MessageLine(self.binder)
        self.verdict_name = label(None, role="heading")
        self.continue_button = button(self.binder, Text("以未验证代码继续", "Continue with this "
                                                        "unverified code"), role="primary")
        self.continue_button.clicked.connect(self._continue_pending)
        verdict.addWidget(self.verdict_label)
        verdict.addWidget(self.verdict_name)
        verdict.addWidget(self.continue_button)
        self.verdict_frame.hide()
        column.addWidget(self.verdict_frame)
        typed, layout = card()
        layout.addWidget(label(self.binder, Text("或手工输入统一社会信用代码",
                                                 "Or type the unified social credit code (USCC)")))
        self.uscc_edit = line_edit(self.binder, Text("统一社会信用代码（18 位）",
                                                     "USCC (18 characters)"))
        self.uscc_edit.setMaxLength(24)
        self.uscc_edit.textChanged.connect(self._validate_typed)
        self.uscc_edit.returnPressed.connect(self._use_typed)
        self.typed_message = label(None)
        self.use_typed_button = button(self.binder, Text("使用此代码", "Use this code"),
                                       role="primary")
        self.use_typed_button.clicked.connect(self._use_typed)
        self.use_typed_button.setEnabled(False)
        for widget in (self.uscc_edit, self.typed_message, self.use_typed_button):
            layout.addWidget(widget)
        column.addWidget(typed)
        column.addStretch(1)
        self.back_button = button(self.binder, Text("返回", "Back"))
        self.back_button.clicked.connect(self.back)
        column.addWidget(self.back_button)
        return column

    # -- entering and leaving --------------------------------------------------------

    def enter(self, purpose: str = "checkin", visit_id: str | None = None,
              expected_uscc: str | None = None, **_: Any) -> None:
        self.purpose, self.visit_id, self.expected_uscc = purpose, visit_id, expected_uscc
        self.purpose_label.setText(self.tr(
            Text("离开时再次扫码签退", "Scan again at the exit to check out")
            if purpose == "checkout" else Text("请将二维码置于框内", "Hold the code inside the frame")))
        self.uscc_edit.clear()
        self.verdict_frame.hide()
        self.pending = None
        self._validate_typed("")
        self.preview.clear()
        self.preview.show_message(self.tr(Text("正在查找摄像头…", "Looking for cameras…")))
        self.run(lambda ws: find_cameras(), self._fill_sources)
        self.uscc_edit.setFocus()

    def leave(self) -> None:
        self._stop_camera()

    def back(self) -> None:
        if self.purpose == "checkout" and self.visit_id:
            self.ctx.nav.go("checkout", visit_id=self.visit_id)
        else:
            self.ctx.nav.go("home")

    # -- sources ----------------------------------------------------------------------

    def _fill_sources(self, cameras: list[Any]) -> None:
        from inspector_app.scanning.demo_source import DemoPosterSource

        self._sources = {}
        self.ctx.cameras_known = True
        self.ctx.camera_index = cameras[0].index if cameras else None
        self.source_picker.clear()
        for camera in cameras:
            key = f"camera:{camera.index}"
            self._sources[key] = _camera_factory(camera.index)
            self.source_picker.addItem(self.tr(Text("摄像头：{n}", "Camera: {n}").format(
                n=camera.name)), key)
        for name, factory in self.ctx.extra_sources.items():
            self._sources[name] = factory
            self.source_picker.addItem(name, name)
        self._sources[DEMO_SOURCE] = DemoPosterSource
        self.source_picker.addItem(self.tr(Text("演示海报（模拟摄像头）", "Demo poster (simulated camera)")),
                                   DEMO_SOURCE)
        self.source_picker.addItem(self.tr(Text("打开视频文件…", "Open a video file…")), FILE_SOURCE)
        if not cameras and not self.ctx.extra_sources:
            self.preview.show_message(self.tr(Text(
                "未找到摄像头。\n请手工输入代码，或选择演示海报或视频文件。",
                "No camera found.\nType the code, or choose the demo poster or a video file.")))
            self.source_picker.setCurrentIndex(-1)
            return
        self.source_picker.setCurrentIndex(0)
        self._start_selected()

    def _start_selected(self) -> None:
        key = self.source_picker.currentData()
        if key == FILE_SOURCE:
            from inspector_app.ui.qt_language import choose_file

            path = choose_file(self, self.tr(Text("选择视频文件", "Choose a video file")),
                               self.tr(Text("视频", "Video")) +
                               " (*.mp4 *.avi *.mkv *.mov *.webm *.m4v)")
            if path is None:
                return
            self._start(_video_factory(path), replay=True)
        elif key in self._sources:
            self._start(self._sources[key], replay=not str(key).startswith("camera:"))

    def _start(self, factory: SourceFactory, *, replay: bool) -> None:
        from inspector_app.services.code_trust import trusted_profile

        self._stop_camera()
        if self.ctx.profile is None:
            return
        self.preview.show_message(self.tr(Text("正在启动…", "Starting…")))
        # Codes are verified against the profile's issuer keys and those pulled by sync
        # (revocations included), read on the database worker.
        request = self._camera_request
        self.run(trusted_profile,
                 lambda trusted: self._start_with(factory, replay, trusted, request))

    def _start_with(self, factory: SourceFactory, replay: bool, trusted: Profile,
                    request: int) -> None:
        from inspector_app.ui.camera import CameraWorker

        if request != self._camera_request:
            return  # the screen was left, or another camera chosen, meanwhile
        self._stop_camera()
        worker = CameraWorker(factory, trusted, self.ctx.replay_fps if replay else None)
        worker.preview.connect(self.preview.show_frame)
        worker.state_changed.connect(self._camera_state)
        worker.accepted.connect(self._accepted)
        worker.problem.connect(self._camera_problem)
        worker.still_result.connect(self._still_result)
        self.worker = worker
        worker.start()

    def _stop_camera(self) -> None:
        self._camera_request += 1
        if self.worker is not None:
            self.worker.stop()  # it deletes itself once its thread has ended
            self.worker = None

    def _camera_state(self, state: str) -> None:
        self.preview.show_message(self.tr({
            "streaming": Text("", ""),
            "reconnecting": Text("摄像头断开，正在重新连接…", "Camera lost; reconnecting…"),
            "ended": Text("视频已结束。", "The video has ended."),
            "no_camera": Text("未找到摄像头：请手工输入代码。", "No camera: type the code instead."),
        }[state]))

    def _camera_problem(self, error: BaseException) -> None:
        from inspector_app.ui.error_dialogs import is_expected

        if not is_expected(error):
            self.ctx.nav.report(error)
            return
        from inspector_app.ui.widgets import error_text

        self.preview.show_message(self.tr(error_text(error)))

    def _try_harder(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            self.worker.request_still()

    def _still_result(self, verdict: PayloadVerdict | None) -> None:
        if verdict is None:
            self._show_verdict("error", Text("这张画面中没有找到二维码。请靠近一些，避免反光。",
                                             "No code found in this picture. Move closer and "
                                             "avoid glare."), None)
        else:
            self._accepted(verdict)

    # -- verdicts ----------------------------------------------------------------------

    def _accepted(self, verdict: PayloadVerdict) -> None:
        if verdict.status == "rejected" or verdict.uscc is None:
            self.preview.flash("#d0021b")
            self._show_verdict("error", Text("无法使用此二维码：{r}", "This code cannot be used: {r}")
                               .format(r=verdict.reason.text), None)
            return
        choice = EnterpriseChoice(verdict.uscc, verdict.name or self._registered_name(verdict.uscc),
                                  "signed" if verdict.kind == "signed" else "legacy")
        if verdict.status == "verified":
            self.preview.flash("#1fbf4f")
            self.proceed(choice)
        else:
            self.preview.flash("#ffb000")
            self._show_verdict("warn", verdict.reason.text, choice)

    def _show_verdict(self, tone: str, text: Text, choice: EnterpriseChoice | None) -> None:
        self.pending = choice
        self.verdict_label.show_text(tone, text)
        self.verdict_name.setText("" if choice is None else f"{choice.name or ''}\n{choice.uscc}")
        self.continue_button.setVisible(choice is not None)
        self.verdict_frame.show()

    def _continue_pending(self) -> None:
        if self.pending is not None:
            self.proceed(self.pending)

    def proceed(self, choice: EnterpriseChoice) -> None:
        """Go on with an identified enterprise (to check-in, or back to check-out)."""
        if self.purpose == "checkout":
            if self.expected_uscc and choice.uscc != self.expected_uscc:
                self._show_verdict("error", Text(
                    "这不是本次检查的企业（{got}）。请扫描该企业的二维码。",
                    "This is not the enterprise of this visit ({got}). Scan its own code.")
                    .format(got=choice.name or choice.uscc), None)
                return
            self.ctx.nav.go("checkout", visit_id=self.visit_id, exit_scan=choice.code)
            return
        self.ctx.nav.go("checkin", enterprise=choice)

    # -- typed entry ----------------------------------------------------------------------

    def _validate_typed(self, text: str) -> None:
        from inspector_protocol.uscc import InvalidUSCC, normalise, parse_uscc

        code = normalise(text)
        valid = False
        if not code:
            message, tone = Text("18 位，由数字和大写字母组成。", "18 digits and capital letters."), "muted"
        else:
            try:
                uscc = parse_uscc(code)
            except InvalidUSCC as exc:
                incomplete = exc.reason == "length" and len(code) < 18
                message = (Text("已输入 {n}/18 位", "{n} of 18 characters").format(n=len(code))
                           if incomplete else exc.text)
                tone = "muted" if incomplete else "error"
            else:
                valid = True
                name = self._registered_name(uscc.value)
                message = (Text("✓ 代码有效：{name}", "✓ Valid code: {name}").format(name=name) if name
                           else Text("✓ 代码有效（企业不在本地名录中）",
                                     "✓ Valid code (enterprise not in the local registry)"))
                tone = "ok"
        self.binder.text(self.typed_message, message)
        set_role(self.typed_message, "tone", tone if tone != "muted" else None)
        set_role(self.typed_message, "role", "muted" if tone == "muted" else None)
        set_role(self.uscc_edit, "invalid", tone == "error")
        set_role(self.uscc_edit, "valid", valid)
        self.use_typed_button.setEnabled(valid)

    def _use_typed(self) -> None:
        from inspector_protocol.uscc import InvalidUSCC, parse_uscc

        try:
            uscc = parse_uscc(self.uscc_edit.text()).value
        except InvalidUSCC:
            return
        self.proceed(EnterpriseChoice(uscc, self._registered_name(uscc), "typed"))

    def _registered_name(self, uscc: str) -> str | None:
        from inspector_protocol.uscc import USCC

        record = self.ctx.profile.enterprise(USCC(uscc)) if self.ctx.profile else None
        return record.name if record else None


def _camera_factory(index: int) -> SourceFactory:
    def make() -> Any:
        from inspector_app.scanning.sources import CameraSource

        return CameraSource(index)

    return make


def _video_factory(path: Path) -> SourceFactory:
    def make() -> Any:
        from inspector_app.scanning.sources import VideoFileSource

        return VideoFileSource(path)

    return make
