"""SQLite connections that keep their promises.

Every connection runs in WAL mode with ``synchronous=FULL`` — asserted, not
assumed, since a pragma can be refused silently — so that a commit that
returned is on disk even after a power cut.  Writes go through
:func:`write_transaction`, which takes the write lock up front
(``BEGIN IMMEDIATE``) so a transaction never fails half-way on a lock
upgrade.  Copies are made only with the backup API (:func:`backup_to`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

BUSY_TIMEOUT_MS = 5_000


class DurabilityNotGuaranteed(RuntimeError):
    """SQLite refused WAL or synchronous=FULL: a bug or a broken build, never ignored."""


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open ``path`` with the durability settings asserted."""
    try:
        if read_only:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _assert_durable(conn)
    except sqlite3.DatabaseError as exc:
        raise EnvironmentProblem(
            Text("无法打开记录数据库 {path}：{err}", "Cannot open the ledger database {path}: {err}")
            .format(path=path, err=exc),
            Text("文件可能已损坏或不是记录数据库；请联系管理员，不要删除该文件。",
                 "The file may be damaged or not a ledger; contact IT and do not delete it."),
            code="env.database",
        ) from exc
    return conn


def _assert_durable(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    if str(mode).lower() != "wal" or int(sync) != 2:
        raise DurabilityNotGuaranteed(f"journal_mode={mode}, synchronous={sync}")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _locked_problem(exc) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(conn)
        problem = _environment_problem(exc)
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


def _locked_problem(exc: sqlite3.OperationalError) -> EnvironmentProblem:
    return EnvironmentProblem(
        Text("记录数据库正被占用：{err}", "The ledger database is busy: {err}").format(err=exc),
        Text("请关闭其他正在使用该数据文件夹的程序后重试。",
             "Close other programs using this data folder and retry."),
        code="env.database_busy",
    )


def _environment_problem(exc: sqlite3.OperationalError) -> EnvironmentProblem | None:
    """The environment behind an SQLite error, or None when it is not the environment's."""
    message = str(exc).lower()
    if "full" in message:
        return EnvironmentProblem(
            Text("磁盘已满，本次记录未保存，原有记录完好。",
                 "The disk is full; this record was not saved and earlier records are intact."),
            Text("请释放存储空间后重试。", "Free some space and try again."),
            code="env.disk_full",
        )
    if "locked" in message or "busy" in message:
        return _locked_problem(exc)
    if "disk i/o" in message or "readonly" in message:
        return EnvironmentProblem(
            Text("无法写入记录数据库：{err}", "The ledger database cannot be written: {err}")
            .format(err=exc),
            Text("请检查存储设备和文件权限；已保存的记录不受影响。",
                 "Check the storage and the file's permissions; saved records are unaffected."),
            code="env.database_write",
        )
    return None


def backup_to(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of a live database (never copy the files of a WAL database)."""
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
