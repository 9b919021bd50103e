"""Real storage trouble for tests: a small file system that fills up, turns read-only, or
refuses a user.

A tmpfs of a few megabytes is mounted inside the test's folder, so "the disk is
full" is the kernel's own ENOSPC and SQLite's own answer to it, not a mock.
Mounting needs root on Linux; elsewhere the test is skipped with that reason on a
developer's machine and fails in CI (:func:`tests.conftest.missing_locally`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import missing_locally


@contextlib.contextmanager
def small_file_system(mount_point: Path, size_kib: int = 4096) -> Iterator[Path]:
    if sys.platform != "linux" or os.geteuid() != 0:
        missing_locally("a small file system of its own needs root on Linux (mount -t tmpfs)")
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        missing_locally(f"mounting a tmpfs is refused here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        # Lazy: a connection still open in a closing app must not keep the mount alive.
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Fill the file system holding ``folder`` to the last byte; delete the file to free it."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as handle:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler


def remount_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True,
                   capture_output=True)


def as_unprivileged(command: list[str]) -> list[str]:
    """``command`` without root's power to ignore file permissions (root still, by uid).

    Root reads and writes any file whatever its mode; dropping the two capabilities
    that allow it makes a ``chmod`` mean for root what it means for everyone else."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search",
            "--", *command]
