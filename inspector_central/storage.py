"""One storage interface over SQLite and PostgreSQL.

SQL is written once with ``?`` placeholders and portable syntax (``ON CONFLICT``,
``RETURNING``, row values); :class:`Tx` adapts it to psycopg's ``%s``.  A
transaction is the unit of every request: :meth:`Database.transaction` gives
``BEGIN IMMEDIATE`` on SQLite (one writer at a time) and a plain transaction on
PostgreSQL, where per-device ordering comes from ``SELECT … FOR UPDATE`` on the
device's row (see :meth:`Tx.lock_device`).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
SQLITE_FILE = "central.sqlite3"
_POOL_SIZE = 8
#: A writer waits this long for another (the server's setting ``sqlite_busy_timeout_ms``).
DEFAULT_BUSY_TIMEOUT_MS = 30_000


class _Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Tx:
    """A transaction in progress; rows come back as tuples."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect
        #: What a transaction's own statements learnt and need again (counts, look-ups).
        self.memo: dict[Any, Any] = {}

    def _sql(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        cursor: _Cursor = self._conn.execute(self._sql(sql), tuple(params))
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.dialect == "sqlite":
            self._conn.executemany(sql, rows)
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column`` is one of ``values``, as a SQL condition and its parameters.

        PostgreSQL gets one array parameter (``= ANY``), so the statement text is the
        same whatever the count and the server prepares it once; SQLite gets an ``IN``
        list (batches are bounded far below its 32,766 parameters)."""
        if self.dialect == "postgresql":
            return f"{column} = ANY(?)", [list(values)]
        if not values:
            return "0 = 1", []
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    @contextmanager
    def row_sink(self, table: str, columns: Sequence[tuple[str, str]]
                 ) -> Iterator[Callable[[Sequence[Any]], None]]:
        """A function that inserts one row, for rows made one at a time.

        ``columns`` are (name, PostgreSQL type) pairs.  On PostgreSQL the rows stream
        into a binary ``COPY`` while the caller works out the next one: the server
        stores them on its own core meanwhile, instead of the caller waiting for one
        bulk insert at the end (binary, because hex-escaping signed bytes costs more
        than sending them).  No other statement may run on this transaction until the
        block ends.  SQLite inserts them at the end with ``executemany`` (no network
        to overlap)."""
        names = ", ".join(name for name, _type in columns)
        if self.dialect == "postgresql":
            with self._conn.cursor() as cursor, cursor.copy(
                    f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([pg_type for _name, pg_type in columns])
                yield copy.write_row
            return
        rows: list[Sequence[Any]] = []
        yield rows.append
        if rows:
            marks = ", ".join("?" * len(columns))
            self._conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.execute(sql, params).fetchall()]

    def lock_device(self, device_id: str) -> tuple[Any, ...] | None:
        """The device's row, locked until commit, so one device's events go in one at a time.

        Columns: id, name, public_key, key_id, checkpoint_seq, checkpoint_head,
        checkpoint_raw, checkpoint_sig, revoked_ms."""
        suffix = "" if self.dialect == "sqlite" else " FOR UPDATE"
        return self.one(
            "SELECT id, name, public_key, key_id, checkpoint_seq, checkpoint_head, "
            "checkpoint_raw, checkpoint_sig, revoked_ms FROM devices WHERE id = ?" + suffix, (device_id,))

    def next_revision(self, counter: str) -> int:
        """A strictly increasing number; the row lock orders commits by revision."""
        row = self.one("UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value",
                       (counter,))
        assert row is not None, f"counter {counter} missing"
        return int(row[0])


def blob(value: Any) -> bytes:
    """SQLite gives bytes, psycopg gives bytes or memoryview: one type for callers."""
    return bytes(value)


class Database:
    """Connections to the central database and transactions over them."""

    def __init__(self, dialect: Dialect, target: str, *,
                 sqlite_busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.dialect = dialect
        self.target = target
        self.sqlite_busy_timeout_ms = sqlite_busy_timeout_ms
        self._local = threading.local()
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue(maxsize=_POOL_SIZE)

    @classmethod
    def open(cls, *, data_dir: Path | None, database_url: str | None,
             sqlite_busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Database:
        if database_url:
            if not database_url.startswith(("postgresql://", "postgres://")):
                raise ValueError("the database URL must start with postgresql://")
            database = cls("postgresql", database_url)
        else:
            assert data_dir is not None
            data_dir.mkdir(parents=True, exist_ok=True)
            database = cls("sqlite", str(data_dir / SQLITE_FILE),
                           sqlite_busy_timeout_ms=sqlite_busy_timeout_ms)
        from inspector_central.migrations import migrate

        migrate(database)
        return database

    # -- connections -------------------------------------------------------------

    def _sqlite_conn(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections are cheap but not free,
        # and the server's worker threads are long-lived.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.target, isolation_level=None, check_same_thread=False,
                                   timeout=self.sqlite_busy_timeout_ms / 1000)
            conn.execute(f"PRAGMA busy_timeout = {int(self.sqlite_busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
        return conn

    def _pg_conn(self) -> Any:
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            import psycopg  # lazy: only PostgreSQL deployments need it

            return psycopg.connect(self.target, autocommit=False)
        if conn.closed or conn.broken:
            import psycopg

            return psycopg.connect(self.target, autocommit=False)
        return conn

    def _pg_release(self, conn: Any) -> None:
        try:
            self._pool.put_nowait(conn)
        except queue.Full:
            conn.close()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        """One transaction; ``write=False`` for reads, which SQLite need not serialise."""
        if self.dialect == "sqlite":
            yield from self._sqlite_transaction(write)
        else:
            yield from self._pg_transaction()

    def _sqlite_transaction(self, write: bool) -> Iterator[Tx]:
        conn = self._sqlite_conn()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield Tx(conn, "sqlite")
        except BaseException:
            if conn.in_transaction:  # SQLite has already rolled back after a full disk
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed commit (a full disk) must not leave it open
                conn.execute("ROLLBACK")
            raise

    def _pg_transaction(self) -> Iterator[Tx]:
        conn = self._pg_conn()
        try:
            yield Tx(conn, "postgresql")
        except BaseException:
            conn.rollback()
            self._pg_release(conn)
            raise
        try:
            conn.commit()
        except BaseException:
            conn.close()  # a failed commit leaves the connection in an unknown state
            raise
        self._pg_release(conn)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
