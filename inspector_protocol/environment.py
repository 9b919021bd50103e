"""Which failures are the environment's, and what a person can do about each: one table.

A full disk, a folder without permission, a read-only card, a database held by
another program, too many open files: none of these is a bug, and none is the
user's input either.  The command line, the app's workers and the central
endpoint all pass what they caught to :func:`classify`, which answers with an
:class:`~inspector_protocol.errors.EnvironmentProblem` carrying a specific
message and remedy in both languages — or ``None`` when the failure is not the
environment's (then it is a bug, and reported as one).

The failure is recognised by what it carries, not by its class, so this module
imports neither ``sqlite3`` nor ``psycopg``: an ``OSError`` by its ``errno``, an
SQLite error by its ``sqlite_errorname`` (Python 3.11+), a PostgreSQL error by
its SQLSTATE.  SQLite says only "disk I/O error" when it cannot grow its shared
memory file on a full disk, so for SQLite's vaguer answers the storage at
``where`` is looked at (free space, read-only mount, permission) before deciding.
"""

from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from inspector_protocol.errors import EnvironmentProblem, InspectorError
from inspector_protocol.text import Text

#: Below this much free space a failed write is taken for a full disk.
NEARLY_FULL_BYTES = 1 << 20


@dataclass(frozen=True)
class ProblemKind:
    code: str
    text: Text
    remedy: Text
    #: Gone by itself after a while (another writer finishes): worth retrying as it is.
    transient: bool = False

    def problem(self, **params: object) -> EnvironmentProblem:
        return EnvironmentProblem(self.text.format(**params), self.remedy, code=self.code)


DISK_FULL = ProblemKind(
    "env.disk_full",
    Text("磁盘已满，本次操作未完成，原有记录完好。",
         "The disk is full; this action was not completed and earlier records are intact."),
    Text("请释放存储空间（例如删除旧的导出文件）后重试。",
         "Free some space (old exports, for example) and try again."))
#: The same, said where a record was being written (the ledger's transactions).
DISK_FULL_WHILE_SAVING = ProblemKind(
    "env.disk_full",
    Text("磁盘已满，本次记录未保存，原有记录完好。",
         "The disk is full; this record was not saved and earlier records are intact."),
    DISK_FULL.remedy)
PERMISSION = ProblemKind(
    "env.permission",
    Text("没有权限读写 {where}。", "No permission to read or write {where}."),
    Text("请以正确的系统用户运行，并确认该文件夹可读写；如有疑问请联系管理员。",
         "Run as the right system user and make sure the folder can be read and written; "
         "ask IT if in doubt."))
READ_ONLY = ProblemKind(
    "env.read_only",
    Text("存储设备是只读的，无法写入 {where}。", "The storage is read-only; {where} cannot be written."),
    Text("请检查存储卡或U盘的写保护开关，或将数据文件夹放到可写的磁盘上。",
         "Check the write-protect switch of the card or USB stick, or keep the data folder on a "
         "writable disk."))
DATABASE_BUSY = ProblemKind(
    "env.database_busy",
    Text("数据库正被另一个程序占用。", "The database is in use by another program."),
    Text("请稍候重试；如果仍然如此，请关闭其他使用该数据文件夹的程序。",
         "Wait a moment and retry; if it persists, close other programs using this data folder."),
    transient=True)
DATABASE_UNAVAILABLE = ProblemKind(
    "env.database_unavailable",
    Text("暂时无法连接数据库。", "The database cannot be reached right now."),
    Text("请确认数据库服务正在运行，稍后重试。", "Check that the database server is running, then retry."),
    transient=True)
TOO_MANY_FILES = ProblemKind(
    "env.too_many_files",
    Text("打开的文件过多，系统拒绝再打开文件。", "Too many files are open; the system refuses to open more."),
    Text("请关闭其他程序后重试；如果仍然如此，请重启设备。",
         "Close other programs and retry; if it persists, restart the device."),
    transient=True)
IO_ERROR = ProblemKind(
    "env.io_error",
    Text("读写存储设备时出错（{err}）。", "Reading or writing the storage failed ({err})."),
    Text("存储设备可能有故障或已被拔出；请检查后重试，不要删除数据文件夹。",
         "The storage may be failing or was removed; check it and retry, and do not delete the "
         "data folder."))
CANNOT_OPEN = ProblemKind(
    "env.cannot_open",
    Text("无法打开 {where}。", "{where} cannot be opened."),
    Text("请确认该文件夹存在、可读写，并且存储设备已连接。",
         "Make sure the folder exists, can be read and written, and its storage is attached."))
NETWORK = ProblemKind(
    "env.network",
    Text("网络不通（{err}）。", "The network is unreachable ({err})."),
    Text("请检查网络连接后重试；记录已保存在本机。",
         "Check the network connection and retry; records are kept on this device."),
    transient=True)
OTHER_OS_ERROR = ProblemKind(
    "env.os_error",
    Text("系统错误：{err}（{where}）", "System error: {err} ({where})"),
    Text("请检查文件夹和权限后重试。", "Check the folder and its permissions, then retry."))

_BY_ERRNO: dict[int, ProblemKind] = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EACCES: PERMISSION,
    errno.EPERM: PERMISSION,
    errno.EROFS: READ_ONLY,
    errno.EMFILE: TOO_MANY_FILES,
    errno.ENFILE: TOO_MANY_FILES,
    errno.EIO: IO_ERROR,
    errno.ECONNREFUSED: NETWORK,
    errno.ENETUNREACH: NETWORK,
    errno.EHOSTUNREACH: NETWORK,
    errno.ENETDOWN: NETWORK,
}

