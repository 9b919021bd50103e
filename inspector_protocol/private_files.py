"""Secrets at rest: a data folder only its owner can enter, files only its owner can read.

The tablet's data folder holds the device key, the bearer token and the wrapped
officer keys (in ``ledger.sqlite3``, with its ``-wal`` and ``-shm``), photos and
caches; the server's holds ``central.sqlite3`` and, unless it is kept in a file
of its own, the server's signing key.  Both sides apply the same rule when they
start (:func:`secure_folder`): folders 0700, files 0600.  What this user owns
and finds too open is repaired, and said so; what another user owns and finds
too open is refused with a specific message, since only that user (or root) can
fix it.  On Windows the rule is the user profile's access control (the data
folder is under the user's own profile) and nothing is checked here.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

FOLDER_MODE = 0o700
FILE_MODE = 0o600


@dataclass(frozen=True)
class Repaired:
    path: Path
    was: int
    now: int

    def text(self) -> Text:
        return Text("已收紧权限：{path}（{was:o} → {now:o}），其他用户不应能读取记录和密钥。",
                    "Tightened permissions of {path} ({was:o} → {now:o}): other users must not "
                    "read records and keys.").format(path=self.path, was=self.was, now=self.now)


class InsecureFiles(EnvironmentProblem):
    def __init__(self, path: Path, mode: int, owner: int) -> None:
        super().__init__(
            Text("{path} 的权限为 {mode:o}，其他用户可以读取，且它属于另一个用户（uid {owner}），"
                 "本程序无法收紧。",
                 "{path} has mode {mode:o}, readable by other users, and belongs to another user "
                 "(uid {owner}), so this program cannot tighten it.").format(
                path=path, mode=mode, owner=owner),
            Text("请由该用户或管理员执行 chmod 700（文件夹）/ chmod 600（文件），"
                 "或换用本用户自己的数据文件夹。",
                 "Have that user or an administrator run chmod 700 (folders) / chmod 600 (files), "
                 "or use a data folder of this user's own."),
            code="env.insecure_permissions")


def secure_folder(folder: Path, *, create: bool = True) -> list[Repaired]:
    """Make ``folder`` (created 0700 if missing) and everything in it private; what was repaired.

    Raises :class:`InsecureFiles` for an entry too open that this user does not own."""
    if os.name != "posix":
        return []
    if create:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    repaired: list[Repaired] = []
    _secure(folder, FOLDER_MODE, repaired)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            _secure(Path(root, name), FOLDER_MODE, repaired)
        for name in files:
            _secure(Path(root, name), FILE_MODE, repaired)
    return repaired


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists, so that a program that then
    opens it (SQLite) never makes it readable by others, whatever the umask."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def _secure(path: Path, wanted: int, repaired: list[Repaired]) -> None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return  # the target is checked where it lives, if it is ours to check
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return
    if info.st_uid != os.getuid():
        raise InsecureFiles(path, mode, info.st_uid)
    # Only take from others: what the owner may do is the owner's choice (a folder made
    # read-only on purpose stays read-only).
    now = mode & wanted
    path.chmod(now)
    repaired.append(Repaired(path, mode, now))
