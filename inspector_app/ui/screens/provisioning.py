"""First start on a department's tablet: set it up from IT's provisioning code, no typing.

Shown instead of the sign-in screen when the data folder is empty and the installation
trusts a provisioning key (IT set one at install time).  Two ways in: point the camera
at the printed code and capture it (the photo is decoded by the still-photo pipeline),
or open the package file from a USB stick.  The work — decoding, checking the
signature, asking the centre, creating the ledger, enrolling — runs on a worker of its
own (:func:`inspector_app.services.provisioning.provision`); a refusal is shown in
words and changes nothing, success goes on to the sign-in screen.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtWidgets import QFileDialog

from inspector_app.ui.screen import Screen
from inspector_app.ui.tasks import TaskRunner
from inspector_app.ui.widgets import MessageLine, button, card, label, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.provisioning import ProvisionResult
    from inspector_app.services.workspace import Workspace
    from inspector_app.ui.camera import CameraWorker
    from inspector_app.ui.preview import PreviewWidget


GUIDE = Text("配置码放在框内", "Hold the code inside the frame")


def _no_workspace() -> Workspace:
    # Provisioning makes the workspace; its jobs run before there is one to open.
    return cast("Workspace", None)


class ProvisioningScreen(Screen):
    title = Text("配置平板", "Set up this tablet")
    needs_officer = False

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.worker: CameraWorker | None = None
        self.result: ProvisionResult | None = None
        #: A worker while a package is being applied (there is no ledger to open before).
        self._runner: TaskRunner | None = None
        columns = self.columns()
        left = vbox(spacing=16)
        intro, layout = card()
        layout.addWidget(label(self.binder, Text("首次使用：配置本平板", "First start: set up this "
                                                 "tablet"), role="heading"))
        layout.addWidget(label(self.binder, Text(
            "请扫描信息化部门发放的配置码，或从 U 盘打开配置文件。"
            "平板会自动连接中心端并完成注册，无需输入任何内容。",
            "Scan the provisioning code from department IT, or open the package file from a USB "
            "stick. The tablet connects to the centre and enrols itself; nothing to type.")))
        left.addWidget(intro)
        self.scan_button = button(self.binder, Text("扫描配置码", "Scan the provisioning code"),
                                  role="huge")
        self.scan_button.clicked.connect(self._scan)
        self.capture_button = button(self.binder, Text("拍下配置码", "Capture the code"),
                                     role="primary")
        self.capture_button.clicked.connect(self._capture)
        self.capture_button.hide()
        self.file_button = button(self.binder, Text("从 U 盘打开配置文件", "Open the package file"),
                                  role="huge")
        self.file_button.clicked.connect(self._choose_file)
        left.addWidget(self.scan_button)
        left.addWidget(self.file_button)
        left.addLayout(row(self.capture_button))
        self.message = MessageLine(self.binder)
        left.addWidget(self.message)
        left.addStretch(1)
        columns.add(left, 2)
        self.preview = self._preview()
        columns.add(self.preview, 3)

    def _preview(self) -> PreviewWidget:
        from inspector_app.ui.preview import PreviewWidget

        preview = PreviewWidget()
        preview.show_message(self.tr(GUIDE))
        return preview

    def enter(self, **params: Any) -> None:
        self.message.clear()

    def language_changed(self, lang: str) -> None:
        if self.worker is None:
            self.preview.show_message(self.tr(GUIDE))

    def leave(self) -> None:
        self._stop_camera()
        self._end_runner()

    def _end_runner(self) -> None:
        if self._runner is not None:
            self._runner.shutdown()  # its one job has ended (or the app is closing)
            self._runner = None

    def back(self) -> None:
        """Nowhere to go back to before the tablet is set up."""

    # -- the camera -------------------------------------------------------------------------

    def _scan(self) -> None:
        from inspector_app.ui.camera import CameraWorker

        self._stop_camera()
        index = self.ctx.camera_index if self.ctx.camera_index is not None else 0
        factory = next(iter(self.ctx.extra_sources.values()), None) or _camera(index)
        # Preview and a photo on request: the still pipeline decodes it (try harder).
        worker = CameraWorker(factory, None, None, decode=False)
        worker.preview.connect(self.preview.show_frame)
        worker.captured.connect(self._captured)
        worker.problem.connect(self._camera_problem)
        self.worker = worker
        worker.start()
        self.capture_button.show()
        self.message.show_text("info", Text("将配置码对准框内，然后点“拍下配置码”。",
                                            "Hold the code inside the frame, then tap "
                                            "\"Capture the code\"."))

    def _capture(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            self.worker.request_capture()

    def _captured(self, jpeg: bytes) -> None:
        self._stop_camera()
        folder = Path(tempfile.mkdtemp(prefix="inspector-code-"))
        photo = folder / "code.jpg"
        photo.write_bytes(jpeg)
        self.apply(photo, remove_after=True)

    def _camera_problem(self, error: BaseException) -> None:
        from inspector_app.ui.error_dialogs import is_expected

        self._stop_camera()
        if not is_expected(error):
            self.ctx.nav.report(error)
            return
        self.message.show_text("warn", Text(
            "无法使用摄像头：{e}。请从 U 盘打开配置文件。",
            "The camera cannot be used: {e}. Open the package file from a USB stick instead.")
            .format(e=error.text if hasattr(error, "text") else str(error)))

    def _stop_camera(self) -> None:
        self.capture_button.hide()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    # -- the file and the work -----------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr(Text("选择配置文件", "Choose the provisioning package")), "",
            "Provisioning (*.provision.json *.json *.png *.jpg *.jpeg *.txt)")
        if path:
            self.apply(Path(path))

    def apply(self, path: Path, *, remove_after: bool = False) -> None:
        """Check and apply a package (a file or a photo of a code) on the worker."""
        from inspector_app.services.provisioning import provision, read_source

        data_dir = self.ctx.data_dir
        self._busy(True)
        self.message.show_text("info", Text("正在核验配置码并连接中心端…",
                                            "Checking the code and contacting the centre…"))

        def job(_nothing: Workspace) -> ProvisionResult:
            try:
                return provision(data_dir, read_source(path))
            finally:
                if remove_after:
                    path.unlink(missing_ok=True)
                    path.parent.rmdir()

        self._end_runner()
        self._runner = TaskRunner(_no_workspace, self.ctx.nav.report, name="provisioning-worker")
        self._runner.run(job, self._done, self._refused)

    def _done(self, result: ProvisionResult) -> None:
        self.result = result
        self._busy(False)
        self._end_runner()
        self.ctx.nav.go("signin")

    def _refused(self, error: BaseException) -> None:
        self._busy(False)
        self._end_runner()
        self.shown_in(self.message)(error)

    def _busy(self, busy: bool) -> None:
        self.scan_button.setEnabled(not busy)
        self.file_button.setEnabled(not busy)


def _camera(index: int) -> Any:
    def make() -> Any:
        from inspector_app.scanning.sources import CameraSource

        return CameraSource(index)

    return make
