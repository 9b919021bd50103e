"""The central schema and its migrations, for SQLite and PostgreSQL alike.

Append-only, like the ledger: a released migration is never edited.  The SQL is
written once with three type words filled in per dialect.  Applying a migration
and recording it happen in one transaction; the ``schema_version`` primary key
makes two servers starting at once on a fresh database safe (the loser rolls
back and finds the work done).
"""

from __future__ import annotations

from collections.abc import Callable

from inspector_central.storage import Database, Tx

_TYPES = {
    "sqlite": {"blob": "BLOB", "bigint": "INTEGER", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgresql": {"blob": "BYTEA", "bigint": "BIGINT", "serial": "BIGSERIAL PRIMARY KEY"},
}

_V1 = """
CREATE TABLE server_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_id      TEXT NOT NULL,
    public_key  {blob} NOT NULL,
    private_key {blob} NOT NULL,
    created_ms  {bigint} NOT NULL
);
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value {bigint} NOT NULL
);
INSERT INTO counters VALUES ('feeds', 0);
INSERT INTO counters VALUES ('visits', 0);
CREATE TABLE enrolment_codes (
    code_hash   TEXT PRIMARY KEY,
    device_name TEXT NOT NULL,
    created_ms  {bigint} NOT NULL,
    expires_ms  {bigint} NOT NULL,
    used_ms     {bigint},
    used_by     TEXT
);
CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    public_key      {blob} NOT NULL,
    key_id          TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    enrolled_ms     {bigint} NOT NULL,
    checkpoint_seq  {bigint} NOT NULL DEFAULT 0,
    checkpoint_head TEXT,
    checkpoint_raw  {blob},
    checkpoint_sig  {blob}
);
-- Keys that sign a device's events: its own, and officers' keys enrolled on it.
CREATE TABLE device_keys (
    device     TEXT NOT NULL REFERENCES devices(id),
    key_id     TEXT NOT NULL,
    officer    TEXT,
    public_key {blob} NOT NULL,
    PRIMARY KEY (device, key_id)
);
-- Accepted events.  The primary key is the idempotency key; the unique
-- (device, seq) is what makes a fork impossible to store silently.
CREATE TABLE events (
    id             TEXT PRIMARY KEY,
    device         TEXT NOT NULL REFERENCES devices(id),
    seq            {bigint} NOT NULL,
    hash           TEXT NOT NULL,
    type           TEXT NOT NULL,
    officer        TEXT,
    visit_id       TEXT,
    chain_ok       INTEGER NOT NULL,
    received_ms    {bigint} NOT NULL,
    raw            {blob} NOT NULL,
    sig            {blob} NOT NULL,
    receipt_raw    {blob} NOT NULL,
    receipt_sig    {blob} NOT NULL,
    UNIQUE (device, seq)
);
CREATE INDEX events_by_visit ON events(visit_id);
-- Events refused for a forged or unknown signature, kept as evidence and so
-- that the next event's chain link can still be checked against them.
CREATE TABLE quarantine (
    hash        TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL,
    device      TEXT NOT NULL,
    seq         {bigint} NOT NULL,
    reason      TEXT NOT NULL,
    received_ms {bigint} NOT NULL,
    raw         {blob} NOT NULL,
    sig         {blob} NOT NULL
);
CREATE INDEX quarantine_by_position ON quarantine(device, seq);
CREATE TABLE alarms (
    id          {serial},
    device      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    seq         {bigint},
    event_id    TEXT,
    detected_ms {bigint} NOT NULL,
    evidence    TEXT NOT NULL
);
CREATE INDEX alarms_by_device ON alarms(device, id);
-- Visits derived from accepted events, served as the history feed.
CREATE TABLE visits (
    visit_id       TEXT PRIMARY KEY,
    device         TEXT NOT NULL,
    officer        TEXT,
    enterprise     TEXT NOT NULL,
    department     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    enforcement    INTEGER NOT NULL,
    state          TEXT NOT NULL,
    checked_in_ms  {bigint} NOT NULL,
    checked_out_ms {bigint},
    duration_s     {bigint},
    rev            {bigint} NOT NULL
);
CREATE INDEX visits_by_rev ON visits(rev, visit_id);
CREATE INDEX visits_by_enterprise ON visits(enterprise, checked_in_ms);
-- Registry, templates and issuer keys: documents keyed per feed, each change a new revision.
CREATE TABLE feed_items (
    feed     TEXT NOT NULL,
    item_key TEXT NOT NULL,
    rev      {bigint} NOT NULL,
    doc      TEXT NOT NULL,
    PRIMARY KEY (feed, item_key)
);
CREATE INDEX feed_items_by_rev ON feed_items(feed, rev, item_key);
"""


def _statements(script: str) -> list[str]:
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]


