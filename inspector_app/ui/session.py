"""Who is signed in, and locking the tablet when it is left alone.

The officer's unlocked signing key lives only here, in memory, while they are
signed in.  Any touch, click or key press anywhere in the app restarts the
idle timer; when it runs out (``idle_lock_minutes`` from the profile) the key
is dropped and the sign-in screen comes back.  A visit in progress stays open:
its timer is derived from the ledger, not from this session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

if TYPE_CHECKING:
    from inspector_protocol.keys import Signer

_ACTIVITY = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin,
    QEvent.Type.Wheel, QEvent.Type.TouchUpdate,
})


@dataclass(frozen=True)
class Officer:
    credential: str
    name: str
    department: str


class Session(QObject):
    signed_in = Signal()
    #: Emitted with the credential of the officer who was signed in (for a quick re-entry).
    locked = Signal(str)
    #: Emitted just before the key is dropped: last chance to record what was typed.
    locking = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.signer: Signer | None = None
        self.officer: Officer | None = None
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.lock)

    @property
    def active(self) -> bool:
        return self.signer is not None

    def set_idle_minutes(self, minutes: int) -> None:
        self._idle.setInterval(max(1, minutes) * 60_000)

    def set_idle_ms(self, milliseconds: int) -> None:
        """For tests and demonstrations: a shorter idle time."""
        self._idle.setInterval(milliseconds)

    def sign_in(self, signer: Signer, officer: Officer) -> None:
        self.signer, self.officer = signer, officer
        self._idle.start()
        self.signed_in.emit()

    def lock(self) -> None:
        if self.officer is None:
            return
        self.locking.emit()
        credential = self.officer.credential
        self.signer, self.officer = None, None
        self._idle.stop()
        self.locked.emit(credential)

    def touch(self) -> None:
        if self.signer is not None:
            self._idle.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.touch()
        return False
