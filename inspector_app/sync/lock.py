"""Single flight across processes: the GUI's timer and ``inspector sync`` never send at once.

An advisory lock on a file beside the ledger.  The operating system releases it
when the holder exits, however it exits (a SIGKILL included), so a crashed sync
never leaves the device unable to sync again.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def lock_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".sync-lock")


@contextmanager
def single_flight(path: Path, wait_s: float = 0.0) -> Iterator[bool]:
    """Yield True while holding the lock, or False when another process holds it."""
    handle = path.open("a+b")
    try:
        acquired = _acquire(handle, wait_s)
        try:
            yield acquired
        finally:
            if acquired:
                _release(handle)
    finally:
        handle.close()


def _acquire(handle: IO[bytes], wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    for _ in range(100_000):  # bounded: the deadline ends it long before
        if _try_lock(handle):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return False


if sys.platform == "win32":  # pragma: no cover - exercised on Windows tablets
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.utime(handle.fileno())  # when the last sync started, for whoever looks
        return True

    def _release(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