def _migrate_v1(tx: Tx) -> None:
    for statement in _statements(_V1.format(**_TYPES[tx.dialect])):
        tx.execute(statement)


_V2 = """
-- Officers withdrawn by the oversight office: their credential codes no longer pass
-- the public verification page, even with a valid signature.
CREATE TABLE officer_revocations (
    credential TEXT PRIMARY KEY,
    revoked_ms {bigint} NOT NULL,
    reason     TEXT NOT NULL
);
-- The verification pages look officers' keys up by credential number and show the name
-- and department of the (verified) enrolment event.
CREATE INDEX device_keys_by_officer ON device_keys(officer);
ALTER TABLE device_keys ADD COLUMN name TEXT;
ALTER TABLE device_keys ADD COLUMN department TEXT;
"""


def _migrate_v2(tx: Tx) -> None:
    for statement in _statements(_V2.format(**_TYPES[tx.dialect])):
        tx.execute(statement)


_V3 = """
-- The roster: the department's word on who its officers are.  Only a credential on
-- the roster, with a key activated by a one-time code from department IT, passes the
-- public verification page.  Withdrawals stay in officer_revocations.
CREATE TABLE officers (
    credential TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    department TEXT NOT NULL,
    added_ms   {bigint} NOT NULL
);
-- One-time officer activation codes.  Only code_key is stored: SHA-256 of the
-- normalised code, the HMAC key of the proof bound into the officer's enrolment event.
CREATE TABLE officer_activation_codes (
    code_key   TEXT PRIMARY KEY,
    credential TEXT NOT NULL,
    created_ms {bigint} NOT NULL,
    expires_ms {bigint} NOT NULL,
    used_ms    {bigint},
    used_key   TEXT
);
CREATE INDEX activation_codes_by_officer ON officer_activation_codes(credential);
-- An officer key is activated (by a valid proof) or it is not; exact look-ups by key.
ALTER TABLE device_keys ADD COLUMN activated_ms {bigint};
CREATE INDEX device_keys_activated ON device_keys(officer, activated_ms);
-- Revoked devices: their token stops working and later events are refused.
ALTER TABLE devices ADD COLUMN revoked_ms {bigint};
ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
-- Time evidence: the event's time on the server's clock where an anchor on the same
-- boot places it, and what was found ('anchored', 'unanchored', 'clock_discrepancy').
ALTER TABLE events ADD COLUMN server_ms {bigint};
ALTER TABLE events ADD COLUMN time_flag TEXT;
-- Alarms are counted, not repeated: one row per (device, kind, evidence hash).
ALTER TABLE alarms ADD COLUMN evidence_hash TEXT;
ALTER TABLE alarms ADD COLUMN count {bigint} NOT NULL DEFAULT 1;
ALTER TABLE alarms ADD COLUMN last_ms {bigint};
UPDATE alarms SET evidence_hash = 'row-' || CAST(id AS TEXT), last_ms = detected_ms;
CREATE UNIQUE INDEX alarms_once ON alarms(device, kind, evidence_hash);
CREATE INDEX alarms_by_kind ON alarms(device, kind, detected_ms);
"""

_V4 = """
-- Double-random draws (docs/draws.md): the signed commitment and the pools it names,
-- the secret (published only with the result) and, once run, the signed result.
CREATE TABLE draws (
    id             TEXT PRIMARY KEY,
    committed_ms   {bigint} NOT NULL,
    commitment_raw {blob} NOT NULL,
    commitment_sig {blob} NOT NULL,
    pools          TEXT NOT NULL,
    secret         {blob} NOT NULL,
    run_ms         {bigint},
    result_raw     {blob},
    result_sig     {blob}
);
INSERT INTO counters VALUES ('draws', 0);
"""


def _migrate_v3(tx: Tx) -> None:
    """Roster, officer activation, device revocation, time evidence, counted alarms."""
    for statement in _statements(_V3.format(**_TYPES[tx.dialect])):
        tx.execute(statement)


def _migrate_v4(tx: Tx) -> None:
    """Double-random draws."""
    for statement in _statements(_V4.format(**_TYPES[tx.dialect])):
        tx.execute(statement)


