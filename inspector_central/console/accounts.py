"""Console accounts, passphrases (argon2id), lockout and server-side sessions.

A session is a row: the browser holds a random token, the database its SHA-256,
an expiry and the anti-forgery token.  Signing out or disabling the account
revokes it.  Repeated failures lock the account, and separately the client
address, for a while; the message says until when.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from inspector_central.console.audit import audit
from inspector_central.console.scope import ROLES, Role, Scope
from inspector_central.storage import Database, Tx
from inspector_protocol.china_time import format_china
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

MIN_PASSPHRASE = 12
SESSION_MS = 8 * 3_600_000
#: Consecutive failures that lock an account, and for how long.
ACCOUNT_FAILURES = 5
ACCOUNT_LOCK_MS = 15 * 60_000
#: Failures from one client address within the window that lock the address.
ADDRESS_FAILURES = 20
ADDRESS_WINDOW_MS = 15 * 60_000
ADDRESS_LOCK_MS = 15 * 60_000

_hasher = PasswordHasher()  # argon2id, the library's current parameters
#: Verified against when the name is unknown, so a guess costs the same either way.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(UserError):
    pass


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    department: str | None
    created_ms: int
    disabled_ms: int | None
    locked_until_ms: int | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session token, or why not (and until when)."""

    token: str | None
    scope: Scope | None
    refusal: Text | None = None


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise AccountError(Text("口令太短：至少 {n} 个字符。",
                                "The passphrase is too short: at least {n} characters.")
                           .format(n=MIN_PASSPHRASE), code="console.short_passphrase")


def add_user(database: Database, name: str, role: str, department: str | None,
             passphrase: str, *, now_ms: int, actor: str = "cli") -> User:
    name = name.strip()
    if not 0 < len(name) <= 64 or any(c.isspace() for c in name):
        raise AccountError(Text("账号名须为 1–64 个字符，不含空格。",
                                "The account name must be 1-64 characters without spaces."),
                           code="console.bad_name")
    if role not in ROLES:
        raise AccountError(Text("角色须为 oversight 或 department。",
                                "The role must be oversight or department."), code="console.bad_role")
    if role == "department" and not department:
        raise AccountError(Text("部门账号须指定 --department。",
                                "A department account needs --department."),
                           code="console.no_department")
    if role == "oversight" and department:
        raise AccountError(Text("监督部门账号不属于某一部门，请去掉 --department。",
                                "An oversight account belongs to no department; drop --department."),
                           code="console.oversight_department")
    check_passphrase(passphrase)
    pass_hash = _hasher.hash(passphrase)
    with database.transaction() as tx:
        if tx.one("SELECT id FROM console_users WHERE name = ?", (name,)) is not None:
            raise AccountError(Text("账号 {n} 已存在。", "The account {n} exists already.")
                               .format(n=name), code="console.user_exists")
        tx.execute("INSERT INTO console_users (name, role, department, pass_hash, created_ms) "
                   "VALUES (?, ?, ?, ?, ?)", (name, role, department, pass_hash, now_ms))
        audit(tx, now_ms, actor, "user_added", name, role=role, department=department)
        row = tx.one(f"SELECT {_USER_COLUMNS} FROM console_users WHERE name = ?", (name,))
    assert row is not None
    return _user(row)


def disable_user(database: Database, name: str, *, now_ms: int, actor: str = "cli") -> User:
    with database.transaction() as tx:
        row = tx.one(f"SELECT {_USER_COLUMNS} FROM console_users WHERE name = ?", (name,))
        if row is None:
            raise AccountError(Text("没有账号 {n}。", "There is no account {n}.").format(n=name),
                               code="console.no_user")
        user = _user(row)
        tx.execute("UPDATE console_users SET disabled_ms = ? WHERE id = ? AND disabled_ms IS NULL",
                   (now_ms, user.id))
        tx.execute("UPDATE console_sessions SET revoked_ms = ? WHERE user_id = ? AND "
                   "revoked_ms IS NULL", (now_ms, user.id))
        audit(tx, now_ms, actor, "user_disabled", name)
        row = tx.one(f"SELECT {_USER_COLUMNS} FROM console_users WHERE id = ?", (user.id,))
    assert row is not None
    return _user(row)


def list_users(database: Database) -> list[User]:
    with database.transaction(write=False) as tx:
        return [_user(r) for r in tx.all(f"SELECT {_USER_COLUMNS} FROM console_users ORDER BY name")]


_USER_COLUMNS = "id, name, role, department, created_ms, disabled_ms, locked_until_ms, pass_hash, failures"


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), str(row[1]), row[2], row[3], int(row[4]),
                None if row[5] is None else int(row[5]), None if row[6] is None else int(row[6]))


def _locked_text(until_ms: int, address: bool = False) -> Text:
    if address:
        return Text("来自该地址的失败登录过多，已暂时锁定，{t}（北京时间）后解除。",
                    "Too many failed sign-ins from this address; locked until {t} China time."
                    ).format(t=format_china(until_ms))
    return Text("该账号因多次登录失败已锁定，{t}（北京时间）后解除。",
                "This account is locked after repeated failed sign-ins until {t} China time."
                ).format(t=format_china(until_ms))


_WRONG = Text("账号或口令错误。", "Wrong account name or passphrase.")


