"""A short PIN that re-opens the officer's key for a few hours after a full sign-in.

The idle lock drops the officer's key from memory; typing a long passphrase with gloves
at every lock is what made officers hate it.  After signing in with the passphrase, an
officer may set a PIN of :data:`PIN_DIGITS` digits.  The key is then also kept wrapped
under that PIN (scrypt and ChaCha20-Poly1305, :mod:`.key_wrapping`: never in clear, the
PIN itself never stored), and only

* until :data:`VALID_HOURS` after the sign-in, measured on the boot counter, so moving
  the wall clock does not extend it, and
* in the same boot: a restart of the tablet needs the passphrase, and
* for :data:`ATTEMPTS` wrong PINs: the attempt is counted before the PIN is tried (as
  for passphrases), and at the last wrong one the PIN-wrapped copy is erased, so the
  passphrase is needed again.  That is the lockout: guessing a PIN on the tablet gives
  three tries in a million, then nothing.

What it does not protect against, stated plainly (see ``docs/gui.md``): someone who copies
the database file while a PIN is valid may try all 10^6 PINs offline at scrypt's cost
(about a day of one processor core at the tablet's parameters).  The window is hours, the
copy is erased when it expires or is locked out, and the officer's key can be withdrawn at
the centre.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app.ledger.db import write_transaction
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.platform.clock import TimeReading
    from inspector_protocol import keys

PIN_DIGITS = 6
VALID_HOURS = 4
ATTEMPTS = 3
_HOUR_NS = 3600 * 1_000_000_000


class QuickUnlockUnavailable(UserError):
    def __init__(self) -> None:
        super().__init__(Text("快速解锁已失效，请输入密码登录。",
                              "Quick unlock has expired; sign in with your passphrase."),
                         code="auth.quick_unlock_unavailable")


class WrongPin(UserError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(
            Text("PIN 错误，还可尝试 {n} 次。", "Wrong PIN; {n} attempt(s) left.").format(n=attempts_left)
            if attempts_left else
            Text("PIN 错误次数过多，快速解锁已关闭：请输入密码登录。",
                 "Too many wrong PINs: quick unlock is off; sign in with your passphrase."),
            code="auth.wrong_pin")
        self.attempts_left = attempts_left


def check_pin_policy(pin: str) -> None:
    if len(pin) != PIN_DIGITS or not pin.isascii() or not pin.isdigit():
        raise UserError(Text("PIN 须为 {n} 位数字。", "A PIN is {n} digits.").format(n=PIN_DIGITS),
                        code="auth.bad_pin")


@dataclass(frozen=True)
class QuickUnlock:
    credential: str
    boot_id: str
    deadline_boot_ns: int
    failures: int

    def valid_at(self, now: TimeReading) -> bool:
        return (self.boot_id == now.boot_id and now.boot_ns < self.deadline_boot_ns
                and self.failures < ATTEMPTS)

    def minutes_left(self, now: TimeReading) -> int:
        return max(0, (self.deadline_boot_ns - now.boot_ns) // 60_000_000_000)


class QuickUnlockStore:
    """The PIN-wrapped copies of officers' keys, in the ledger database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, credential: str) -> QuickUnlock | None:
        row = self._conn.execute(
            "SELECT credential, boot_id, deadline_boot_ns, failures FROM quick_unlock "
            "WHERE credential = ?", (credential,)).fetchone()
        return None if row is None else QuickUnlock(row[0], row[1], row[2], row[3])

    def available(self, credential: str, now: TimeReading) -> QuickUnlock | None:
        """The officer's quick unlock if it may be used now; an expired one is erased."""
        found = self.get(credential)
        if found is not None and not found.valid_at(now):
            self.forget(credential)
            return None
        return found

    def set_pin(self, signer: keys.Signer, pin: str, now: TimeReading,
                hours: int = VALID_HOURS) -> QuickUnlock:
        check_pin_policy(pin)
        if signer.officer is None:
            raise ValueError("only an officer's key has a quick unlock")
        from inspector_app.ledger import key_wrapping  # cryptography: loaded on the worker

        wrapped = key_wrapping.wrap_private_key(signer.private_key, pin, signer.officer)
        deadline = now.boot_ns + hours * _HOUR_NS
        with write_transaction(self._conn):
            self._conn.execute(
                "INSERT INTO quick_unlock (credential, wrapped, boot_id, deadline_boot_ns, "
                "failures) VALUES (?, ?, ?, ?, 0) ON CONFLICT(credential) DO UPDATE SET "
                "wrapped = excluded.wrapped, boot_id = excluded.boot_id, "
                "deadline_boot_ns = excluded.deadline_boot_ns, failures = 0",
                (signer.officer, wrapped, now.boot_id, deadline))
        return QuickUnlock(signer.officer, now.boot_id, deadline, 0)

    def unlock(self, credential: str, key_id: str, public_key: bytes, pin: str,
               now: TimeReading) -> keys.Signer:
        """The officer's signer from the PIN; a wrong PIN counts, the last one erases."""
        if self.available(credential, now) is None:
            raise QuickUnlockUnavailable()
        with write_transaction(self._conn):  # counted before it is tried
            self._conn.execute("UPDATE quick_unlock SET failures = failures + 1 "
                               "WHERE credential = ?", (credential,))
        row = self._conn.execute("SELECT wrapped, failures FROM quick_unlock WHERE credential = ?",
                                 (credential,)).fetchone()
        wrapped, failures = row[0], int(row[1])
        from inspector_app.ledger import key_wrapping
        from inspector_protocol import keys

        try:
            private = key_wrapping.unwrap_private_key(wrapped, pin, credential, public_key)
        except key_wrapping.WrongPassphrase:
            left = max(0, ATTEMPTS - failures)
            if left == 0:
                self.forget(credential)
            raise WrongPin(left) from None
        with write_transaction(self._conn):
            self._conn.execute("UPDATE quick_unlock SET failures = 0 WHERE credential = ?",
                               (credential,))
        return keys.Signer(credential, key_id, private)

    def forget(self, credential: str) -> None:
        with write_transaction(self._conn):
            self._conn.execute("DELETE FROM quick_unlock WHERE credential = ?", (credential,))