_PHOTOS = """
-- Photos announced by accepted visit.photo events: only the announcing device may upload
-- a photo's bytes, held to the size its event declared (docs/sync-protocol.md, Photos).
CREATE TABLE photo_announcements (
    sha256     TEXT NOT NULL,
    device     TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    visit_id   TEXT,
    size       {bigint},
    media_type TEXT,
    PRIMARY KEY (sha256, event_id)
);
CREATE INDEX photo_announcements_by_device ON photo_announcements(device, sha256);
CREATE INDEX photo_announcements_by_visit ON photo_announcements(visit_id);
-- What the photo store holds of each photo; the bytes are files named by their hash.
CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY,
    size         {bigint} NOT NULL,
    held_bytes   {bigint} NOT NULL,
    state        TEXT NOT NULL,
    first_device TEXT NOT NULL,
    updated_ms   {bigint} NOT NULL,
    completed_ms {bigint}
);
"""


def _migrate_photos(tx: Tx) -> None:
    """Evidence photos: announcements and the store's index; photo events already held
    announce their photos."""
    from inspector_central.photos import record_announcement
    from inspector_protocol.envelope import SignedEvent

    for statement in _statements(_PHOTOS.format(**_TYPES[tx.dialect])):
        tx.execute(statement)
    for device, raw, sig in tx.all("SELECT device, raw, sig FROM events WHERE type = ?",
                                   ("visit.photo",)):
        record_announcement(tx, str(device), SignedEvent(bytes(raw), bytes(sig)))


_PROVISIONING = """
-- Provisioning (docs/it-guide.md): the key that signs packages (kept here unless IT keeps
-- it in a file), the profiles packages name, one row per package with the hash of its
-- one-time token (an enrolment code); and the signed release manifests served to tablets.
CREATE TABLE provisioning_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_id      TEXT NOT NULL,
    public_key  {blob} NOT NULL,
    private_key {blob} NOT NULL,
    created_ms  {bigint} NOT NULL
);
CREATE TABLE provisioning_profiles (
    sha256     TEXT PRIMARY KEY,
    body       {blob} NOT NULL,
    created_ms {bigint} NOT NULL
);
CREATE TABLE provisioning_packages (
    package_id     TEXT PRIMARY KEY,
    code_hash      TEXT NOT NULL UNIQUE,
    label          TEXT NOT NULL,
    department     TEXT NOT NULL,
    profile_sha256 TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    created_ms     {bigint} NOT NULL,
    expires_ms     {bigint} NOT NULL
);
CREATE TABLE releases (
    version      TEXT PRIMARY KEY,
    major        INTEGER NOT NULL,
    minor        INTEGER NOT NULL,
    patch        INTEGER NOT NULL,
    published_s  {bigint} NOT NULL,
    document     TEXT NOT NULL,
    published_ms {bigint} NOT NULL
)
"""


def _migrate_provisioning(tx: Tx) -> None:
    """Provisioning packages and release manifests."""
    for statement in _statements(_PROVISIONING.format(**_TYPES[tx.dialect])):
        tx.execute(statement)


def _migrate_enterprise(tx: Tx) -> None:
    """The enterprise's side: ratings, complaints, access codes, notifications."""
    from inspector_central.enterprise.schema import SCHEMA

    for statement in _statements(SCHEMA.format(**_TYPES[tx.dialect])):
        tx.execute(statement)