def sign_in(database: Database, name: str, passphrase: str, address: str, *,
            now_ms: int) -> SignIn:
    """Check the passphrase; count failures per account and per address; open a session."""
    name = name.strip()[:64]
    with database.transaction() as tx:
        locked = _address_locked(tx, address, now_ms)
        if locked is not None:
            audit(tx, now_ms, name or "-", "sign_in_failed", name, address, why="address_locked")
            return SignIn(None, None, _locked_text(locked, address=True))
        row = tx.one(f"SELECT {_USER_COLUMNS} FROM console_users WHERE name = ?", (name,))
        user = None if row is None else _user(row)
        if user is not None and user.locked_until_ms is not None and user.locked_until_ms > now_ms:
            audit(tx, now_ms, name, "sign_in_failed", name, address, why="account_locked")
            _count_address_failure(tx, address, now_ms)
            return SignIn(None, None, _locked_text(user.locked_until_ms))
    stored = _DUMMY_HASH if row is None else str(row[7])
    good: bool
    try:
        good = _hasher.verify(stored, passphrase)  # outside the transaction: it takes a while
    except (VerificationError, InvalidHashError):
        good = False
    with database.transaction() as tx:
        if user is None or not good or user.disabled_ms is not None:
            why = "unknown" if user is None else "disabled" if good else "wrong_passphrase"
            audit(tx, now_ms, name or "-", "sign_in_failed", name, address, why=why)
            address_lock = _count_address_failure(tx, address, now_ms)
            if user is not None and not good:
                account_lock = _count_account_failure(tx, user.id, now_ms)
                if account_lock is not None:
                    return SignIn(None, None, _locked_text(account_lock))
            if address_lock is not None:
                return SignIn(None, None, _locked_text(address_lock, address=True))
            return SignIn(None, None, _WRONG)
        tx.execute("UPDATE console_users SET failures = 0, locked_until_ms = NULL WHERE id = ?",
                   (user.id,))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        tx.execute("INSERT INTO console_sessions (token_hash, user_id, csrf, created_ms, "
                   "expires_ms, address) VALUES (?, ?, ?, ?, ?, ?)",
                   (_digest(token), user.id, csrf, now_ms, now_ms + SESSION_MS, address))
        audit(tx, now_ms, name, "sign_in", name, address)
    return SignIn(token, Scope(user.id, user.name, user.role, user.department, csrf))


def _count_account_failure(tx: Tx, user_id: int, now_ms: int) -> int | None:
    row = tx.one("UPDATE console_users SET failures = failures + 1 WHERE id = ? RETURNING failures",
                 (user_id,))
    if row is not None and int(row[0]) >= ACCOUNT_FAILURES:
        until = now_ms + ACCOUNT_LOCK_MS
        tx.execute("UPDATE console_users SET failures = 0, locked_until_ms = ? WHERE id = ?",
                   (until, user_id))
        return until
    return None


def _address_locked(tx: Tx, address: str, now_ms: int) -> int | None:
    row = tx.one("SELECT locked_until_ms FROM console_address_failures WHERE address = ?",
                 (address,))
    if row is not None and row[0] is not None and int(row[0]) > now_ms:
        return int(row[0])
    return None


def _count_address_failure(tx: Tx, address: str, now_ms: int) -> int | None:
    row = tx.one("SELECT window_start_ms, failures FROM console_address_failures WHERE address = ?",
                 (address,))
    if row is None or int(row[0]) + ADDRESS_WINDOW_MS < now_ms:
        tx.execute("INSERT INTO console_address_failures (address, window_start_ms, failures) "
                   "VALUES (?, ?, 1) ON CONFLICT (address) DO UPDATE SET window_start_ms = ?, "
                   "failures = 1, locked_until_ms = NULL", (address, now_ms, now_ms))
        return None
    failures = int(row[1]) + 1
    until = now_ms + ADDRESS_LOCK_MS if failures >= ADDRESS_FAILURES else None
    tx.execute("UPDATE console_address_failures SET failures = ?, locked_until_ms = ? "
               "WHERE address = ?", (0 if until else failures, until, address))
    return until


def session_scope(database: Database, token: str, *, now_ms: int) -> Scope | None:
    """The account behind a session token, if the session is live and the account enabled."""
    if not token or len(token) > 100:
        return None
    with database.transaction(write=False) as tx:
        row = tx.one(
            "SELECT u.id, u.name, u.role, u.department, s.csrf FROM console_sessions s "
            "JOIN console_users u ON u.id = s.user_id WHERE s.token_hash = ? AND "
            "s.revoked_ms IS NULL AND s.expires_ms > ? AND u.disabled_ms IS NULL",
            (_digest(token), now_ms))
    if row is None:
        return None
    return Scope(int(row[0]), str(row[1]), row[2], row[3], str(row[4]))


def sign_out(database: Database, token: str, scope: Scope, address: str, *, now_ms: int) -> None:
    with database.transaction() as tx:
        tx.execute("UPDATE console_sessions SET revoked_ms = ? WHERE token_hash = ?",
                   (now_ms, _digest(token)))
        audit(tx, now_ms, scope.name, "sign_out", scope.name, address)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(expected) and given is not None and secrets.compare_digest(
        expected.encode(), given.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
