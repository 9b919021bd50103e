"""Who may sign in on this tablet: the roster, unlocking an officer's key, enrolling one.

Unlocking derives a key with scrypt (~0.1 s) and enrolling makes and wraps a new
key, so both run on the app's worker.  After repeated wrong passphrases the
ledger refuses attempts for a while (:mod:`inspector_app.ledger.lockout`); the
wait left is read here so the sign-in screen can count it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.services.officer_enrolment import OfficerSummary
    from inspector_app.services.today import Today
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.keys import Signer


@dataclass(frozen=True)
class Roster:
    profile: Profile
    #: Officers enrolled on this tablet, then those provisioned but not yet enrolled.
    officers: tuple[OfficerSummary, ...]


def load_roster(ws: Workspace) -> Roster:
    from inspector_app.services.officer_enrolment import list_officers

    return Roster(ws.profile, tuple(list_officers(ws)))


def sign_in(ws: Workspace, credential: str, passphrase: str, pin: str | None = None) -> Signer:
    """The officer's unlocked key; a wrong passphrase counts towards the lockout.  With
    ``pin``, the quick unlock is set for the next hours (checked before the passphrase is
    tried, so a badly formed PIN costs no attempt)."""
    from inspector_app.ledger.quick_unlock import check_pin_policy

    if pin:
        check_pin_policy(pin)
    signer = ws.ledger.unlock(credential, passphrase)
    if pin:
        ws.ledger.quick.set_pin(signer, pin, ws.clock.now())
    return signer


def unlock_with_pin(ws: Workspace, credential: str, pin: str) -> Signer:
    return ws.ledger.unlock_with_pin(credential, pin)


@dataclass(frozen=True)
class LockScreen:
    """What the lock screen shows for the officer who was signed in."""

    #: Minutes the quick unlock stays valid; None: the passphrase is needed.
    quick_minutes: int | None
    today: Today


def lock_screen(ws: Workspace, credential: str) -> LockScreen:
    from inspector_app.services.today import officer_today

    now = ws.clock.now()
    quick = ws.ledger.quick.available(credential, now)
    return LockScreen(None if quick is None else quick.minutes_left(now),
                      officer_today(ws, credential))


def lockout_wait_s(ws: Workspace, credential: str) -> int:
    """Whole seconds before ``credential`` may try a passphrase again (0: now)."""
    return -(-ws.ledger.guard.remaining_ms(credential, ws.clock.now()) // 1000)


def enrol(ws: Workspace, credential: str, name: str, passphrase: str,
          department: str | None, activation_code: str | None = None) -> Roster:
    """Enrol an officer on this tablet (with the activation code from IT, if given); the
    roster afterwards."""
    from inspector_app.services.officer_enrolment import enrol_officer

    enrol_officer(ws, credential, name, passphrase, department, activation_code=activation_code)
    return load_roster(ws)
