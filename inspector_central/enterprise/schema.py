"""The enterprise side's tables (one released migration: append a new one, never edit this).

Ratings sit apart from the visits they rate and carry no address, device or
browser of whoever rated: only the visit, the score, the comment, and which
receipt signature was used (hashed).  Complaints keep their own history.
"""

SCHEMA = """
-- Anonymous ratings from the enterprise's phone: one per visit, changeable for a while.
CREATE TABLE enterprise_ratings (
    visit_id   TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    score      INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment    TEXT,
    first_ms   {bigint} NOT NULL,
    updated_ms {bigint} NOT NULL,
    changes    INTEGER NOT NULL DEFAULT 0
);
-- Complaints go to the oversight office only.  The tracking number is the complainant's
-- only handle; the enterprise and visit come from the verified receipt.
CREATE TABLE complaints (
    number     TEXT PRIMARY KEY,
    visit_id   TEXT NOT NULL,
    enterprise TEXT NOT NULL,
    category   TEXT NOT NULL,
    body       TEXT NOT NULL,
    contact    TEXT,
    state      TEXT NOT NULL,
    created_ms {bigint} NOT NULL,
    updated_ms {bigint} NOT NULL
);
CREATE INDEX complaints_by_state ON complaints(state, created_ms);
CREATE INDEX complaints_by_enterprise ON complaints(enterprise, created_ms);
CREATE TABLE complaint_photos (
    number TEXT PRIMARY KEY REFERENCES complaints(number),
    jpeg   {blob} NOT NULL,
    width  INTEGER NOT NULL,
    height INTEGER NOT NULL
);
CREATE TABLE complaint_events (
    id         {serial},
    number     TEXT NOT NULL REFERENCES complaints(number),
    at_ms      {bigint} NOT NULL,
    actor      TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX complaint_events_by_number ON complaint_events(number, id);
-- The enterprise's access code (一企一档): only its hash; a new code replaces the old.
CREATE TABLE enterprise_access (
    uscc      TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    issued_ms {bigint} NOT NULL,
    source    TEXT NOT NULL
);
-- The phone registered for notifications, and each visit's notification.
CREATE TABLE enterprise_contacts (
    uscc       TEXT PRIMARY KEY,
    phone      TEXT NOT NULL,
    updated_ms {bigint} NOT NULL
);
CREATE TABLE enterprise_notifications (
    visit_id   TEXT PRIMARY KEY,
    uscc       TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_ms    {bigint} NOT NULL,
    claimed_ms {bigint},
    sent_ms    {bigint},
    last_error TEXT
);
CREATE INDEX enterprise_notifications_due ON enterprise_notifications(state, next_ms);
"""
