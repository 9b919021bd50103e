"""The app shell: build the window around a data folder and run it.

Start-up is kept lean so the first window is painted quickly: only Qt and the
shell are imported on the GUI thread before the first paint; the ledger,
cryptography and the profile are loaded by the ledger worker when the sign-in
screen asks for the officers.  A fresh data folder is initialised with the
demo profile, so the app runs on its embedded defaults.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtWidgets import QApplication

from inspector_app.platform.provisioning_keys import needs_provisioning
from inspector_app.platform.settings import Preferences, load_preferences, save_preferences
from inspector_app.ui.context import AppContext
from inspector_app.ui.i18n import LanguageState
from inspector_app.ui.main_window import MainWindow
from inspector_app.ui.session import Session
from inspector_app.ui.tasks import TaskRunner
from inspector_app.ui.theme import apply_theme
from inspector_protocol.text import Lang

if TYPE_CHECKING:
    from inspector_app.platform.clock import Clock
    from inspector_app.services.workspace import Workspace

log = logging.getLogger(__name__)
#: What counts as the officer working (the heap is settled only after none for a while).
_INPUT = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.Wheel, QEvent.Type.InputMethod,
})
#: The tablet's screen, landscape.
WINDOW_SIZE = (1280, 800)


class HeapSettler(QObject):
    """Once after start-up, when the tablet is left alone: collect, then freeze the heap.

    Modules, screens and styles live as long as the app; left in the collector's
    generations, every later full collection would rescan them on the GUI thread.
    Frozen, they are skipped.  The collection itself holds the GUI thread for tens of
    milliseconds (it visits every object the app holds), so it never runs while an
    officer is working: only while nobody is signed in (the sign-in screen after
    start-up, or once the tablet has locked), nothing was touched for :attr:`quiet_ms`
    and no job is waiting.  It watches input only until then.
    """

    def __init__(self, busy: Callable[[], bool], quiet_ms: int = 5_000) -> None:
        """``busy``: true while the settling must wait (a job queued, an officer signed in)."""
        super().__init__()
        self._busy = busy
        self.quiet_ms = quiet_ms
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        #: How many times the heap was settled (once at most), and how long the last took.
        self.settles = 0
        self.last_ms = 0.0
        self.armed = False

    def arm(self) -> None:
        """Start waiting for a quiet moment (called once the screens are warm)."""
        app = QApplication.instance()
        if self.settles or self.armed or app is None:
            return
        self.armed = True
        app.installEventFilter(self)
        self._timer.start(self.quiet_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self._last_input = time.monotonic()
        return False

    def _check(self) -> None:
        quiet_ms = (time.monotonic() - self._last_input) * 1000
        if quiet_ms < self.quiet_ms or self._busy():
            self._timer.start(max(200, int(self.quiet_ms - quiet_ms)))
            return
        self.settle()

    def settle(self) -> None:
        started = time.perf_counter()
        gc.collect()
        gc.freeze()
        self.last_ms = (time.perf_counter() - started) * 1000
        self.settles += 1
        self._timer.stop()
        app = QApplication.instance()
        if self.armed and app is not None:
            app.removeEventFilter(self)
        self.armed = False
        log.info("heap settled in %.1f ms (%d objects frozen)", self.last_ms,
                 gc.get_freeze_count())


@dataclass
class App:
    qt: QApplication
    window: MainWindow
    ctx: AppContext
    heap: HeapSettler

    def start_background(self) -> None:
        """What follows the first paint, while the officer signs in: warming the screens one
        per turn, then automatic sync and the network watch, then settling the heap at the
        first quiet moment with nobody signed in."""

        def warmed() -> None:
            self.ctx.sync.start()
            self.heap.arm()

        QTimer.singleShot(500, lambda: self.window.warm_all_later(warmed))

    def close(self) -> None:
        from inspector_app.ui.camera import wait_for_stopped_cameras

        self.ctx.sync.stop()
        if self.ctx.qt_language is not None:
            self.ctx.qt_language.remove()
        if self.ctx.position is not None:
            self.ctx.position.stop()
        self.window.close()
        wait_for_stopped_cameras()
        self.ctx.tasks.shutdown()
        self.ctx.sync.shutdown()
        self.window.deleteLater()  # a closed window is not deleted by itself


def open_or_init(data_dir: Path, clock: Clock | None = None) -> Workspace:
    """Runs on the ledger worker: the ledger in ``data_dir``, created on a fresh machine."""
    from inspector_app.services.workspace import init_workspace, is_initialised, open_workspace

    if not is_initialised(data_dir):
        if needs_provisioning(data_dir):  # the provisioning screen makes it
            from inspector_app.services.provisioning import NotSetUp

            raise NotSetUp()
        return init_workspace(data_dir, clock=clock)
    return open_workspace(data_dir, clock)


def build_app(data_dir: Path, *, lang: Lang | None = None, clock: Clock | None = None,
              preferences: Preferences | None = None) -> App:
    qt = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    qt.setApplicationName("inspector")
    qt.setDesktopFileName("inspector")  # positioning services ask which app wants a fix
    # Read before the event loop starts (a few bytes), so the first paint is already in
    # the officer's language and theme; every later write goes through the worker.
    prefs = preferences or load_preferences(data_dir, lang)
    if lang is not None:
        prefs = prefs.with_value("language", lang)
    window = MainWindow()
    tasks = TaskRunner(lambda: open_or_init(data_dir, clock), window.report)
    session = Session()
    from inspector_app.ui.sync_driver import SyncDriver

    def open_for_sync() -> Workspace:  # on the sync worker: a second connection
        from inspector_app.services.workspace import open_workspace

        return open_workspace(data_dir, clock)

    sync = SyncDriver(tasks, TaskRunner(open_for_sync, window.report, name="sync-worker"))
    ctx = AppContext(data_dir, LanguageState(cast(Lang, prefs.language)), tasks, session, window,
                     prefs, sync)
    qt.installEventFilter(session)
    from inspector_app.ui.qt_language import QtLanguage

    qt_language = QtLanguage()
    qt_language.apply(prefs.language)
    ctx.lang.changed.connect(qt_language.apply)
    ctx.qt_language = qt_language
    apply_theme(qt, prefs.theme, prefs.text_size)
    window.attach(ctx)
    window.resize(initial_size(qt))
    # First start on a department's tablet: set it up from IT's provisioning code.
    window.go("provisioning" if needs_provisioning(data_dir) else "signin")
    return App(qt, window, ctx, HeapSettler(lambda: tasks.busy or session.active))


def initial_size(qt: QApplication) -> QSize:
    """1280x800, or the screen's free area where that is smaller (a portrait tablet is 800
    wide: a fixed landscape window would run off it)."""
    wanted = QSize(*WINDOW_SIZE)
    free = qt.primaryScreen().availableGeometry().size()
    return wanted.boundedTo(free) if free.isValid() and not free.isEmpty() else wanted


def apply_preferences(ctx: AppContext, preferences: Preferences) -> None:
    qt = cast(QApplication, QApplication.instance())
    if (preferences.theme, preferences.text_size) != (ctx.preferences.theme,
                                                      ctx.preferences.text_size):
        apply_theme(qt, preferences.theme, preferences.text_size)
    ctx.preferences = preferences
    ctx.lang.set_lang(cast(Lang, preferences.language))
    folder = ctx.data_dir
    ctx.tasks.run(lambda ws: save_preferences(folder, preferences), lambda _: None)


class _FirstPaint(QObject):
    """Quits the app with status 0 once the window has painted (``--startup-probe``)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self._app = app
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._seen:
            self._seen = True
            # After this paint event is delivered, not during it.
            QTimer.singleShot(0, lambda: self._app.exit(0))
        return False


def run(data_dir: Path, *, lang: Lang | None = None, startup_probe: bool = False) -> int:
    app = build_app(data_dir, lang=lang)
    probe = _FirstPaint(app.qt)
    if startup_probe:
        app.window.installEventFilter(probe)
    previous_hook = sys.excepthook

    def report_bug(kind: type[BaseException], error: BaseException,
                   trace: TracebackType | None) -> None:
        # A slot raised: log it with its traceback and show the crash dialog; keep running.
        app.window.report(error.with_traceback(trace))

    sys.excepthook = report_bug
    app.start_background()
    try:
        app.window.show()
        status = app.qt.exec()
    finally:
        sys.excepthook = previous_hook
        app.close()
    return int(status)
