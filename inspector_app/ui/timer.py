"""A running visit timer that survives restarts without reading the disk every second.

The elapsed time is derived from the visit's events (``Visit.duration(now)``,
on the worker); from then on the label counts on the GUI thread's monotonic
clock, and re-derives from the ledger once a minute so it never drifts from
what the record will say.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer
from PySide6.QtWidgets import QLabel

RESYNC_MS = 60_000


def clock_text(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours:d}:{rest // 60:02d}:{rest % 60:02d}"


class RunningTimer(QObject):
    def __init__(self, label: QLabel, resync: Callable[[], None] | None = None) -> None:
        super().__init__(label)
        self._label = label
        self._base_s = 0
        self._since = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(250)  # several ticks a second: the seconds never skip
        self._tick.timeout.connect(self._show)
        self._resync = QTimer(self)
        self._resync.setInterval(RESYNC_MS)
        if resync is not None:
            self._resync.timeout.connect(resync)

    def start_from(self, seconds: int) -> None:
        """The visit had been running ``seconds`` when the ledger was read."""
        self._base_s = seconds
        self._since.start()
        self._show()
        self._tick.start()
        self._resync.start()

    def show_final(self, seconds: int) -> None:
        self.stop()
        self._label.setText(clock_text(seconds))

    def stop(self) -> None:
        self._tick.stop()
        self._resync.stop()

    def seconds(self) -> int:
        return self._base_s + self._since.elapsed() // 1000 if self._since.isValid() else 0

    def _show(self) -> None:
        self._label.setText(clock_text(self.seconds()))