#: PostgreSQL SQLSTATE codes (and classes, by their first two characters).
_BY_SQLSTATE: dict[str, ProblemKind] = {
    "53100": DISK_FULL,
    "53300": DATABASE_BUSY,        # too many connections
    "55P03": DATABASE_BUSY,        # lock not available
    "55006": DATABASE_BUSY,        # object in use
    "57014": DATABASE_BUSY,        # statement timeout
    "40001": DATABASE_BUSY,        # serialization failure
    "40P01": DATABASE_BUSY,        # deadlock detected
    "25006": READ_ONLY,            # read-only transaction (a standby)
    "42501": PERMISSION,           # insufficient privilege
    "58030": IO_ERROR,
    "08": DATABASE_UNAVAILABLE,    # connection exception
    "57P": DATABASE_UNAVAILABLE,   # the server shuts down or cannot take connections yet
    "53": DATABASE_UNAVAILABLE,    # insufficient resources
}


def classify(error: BaseException, *, where: str | Path | None = None, writing: bool = False,
             any_os_error: bool = True) -> EnvironmentProblem | None:
    """The environment problem behind ``error``, or ``None`` when it is not the environment's.

    ``where`` is the file or folder being used (named in messages and looked at when SQLite
    is vague); ``writing`` says a record was being saved; ``any_os_error`` also turns an
    ``OSError`` of no known kind into a generic environment problem (the command line and
    the app do; the server does not, where such an error is more likely its own bug).
    An error raised ``from`` another is judged by the other when it says nothing itself.
    """
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 8:
        if isinstance(current, EnvironmentProblem):
            return current
        if isinstance(current, InspectorError):
            return None
        problem = _problem(current, where, writing, any_os_error)
        if problem is not None:
            return problem
        current, seen = current.__cause__, seen + 1
    return None


def _problem(error: BaseException, where: str | Path | None, writing: bool,
             any_os_error: bool) -> EnvironmentProblem | None:
    kind = kind_of(error, where)
    if kind is None:
        if any_os_error and isinstance(error, OSError):
            return OTHER_OS_ERROR.problem(err=error.strerror or error,
                                          where=_place(error, where, "-"))
        return None
    if kind is DISK_FULL and writing:
        kind = DISK_FULL_WHILE_SAVING
    return kind.problem(where=_place(error, where), err=_detail(error))


def kind_of(error: BaseException, where: str | Path | None = None) -> ProblemKind | None:
    """Which kind of environment problem ``error`` is, if any."""
    if isinstance(error, OSError) and isinstance(error.errno, int):
        kind = _BY_ERRNO.get(error.errno)
        if kind is IO_ERROR:
            return _look_at(where) or kind
        return kind
    sqlite_name = getattr(error, "sqlite_errorname", None)
    if isinstance(sqlite_name, str):
        return _sqlite_kind(sqlite_name, where)
    if type(error).__module__.split(".")[0] in ("psycopg", "psycopg_pool"):
        return _postgres_kind(error)
    return None


def _sqlite_kind(name: str, where: str | Path | None) -> ProblemKind | None:
    primary = "_".join(name.split("_")[:2])  # SQLITE_BUSY_SNAPSHOT -> SQLITE_BUSY
    if primary == "SQLITE_FULL":
        return DISK_FULL
    if primary in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return DATABASE_BUSY
    if primary == "SQLITE_PERM":
        return PERMISSION
    if primary == "SQLITE_READONLY":
        # Also what SQLite says when it opened a file it may not write, read-only.
        return _look_at(where) or READ_ONLY
    if primary == "SQLITE_IOERR":
        return _look_at(where) or IO_ERROR
    if primary == "SQLITE_CANTOPEN":
        return _look_at(where) or CANNOT_OPEN
    return None


def _postgres_kind(error: BaseException) -> ProblemKind | None:
    if type(error).__name__ == "PoolTimeout":
        return DATABASE_BUSY
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        for prefix in (state, state[:3], state[:2]):
            if prefix in _BY_SQLSTATE:
                return _BY_SQLSTATE[prefix]
        return None
    # No SQLSTATE: the client's own failure (connection refused, lost, timed out).
    if type(error).__name__ == "OperationalError":
        return DATABASE_UNAVAILABLE
    return None


def _look_at(where: str | Path | None) -> ProblemKind | None:
    """What the storage at ``where`` says about itself: full, read-only, or not ours to write."""
    if where is None:
        return None
    path = Path(where)
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None:
        return None
    try:
        if shutil.disk_usage(existing).free < NEARLY_FULL_BYTES:
            return DISK_FULL
        if hasattr(os, "statvfs") and os.statvfs(existing).f_flag & os.ST_RDONLY:
            return READ_ONLY
    except OSError:
        return None  # the storage does not answer either: the original error stands
    folder = existing if existing.is_dir() else existing.parent
    if not os.access(existing, os.R_OK | os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        return PERMISSION
    return None


def _place(error: BaseException, where: str | Path | None, unknown: str | Text = "") -> object:
    filename = getattr(error, "filename", None)
    if filename:
        return filename
    if where is not None:
        return where
    return unknown or Text("数据文件夹", "the data folder")


def _detail(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    name = getattr(error, "sqlite_errorname", None)
    return f"{error} ({name})" if isinstance(name, str) else str(error) or type(error).__name__