_V_CONSOLE = """
-- The oversight console (docs/console.md).  What the console reads of a visit beyond the
-- history feed's columns, filled from the accepted check-in and later events.
ALTER TABLE visits ADD COLUMN category TEXT;
ALTER TABLE visits ADD COLUMN reason TEXT;
ALTER TABLE visits ADD COLUMN legal_basis TEXT;
ALTER TABLE visits ADD COLUMN enterprise_name TEXT;
ALTER TABLE visits ADD COLUMN entry_scan TEXT;
ALTER TABLE visits ADD COLUMN exit_scan TEXT;
ALTER TABLE visits ADD COLUMN incomplete INTEGER;
ALTER TABLE visits ADD COLUMN photos INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN rectifications INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN clock_discrepancy INTEGER NOT NULL DEFAULT 0;
CREATE INDEX visits_by_time ON visits(checked_in_ms, visit_id);
CREATE INDEX visits_by_department ON visits(department, checked_in_ms, visit_id);
CREATE INDEX visits_by_officer ON visits(officer, checked_in_ms);
-- Enterprises the console can search: the registry feed's and those visited.  The name is
-- compared byte-wise (prefix search by range on one index, the same on both databases).
CREATE TABLE console_enterprises (
    uscc TEXT PRIMARY KEY,
    name TEXT {collate_c} NOT NULL
);
CREATE INDEX console_enterprises_by_name ON console_enterprises(name, uscc);
INSERT INTO counters VALUES ('console_registry_seen', 0);
CREATE TABLE console_users (
    id              {serial},
    name            TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    department      TEXT,
    pass_hash       TEXT NOT NULL,
    created_ms      {bigint} NOT NULL,
    disabled_ms     {bigint},
    failures        {bigint} NOT NULL DEFAULT 0,
    locked_until_ms {bigint}
);
CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     {bigint} NOT NULL,
    csrf        TEXT NOT NULL,
    created_ms  {bigint} NOT NULL,
    expires_ms  {bigint} NOT NULL,
    revoked_ms  {bigint},
    address     TEXT
);
CREATE INDEX console_sessions_by_user ON console_sessions(user_id);
CREATE TABLE console_address_failures (
    address         TEXT PRIMARY KEY,
    window_start_ms {bigint} NOT NULL,
    failures        {bigint} NOT NULL,
    locked_until_ms {bigint}
);
CREATE TABLE audit_log (
    id      {serial},
    at_ms   {bigint} NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    detail  TEXT NOT NULL,
    address TEXT
);
CREATE INDEX audit_log_by_time ON audit_log(at_ms);
-- Installed rules files, versioned; the highest version is in force.
CREATE TABLE console_rules (
    version      {bigint} PRIMARY KEY,
    installed_ms {bigint} NOT NULL,
    installed_by TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    document     TEXT NOT NULL
);
-- Frequency warnings: one per rule and triggering visit (the key), never repeated.
CREATE TABLE console_warnings (
    id               {serial},
    warning_key      TEXT NOT NULL UNIQUE,
    rule_id          TEXT NOT NULL,
    rule_kind        TEXT NOT NULL,
    enterprise       TEXT NOT NULL,
    department       TEXT NOT NULL,
    trigger_visit    TEXT NOT NULL,
    trigger_ms       {bigint} NOT NULL,
    visits           TEXT NOT NULL,
    detail           TEXT NOT NULL,
    state            TEXT NOT NULL,
    created_ms       {bigint} NOT NULL,
    justification    TEXT,
    justified_by     TEXT,
    justified_ms     {bigint},
    close_note       TEXT,
    closed_by        TEXT,
    closed_ms        {bigint}
);
CREATE INDEX console_warnings_by_state ON console_warnings(state, trigger_ms);
CREATE INDEX console_warnings_by_department ON console_warnings(department, state, trigger_ms);
CREATE INDEX console_warnings_by_department_time ON console_warnings(department, trigger_ms);
CREATE INDEX console_warnings_by_enterprise ON console_warnings(enterprise, trigger_ms);
CREATE INDEX console_warnings_by_time ON console_warnings(trigger_ms);
-- The oversight office's acknowledgement of a tamper alarm (seen, with a note).
CREATE TABLE console_alarm_acknowledgements (
    alarm_id {bigint} PRIMARY KEY,
    by_name  TEXT NOT NULL,
    at_ms    {bigint} NOT NULL,
    note     TEXT NOT NULL
);
-- Statistics kept up to date at ingest, so that a year's overview reads a few thousand rows
-- instead of every visit: per China day, department, kind; and per month and officer.
CREATE TABLE console_daily (
    day        {bigint} NOT NULL,
    department TEXT NOT NULL,
    kind       TEXT NOT NULL,
    enforcement INTEGER NOT NULL,
    category    TEXT,
    visits            {bigint} NOT NULL,
    timed             {bigint} NOT NULL,
    duration_sum      {bigint} NOT NULL,
    too_short         {bigint} NOT NULL,
    too_long          {bigint} NOT NULL,
    b_lt5m            {bigint} NOT NULL,
    b_5_30m           {bigint} NOT NULL,
    b_30_60m          {bigint} NOT NULL,
    b_1_2h            {bigint} NOT NULL,
    b_2_4h            {bigint} NOT NULL,
    b_gt4h            {bigint} NOT NULL,
    typed             {bigint} NOT NULL,
    scan_known        {bigint} NOT NULL,
    exit_without_scan {bigint} NOT NULL,
    open_visits       {bigint} NOT NULL,
    incomplete        {bigint} NOT NULL,
    clock             {bigint} NOT NULL,
    PRIMARY KEY (day, department, kind, enforcement)
);
CREATE INDEX console_daily_by_department ON console_daily(department, day);
CREATE TABLE console_monthly_officers (
    month      {bigint} NOT NULL,
    department TEXT NOT NULL,
    officer    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    enforcement INTEGER NOT NULL,
    category    TEXT,
    visits            {bigint} NOT NULL,
    timed             {bigint} NOT NULL,
    duration_sum      {bigint} NOT NULL,
    too_short         {bigint} NOT NULL,
    too_long          {bigint} NOT NULL,
    b_lt5m            {bigint} NOT NULL,
    b_5_30m           {bigint} NOT NULL,
    b_30_60m          {bigint} NOT NULL,
    b_1_2h            {bigint} NOT NULL,
    b_2_4h            {bigint} NOT NULL,
    b_gt4h            {bigint} NOT NULL,
    typed             {bigint} NOT NULL,
    scan_known        {bigint} NOT NULL,
    exit_without_scan {bigint} NOT NULL,
    open_visits       {bigint} NOT NULL,
    incomplete        {bigint} NOT NULL,
    clock             {bigint} NOT NULL,
    PRIMARY KEY (month, department, officer, kind, enforcement)
);
"""


