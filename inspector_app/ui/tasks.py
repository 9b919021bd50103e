"""The one way to run work off the GUI thread: worker threads that each own a workspace.

Every call that touches the ledger (opening it, unlocking a key — scrypt takes
~0.1 s —, signing, verifying, exporting) is submitted to a :class:`TaskRunner`
as a function of the :class:`~inspector_app.services.workspace.Workspace`.  A runner runs its
jobs one at a time, in the order submitted, on one thread that holds its own
database connection; results and errors come back to the GUI thread by queued
signal and are handed to the callbacks given with the job.

The app has two runners.  The ledger worker runs everything the officer does:
one thread (not a pool) keeps the ledger's appends in the order the officer made
them.  The sync worker runs only sync, on a second connection to the same
ledger (WAL lets both read while one writes; each write is a short
``BEGIN IMMEDIATE`` transaction and waits for the other's under the busy
timeout), so a tap never waits behind a sync's HTTP requests and retries.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    # Only for annotations: the core is imported by the worker, after the first paint.
    from inspector_app.services.workspace import Workspace

T = TypeVar("T")
log = logging.getLogger(__name__)

Job = Callable[["Workspace"], Any]
ErrorHandler = Callable[[BaseException], None]


@dataclass(frozen=True)
class _Submitted:
    number: int
    job: Job


class _Runner(QObject):
    """Lives on the worker thread; runs jobs against the workspace it opened."""

    done = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, open_workspace: Callable[[], Workspace]) -> None:
        super().__init__()
        self._open = open_workspace
        self._workspace: Workspace | None = None

    @Slot(object)
    def run(self, submitted: _Submitted) -> None:
        try:
            if self._workspace is None:
                self._workspace = self._open()
            result = submitted.job(self._workspace)
        except Exception as exc:  # noqa: BLE001 — every failure goes back to the GUI, which
            # shows a person-meant error or reports a bug with its traceback (nothing is lost).
            self.failed.emit(submitted.number, _environment_or_bug(exc, self._workspace))
        else:
            self.done.emit(submitted.number, result)

    @Slot()
    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None


def _environment_or_bug(error: Exception, workspace: Workspace | None) -> BaseException:
    """A full disk or a locked database becomes the environment problem it is (shown with
    what to do), not a crash dialog; anything else goes on unchanged."""
    from inspector_protocol.environment import classify

    return classify(error, where=None if workspace is None else workspace.data_dir) or error


class TaskRunner(QObject):
    """GUI-thread side: submit jobs, get callbacks on the GUI thread."""

    _submit = Signal(object)
    _close = Signal()
    #: True while jobs are waiting or running (screens show a busy cue).
    busy_changed = Signal(bool)

    def __init__(self, open_workspace: Callable[[], Workspace], on_unhandled: ErrorHandler,
                 *, name: str = "ledger-worker") -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner = _Runner(open_workspace)
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._close.connect(self._runner.close)
        self._runner.done.connect(self._finished)
        self._runner.failed.connect(self._failed)
        self._callbacks: dict[int, tuple[Callable[[Any], None], ErrorHandler | None]] = {}
        self._numbers = itertools.count(1)
        self._on_unhandled = on_unhandled
        self._thread.start()

    def run(self, job: Callable[[Workspace], T], on_done: Callable[[T], None],
            on_error: ErrorHandler | None = None) -> None:
        """Run ``job(workspace)`` on the worker; ``on_done(result)`` or ``on_error(exc)``
        follow on the GUI thread.  Errors without a handler go to the app's reporter."""
        number = next(self._numbers)
        self._callbacks[number] = (on_done, on_error)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(_Submitted(number, job))

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def shutdown(self) -> None:
        """Finish the queued jobs, close the ledger connection and stop the thread."""
        if not self._thread.isRunning():
            return
        self._close.emit()
        self._thread.quit()
        self._thread.wait()

    @Slot(int, object)
    def _finished(self, number: int, result: object) -> None:
        on_done, _ = self._pop(number)
        on_done(result)

    @Slot(int, object)
    def _failed(self, number: int, error: object) -> None:
        _, on_error = self._pop(number)
        assert isinstance(error, BaseException)
        (on_error or self._on_unhandled)(error)

    def _pop(self, number: int) -> tuple[Callable[[Any], None], ErrorHandler | None]:
        callbacks = self._callbacks.pop(number)
        if not self._callbacks:
            self.busy_changed.emit(False)
        return callbacks
