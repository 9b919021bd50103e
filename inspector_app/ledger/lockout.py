"""Back-off after wrong passphrases that survives restarts and clock changes.

The state lives in the ledger database, so quitting the app does not reset
it.  The wait is measured on the boot counter (see :mod:`inspector_app.platform.clock`),
so moving the wall clock forward does not shorten it.  After a reboot the
boot counter restarts and elapsed time is unknowable without trusting the wall
clock, so the whole wait starts again: rebooting never helps a guesser.

An attempt is counted as failed *before* the passphrase is tried and cleared
only after success, so killing the app in the middle of a guess still counts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from inspector_app.ledger.db import write_transaction
from inspector_app.platform.clock import TimeReading
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

FREE_ATTEMPTS = 3
FIRST_LOCK_MS = 30_000
MAX_LOCK_MS = 60 * 60_000


def lock_ms_after(failures: int) -> int:
    """How long to lock after ``failures`` consecutive wrong passphrases."""
    if failures < FREE_ATTEMPTS:
        return 0
    return int(min(FIRST_LOCK_MS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK_MS))


class LockedOut(UserError):
    def __init__(self, remaining_s: int) -> None:
        super().__init__(
            Text("密码错误次数过多，请在 {s} 秒后重试。",
                 "Too many wrong passphrases; try again in {s} seconds.").format(s=remaining_s),
            code="auth.locked",
        )
        self.remaining_s = remaining_s


class WrongPassphraseError(UserError):
    def __init__(self, attempts_left: int, next_lock_s: int) -> None:
        text = (
            Text("密码错误，还可尝试 {n} 次。", "Wrong passphrase; {n} attempt(s) left before a wait.")
            .format(n=attempts_left)
            if attempts_left > 0
            else Text("密码错误，需等待 {s} 秒后重试。",
                      "Wrong passphrase; wait {s} seconds before the next try.").format(s=next_lock_s)
        )
        super().__init__(text, code="auth.wrong_passphrase")
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class GuardState:
    failures: int
    lock_boot_id: str | None
    lock_boot_ns: int | None
    lock_ms: int


class PassphraseGuard:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def state(self, credential: str) -> GuardState:
        row = self._conn.execute(
            "SELECT failures, lock_boot_id, lock_boot_ns, lock_ms FROM passphrase_guard "
            "WHERE credential = ?", (credential,)
        ).fetchone()
        return GuardState(*row) if row else GuardState(0, None, None, 0)

    def remaining_ms(self, credential: str, now: TimeReading) -> int:
        state = self.state(credential)
        if state.lock_ms == 0 or state.lock_boot_ns is None:
            return 0
        if state.lock_boot_id != now.boot_id:
            self._reanchor(credential, now)
            return state.lock_ms
        elapsed_ms = (now.boot_ns - state.lock_boot_ns) // 1_000_000
        return max(0, state.lock_ms - elapsed_ms)

    def begin_attempt(self, credential: str, now: TimeReading) -> None:
        """Refuse while locked; otherwise count this attempt as failed until it succeeds."""
        remaining = self.remaining_ms(credential, now)
        if remaining > 0:
            raise LockedOut(-(-remaining // 1000))
        with write_transaction(self._conn):
            failures = self.state(credential).failures + 1
            self._conn.execute(
                "INSERT INTO passphrase_guard (credential, failures, lock_boot_id, lock_boot_ns,"
                " lock_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT(credential) DO UPDATE SET "
                "failures = excluded.failures, lock_boot_id = excluded.lock_boot_id, "
                "lock_boot_ns = excluded.lock_boot_ns, lock_ms = excluded.lock_ms",
                (credential, failures, now.boot_id, now.boot_ns, lock_ms_after(failures)),
            )

    def failed(self, credential: str) -> WrongPassphraseError:
        failures = self.state(credential).failures
        return WrongPassphraseError(
            max(0, FREE_ATTEMPTS - failures), lock_ms_after(failures) // 1000
        )

    def succeeded(self, credential: str) -> None:
        with write_transaction(self._conn):
            self._conn.execute("DELETE FROM passphrase_guard WHERE credential = ?", (credential,))

    def _reanchor(self, credential: str, now: TimeReading) -> None:
        with write_transaction(self._conn):
            self._conn.execute(
                "UPDATE passphrase_guard SET lock_boot_id = ?, lock_boot_ns = ? "
                "WHERE credential = ?", (now.boot_id, now.boot_ns, credential),
            )
