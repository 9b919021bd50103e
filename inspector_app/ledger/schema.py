"""Ledger schema and its migrations, versioned with ``PRAGMA user_version``.

Migrations are append-only like the ledger: a released migration is never
edited; a change is a new function at the end of :data:`MIGRATIONS`.

Tables of record (append-only, enforced by triggers): ``events`` and
``receipts``.  Everything else is state about the device (its key, the
officers' wrapped keys, lockouts, caches) and may change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from inspector_app.ledger.db import write_transaction

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The ledger.  `raw` is the canonical signed envelope; every other column
-- except `sig` is a copy of a field inside it, kept for indexing, and is
-- cross-checked by verification.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    officer    TEXT,
    visit_id   TEXT,
    enterprise TEXT,
    wall_ms    INTEGER NOT NULL,
    hash       BLOB NOT NULL,
    raw        BLOB NOT NULL,
    sig        BLOB NOT NULL
);
CREATE INDEX events_by_visit ON events(visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX events_by_type ON events(type, officer);
CREATE INDEX checkins_by_enterprise ON events(enterprise, wall_ms)
    WHERE type = 'visit.checked_in';

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: a change is a new event'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only: nothing is deleted'); END;

-- Signed receipts from the central endpoint; an event is delivered only when
-- it has one whose signature verified.
CREATE TABLE receipts (
    event_id       TEXT PRIMARY KEY REFERENCES events(id),
    server_key_id  TEXT NOT NULL,
    server_time_ms INTEGER NOT NULL,
    raw            BLOB NOT NULL,
    stored_wall_ms INTEGER NOT NULL
);
CREATE TRIGGER receipts_append_only_update BEFORE UPDATE ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;
CREATE TRIGGER receipts_append_only_delete BEFORE DELETE ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;

-- Device-signed statements of (sequence, chain head), sent with uploads.
CREATE TABLE checkpoints (
    seq     INTEGER PRIMARY KEY,
    head    BLOB NOT NULL,
    raw     BLOB NOT NULL,
    sig     BLOB NOT NULL
);
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

-- Derived index of visits in progress and who is in them, maintained in the
-- same transaction as the events that open and close them (rebuildable).
CREATE TABLE open_visits (
    visit_id TEXT NOT NULL,
    officer  TEXT NOT NULL,
    PRIMARY KEY (visit_id, officer)
);
CREATE INDEX open_visits_by_officer ON open_visits(officer);

CREATE TABLE device_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_id      TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    private_key BLOB NOT NULL
);

CREATE TABLE officer_keys (
    credential  TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL UNIQUE,
    public_key  BLOB NOT NULL,
    wrapped     TEXT NOT NULL,
    name        TEXT NOT NULL,
    department  TEXT NOT NULL
);

CREATE TABLE passphrase_guard (
    credential     TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    lock_boot_id   TEXT,
    lock_boot_ns   INTEGER,
    lock_ms        INTEGER NOT NULL DEFAULT 0
);

-- Visits known from the central endpoint (other tablets, other departments),
-- used offline for frequency warnings.  A cache: replaced by each pull.
CREATE TABLE visit_history (
    visit_id      TEXT PRIMARY KEY,
    enterprise    TEXT NOT NULL,
    department    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    enforcement   INTEGER NOT NULL,
    checked_in_ms INTEGER NOT NULL,
    duration_s    INTEGER
);
CREATE INDEX history_by_enterprise ON visit_history(enterprise, checked_in_ms);
"""


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one inside the caller's transaction.

    ``executescript`` would commit first, breaking the all-or-nothing migration.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


def _migrate_v1(conn: sqlite3.Connection) -> None:
    _execute_script(conn, _V1)


