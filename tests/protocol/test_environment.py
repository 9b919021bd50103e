"""The one classifier of environment problems, fed with the errors real libraries raise."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from inspector_protocol import environment as env
from inspector_protocol.environment import classify, kind_of
from inspector_protocol.errors import EnvironmentProblem, UserError
from inspector_protocol.text import Text


def _sqlite_error(tmp_path: Path, make: str) -> sqlite3.Error:
    path = tmp_path / "db.sqlite3"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("CREATE TABLE IF NOT EXISTS t (x)")
    try:
        if make == "busy":
            first.execute("BEGIN IMMEDIATE")
            second = sqlite3.connect(path, isolation_level=None, timeout=0)
            second.execute("BEGIN IMMEDIATE")
        elif make == "read_only":
            reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            reader.execute("INSERT INTO t VALUES (1)")
        elif make == "full":
            pages = first.execute("PRAGMA page_count").fetchone()[0]
            first.execute(f"PRAGMA max_page_count = {pages}")
            first.execute("INSERT INTO t VALUES (zeroblob(100000))")
        elif make == "syntax":
            first.execute("SELEC 1")
    except sqlite3.Error as exc:
        return exc
    finally:
        first.close()
    raise AssertionError(f"no error for {make}")


@pytest.mark.parametrize(("make", "kind"), [
    ("busy", env.DATABASE_BUSY),
    ("read_only", env.READ_ONLY),
    ("full", env.DISK_FULL),
    ("syntax", None),
])
def test_sqlite_errors_by_their_result_code(tmp_path: Path, make: str,
                                            kind: env.ProblemKind | None) -> None:
    assert kind_of(_sqlite_error(tmp_path, make)) is kind


@pytest.mark.parametrize(("number", "kind"), [
    (errno.ENOSPC, env.DISK_FULL), (errno.EDQUOT, env.DISK_FULL), (errno.EACCES, env.PERMISSION),
    (errno.EPERM, env.PERMISSION), (errno.EROFS, env.READ_ONLY), (errno.EMFILE, env.TOO_MANY_FILES),
    (errno.ENFILE, env.TOO_MANY_FILES), (errno.EIO, env.IO_ERROR), (errno.ENOENT, None),
])
def test_os_errors_by_their_errno(number: int, kind: env.ProblemKind | None) -> None:
    assert kind_of(OSError(number, "x", "/data/ledger.sqlite3")) is kind


def test_os_errors_of_no_known_kind_are_generic_only_where_asked() -> None:
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", "/media/usb/x.csv")
    generic = classify(missing)
    assert generic is not None and generic.code == "env.os_error"
    assert "/media/usb/x.csv" in generic.render("en")
    assert classify(missing, any_os_error=False) is None


def test_postgresql_errors_by_their_sqlstate() -> None:
    import psycopg
    from psycopg import errors

    assert kind_of(errors.DiskFull("no space")) is env.DISK_FULL
    assert kind_of(errors.LockNotAvailable("lock")) is env.DATABASE_BUSY
    assert kind_of(errors.SerializationFailure("retry")) is env.DATABASE_BUSY
    assert kind_of(errors.TooManyConnections("full")) is env.DATABASE_BUSY
    assert kind_of(errors.AdminShutdown("bye")) is env.DATABASE_UNAVAILABLE
    assert kind_of(errors.ReadOnlySqlTransaction("standby")) is env.READ_ONLY
    assert kind_of(psycopg.OperationalError("connection refused")) is env.DATABASE_UNAVAILABLE
    assert kind_of(errors.UniqueViolation("dup")) is None  # a bug, not the environment
    assert kind_of(errors.SyntaxError("bad sql")) is None


def test_a_vague_sqlite_error_is_judged_by_the_storage(tmp_path: Path) -> None:
    vague = sqlite3.OperationalError("disk I/O error")
    vague.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"  # what SQLite says on a full tmpfs
    assert kind_of(vague, where=tmp_path) is env.IO_ERROR  # this disk has room: a real I/O error
    assert kind_of(vague) is env.IO_ERROR


def test_every_kind_renders_in_both_languages_with_a_remedy(tmp_path: Path) -> None:
    kinds = [k for k in vars(env).values() if isinstance(k, env.ProblemKind)]
    assert len(kinds) >= 10
    for kind in kinds:
        problem = kind.problem(where=tmp_path, err="x")
        zh, en = problem.render("zh"), problem.render("en")
        assert "{" not in zh + en and zh != en and "\n" in zh and "\n" in en
        assert kind.code.startswith("env.")


def test_what_is_already_judged_stays_as_it_is() -> None:
    problem = EnvironmentProblem(Text("甲", "a"), Text("乙", "b"), code="env.camera")
    assert classify(problem) is problem
    assert classify(UserError(Text("错", "wrong"))) is None
    assert classify(ValueError("bug")) is None
    assert classify(KeyError("bug")) is None


def test_an_error_raised_from_a_full_disk_is_the_full_disk() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError("while storing the photo") from exc
    except RuntimeError as wrapped:
        problem = classify(wrapped)
    assert problem is not None and problem.code == "env.disk_full"
    saving = classify(OSError(errno.ENOSPC, "No space"), writing=True)
    assert saving is not None and "this record was not saved" in saving.render("en")
