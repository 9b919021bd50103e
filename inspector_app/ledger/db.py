"""SQLite connections that keep their promises.

Every connection runs in WAL mode with ``synchronous=FULL`` — asserted, not
assumed, since a pragma can be refused silently — so that a commit that
returned is on disk even after a power cut.  Writes go through
:func:`write_transaction`, which takes the write lock up front
(``BEGIN IMMEDIATE``) so a transaction never fails half-way on a lock
upgrade.  Copies are made only with the backup API (:func:`backup_to`).

The ledger holds secrets (the device key, the bearer token, wrapped officer
keys): the first read-write connection of a process makes its data folder
private (0700, files 0600 — ``inspector_protocol.private_files``), repairing
what this user owns with a warning and refusing what another user owns; a new
database file is created 0600 before SQLite opens it, and SQLite gives its
``-wal`` and ``-shm`` files the database file's mode.

On a full disk SQLite cannot even open a WAL database (it must create the
``-shm`` file), yet the records are all there to be read, exported and checked.
When the disk is full and no other connection has the database open (no
``-wal`` file: everything is in the database file), :func:`connect` opens an
immutable, read-only snapshot instead (:class:`FullDiskSnapshot`): reading works,
and every write is refused as "the disk is full; this record was not saved".
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector_protocol.environment import (
    DATABASE_BUSY,
    DISK_FULL,
    DISK_FULL_WHILE_SAVING,
    classify,
)
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.private_files import create_private_file, secure_folder
from inspector_protocol.text import Text, current_lang

BUSY_TIMEOUT_MS = 5_000
log = logging.getLogger("inspector.ledger")
#: Data folders already made private by this process.
_secured: set[Path] = set()


class DurabilityNotGuaranteed(RuntimeError):
    """SQLite refused WAL or synchronous=FULL: a bug or a broken build, never ignored."""


class FullDiskSnapshot(sqlite3.Connection):
    """A read-only view of a ledger whose disk is full: reads work, writes say "disk full"."""


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open ``path`` with the durability settings asserted.

    On a full disk, a read-only snapshot when that is safe (see the module's text)."""
    try:
        return _connect(path, read_only=read_only)
    except EnvironmentProblem as problem:
        if problem.code != DISK_FULL.code or _has_write_ahead_log(path):
            raise
    log.warning("%s", Text("磁盘已满：记录只能查看和导出，在释放空间之前不能保存新记录。",
                           "The disk is full: records can be read and exported, but nothing "
                           "new can be saved until space is freed.").render(current_lang()))
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                           isolation_level=None, check_same_thread=False,
                           factory=FullDiskSnapshot)


def _has_write_ahead_log(path: Path) -> bool:
    """Records may still be in the ``-wal`` file (another connection is open, or a crash)."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except FileNotFoundError:
        return False


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        make_private(path)
    conn: sqlite3.Connection | None = None
    try:
        if read_only:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _assert_durable(conn)
    except sqlite3.DatabaseError as exc:
        if conn is not None:  # a half-opened connection would keep its -wal and -shm files
            conn.close()
        problem = classify(exc, where=path, any_os_error=False)
        if problem is not None:  # full, read-only, no permission, busy: not a damaged file
            raise problem from exc
        raise EnvironmentProblem(
            Text("无法打开记录数据库 {path}：{err}", "Cannot open the ledger database {path}: {err}")
            .format(path=path, err=exc),
            Text("文件可能已损坏或不是记录数据库；请联系管理员，不要删除该文件。",
                 "The file may be damaged or not a ledger; contact IT and do not delete it."),
            code="env.database",
        ) from exc
    return conn


def make_private(path: Path) -> None:
    """The database's folder private and the file created 0600 (once per process and folder)."""
    folder = path.parent.resolve()
    if folder not in _secured:
        for repaired in secure_folder(folder):
            log.warning("%s", repaired.text().render(current_lang()))
        _secured.add(folder)
    create_private_file(path)


def _assert_durable(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    if str(mode).lower() != "wal" or int(sync) != 2:
        raise DurabilityNotGuaranteed(f"journal_mode={mode}, synchronous={sync}")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
    if isinstance(conn, FullDiskSnapshot):
        raise DISK_FULL_WHILE_SAVING.problem()
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise (classify(exc, where=_file_of(conn), any_os_error=False)
               or DATABASE_BUSY.problem()) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(conn)
        problem = _environment_problem(exc, conn)
        if problem is None:
            raise
        raise problem from exc
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite rolls back by itself on some errors (a full disk among them).
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _environment_problem(exc: sqlite3.OperationalError,
                         conn: sqlite3.Connection) -> EnvironmentProblem | None:
    """The environment behind an SQLite error, or None when it is not the environment's."""
    return classify(exc, where=_file_of(conn), writing=True, any_os_error=False)


def _file_of(conn: sqlite3.Connection) -> Path | None:
    """The database file, so that the storage can be looked at when SQLite is vague."""
    try:
        rows = conn.execute("PRAGMA database_list").fetchall()
    except sqlite3.Error:
        return None
    return next((Path(row[2]) for row in rows if row[1] == "main" and row[2]), None)


def backup_to(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of a live database (never copy the files of a WAL database)."""
    create_private_file(target)
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