_V2_SYNC = """
-- The enrolment with the central endpoint: its pinned key and this device's token.
CREATE TABLE sync_enrolment (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    endpoint          TEXT NOT NULL,
    device_name       TEXT NOT NULL,
    server_key_id     TEXT NOT NULL,
    server_public_key BLOB NOT NULL,
    token             TEXT NOT NULL,
    enrolled_ms       INTEGER NOT NULL,
    statement_raw     BLOB NOT NULL,
    statement_sig     BLOB NOT NULL
);
-- What the last sync did, in plain words, for the status line and `inspector sync`.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    last_attempt_ms INTEGER,
    last_success_ms INTEGER,
    last_error_code TEXT,
    last_error_zh   TEXT,
    last_error_en   TEXT
);
-- Events the central endpoint refused (4xx), with why; not resent unless asked.
CREATE TABLE sync_rejections (
    event_id    TEXT PRIMARY KEY REFERENCES events(id),
    status      INTEGER NOT NULL,
    code        TEXT NOT NULL,
    message_zh  TEXT NOT NULL,
    message_en  TEXT NOT NULL,
    rejected_ms INTEGER NOT NULL
);
-- Where each pulled feed stands: the server-issued cursor and the last ETag.
CREATE TABLE sync_feeds (
    feed      TEXT PRIMARY KEY,
    cursor    TEXT NOT NULL,
    etag      TEXT,
    pulled_ms INTEGER NOT NULL
);
CREATE TABLE central_enterprises (
    uscc     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    address  TEXT,
    industry TEXT
);
CREATE TABLE central_templates (
    id       TEXT PRIMARY KEY,
    document TEXT NOT NULL
);
CREATE TABLE central_issuer_keys (
    key_id     TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    revoked    INTEGER NOT NULL
);
"""


def _migrate_v2_sync(conn: sqlite3.Connection) -> None:
    """Sync state, the pinned server key and the caches of pulled feeds."""
    _execute_script(conn, _V2_SYNC)


_V3_ROSTER = """
-- The department's roster as pulled from the central endpoint: a withdrawn officer
-- is not signed in on this tablet.
CREATE TABLE central_roster (
    credential   TEXT PRIMARY KEY,
    name         TEXT,
    department   TEXT,
    state        TEXT NOT NULL,
    withdrawn_ms INTEGER
);
"""


def _migrate_v3_roster(conn: sqlite3.Connection) -> None:
    """The pulled roster (officers withdrawn at the centre)."""
    _execute_script(conn, _V3_ROSTER)


_SYNC_PHOTOS = """
-- Evidence photos on their way to the central endpoint: local delivery state, not
-- signed events.  A photo is queued once an event announcing it has a receipt, and is
-- done when the centre says it holds it whole (state 'complete').
CREATE TABLE sync_photos (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    -- what the centre last said it holds of the photo
    held_bytes INTEGER NOT NULL DEFAULT 0,
    -- 'pending', 'complete', 'refused' (the centre will not take it), 'unreadable'
    -- (the file here is missing or no longer matches its signed hash)
    state      TEXT NOT NULL,
    code       TEXT,
    message_zh TEXT,
    message_en TEXT,
    updated_ms INTEGER NOT NULL
);
-- Delivered photo events already queued (their photo is in sync_photos).
CREATE TABLE sync_photo_events (
    event_id TEXT PRIMARY KEY REFERENCES events(id),
    sha256   TEXT NOT NULL
);
"""


def _migrate_sync_photos(conn: sqlite3.Connection) -> None:
    """The photo upload queue (what the centre has confirmed of each photo)."""
    _execute_script(conn, _SYNC_PHOTOS)


_QUICK_UNLOCK = """
-- An officer's key wrapped under a short PIN for a few hours after a full sign-in, in
-- this boot only (inspector_app/ledger/quick_unlock.py).  Never the PIN, never the key
-- in clear; erased when it expires or after too many wrong PINs.
CREATE TABLE quick_unlock (
    credential       TEXT PRIMARY KEY,
    wrapped          TEXT NOT NULL,
    boot_id          TEXT NOT NULL,
    deadline_boot_ns INTEGER NOT NULL,
    failures         INTEGER NOT NULL
);
"""


def _migrate_quick_unlock(conn: sqlite3.Connection) -> None:
    """The PIN-wrapped keys of the quick unlock."""
    _execute_script(conn, _QUICK_UNLOCK)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_v1, _migrate_v2_sync, _migrate_v3_roster, _migrate_sync_photos,
    _migrate_quick_unlock)
SCHEMA_VERSION = len(MIGRATIONS)


class LedgerTooNew(RuntimeError):
    pass


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to :data:`SCHEMA_VERSION`; returns the version it was at.

    A ledger already current is only read (no write lock: opening it works on a
    full disk and never waits for a writer)."""
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION:
        return SCHEMA_VERSION
    with write_transaction(conn):
        start = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if start > SCHEMA_VERSION:
            raise LedgerTooNew(
                f"ledger schema {start} is newer than this program ({SCHEMA_VERSION})"
            )
        for version in range(start, SCHEMA_VERSION):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return start