def _migrate_console(tx: Tx) -> None:
    """The oversight console: accounts, sessions, audit log, rules, warnings, visit facts."""
    words = {**_TYPES[tx.dialect], "collate_c": 'COLLATE "C"' if tx.dialect == "postgresql" else ""}
    for statement in _statements(_V_CONSOLE.format(**words)):
        tx.execute(statement)

_ENTERPRISES = """
-- The registry as a table of its own, kept by the registry feed (feeds.put_documents):
-- the oversight console finds an enterprise by USCC (the key), by name (prefix through
-- the index, a substring by scanning one narrow table) and lists a street's by address.
CREATE TABLE enterprises (
    uscc     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    address  TEXT,
    industry TEXT,
    deleted  INTEGER NOT NULL DEFAULT 0,
    rev      {bigint} NOT NULL
);
CREATE INDEX enterprises_by_name ON enterprises(name);
CREATE INDEX enterprises_by_address ON enterprises(address);
"""
_FILL_ENTERPRISES = {
    "sqlite": "INSERT INTO enterprises (uscc, name, address, industry, deleted, rev) "
              "SELECT item_key, json_extract(doc, '$.name'), json_extract(doc, '$.address'), "
              "json_extract(doc, '$.industry'), COALESCE(json_extract(doc, '$.deleted'), 0), rev "
              "FROM feed_items WHERE feed = 'registry'",
    "postgresql": "INSERT INTO enterprises (uscc, name, address, industry, deleted, rev) "
                  "SELECT item_key, doc::json->>'name', doc::json->>'address', "
                  "doc::json->>'industry', CASE WHEN doc::json->>'deleted' = 'true' THEN 1 "
                  "ELSE 0 END, rev FROM feed_items WHERE feed = 'registry'",
}


def _migrate_enterprise_registry(tx: Tx) -> None:
    """The registry's enterprises in a table the console searches, filled from the feed."""
    for statement in _statements(_ENTERPRISES.format(**_TYPES[tx.dialect])):
        tx.execute(statement)
    tx.execute(_FILL_ENTERPRISES[tx.dialect])


MIGRATIONS: tuple[Callable[[Tx], None], ...] = (
    _migrate_v1, _migrate_v2, _migrate_v3, _migrate_v4, _migrate_photos, _migrate_provisioning,
    _migrate_enterprise, _migrate_console, _migrate_enterprise_registry)


def migrate(database: Database) -> None:
    for _attempt in range(3):
        try:
            _migrate_once(database)
            return
        except Exception as exc:  # a concurrent start won the race: look again
            if not _is_concurrent_migration(exc):
                raise
    _migrate_once(database)


def _migrate_once(database: Database) -> None:
    with database.transaction() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
    with database.transaction() as tx:
        if tx.dialect == "postgresql":
            # Serialise concurrent starts; the lock ends with the transaction.
            tx.execute("SELECT pg_advisory_xact_lock(7315001)")
        row = tx.one("SELECT MAX(version) FROM schema_version")
        current = int(row[0]) if row and row[0] is not None else 0
        for version in range(current, len(MIGRATIONS)):
            MIGRATIONS[version](tx)
            tx.execute("INSERT INTO schema_version VALUES (?)", (version + 1,))


def _is_concurrent_migration(exc: Exception) -> bool:
    text = str(exc).lower()
    return "already exists" in text or "duplicate key" in text or "unique" in text

