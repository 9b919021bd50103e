"""Feeds the tablets pull for offline use, by server-issued cursor (never by device clock).

``registry`` (enterprises), ``templates`` (checklist templates) and
``issuer_keys`` (QR issuer keys, revoked ones included) are documents keyed per
feed; ``visits`` is the recent visit history derived from ingested events.
Every change gets a revision from a database counter whose row lock orders
commits, so a cursor "(revision, key)" never skips a change committed later with
a lower revision.  A page's ETag names the feed's newest revision, so a
client that read to the end and sends it back gets ``304 Not Modified``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from inspector_central.error_replies import ApiError
from inspector_central.signing import now_ms
from inspector_central.storage import Database, Tx
from inspector_protocol.text import Text
from inspector_protocol.wire import FEEDS, MAX_FEED_PAGE

DOCUMENT_FEEDS = ("registry", "templates", "issuer_keys")
DEFAULT_HISTORY_DAYS = 30
_DAY_MS = 86_400_000


@dataclass(frozen=True)
class FeedPage:
    feed: str
    items: list[dict[str, Any]]
    next_cursor: str
    more: bool
    etag: str


def put_documents(database: Database, feed: str, documents: Iterable[tuple[str, dict[str, Any]]],
                  chunk: int = 5000) -> int:
    """Add or replace documents (one revision per chunk); returns how many were written."""
    assert feed in DOCUMENT_FEEDS
    batch: list[tuple[str, dict[str, Any]]] = []
    written = 0
    for item in documents:
        batch.append(item)
        if len(batch) >= chunk:
            written += _put_chunk(database, feed, batch)
            batch = []
    return written + (_put_chunk(database, feed, batch) if batch else 0)


def template_conflicts(database: Database, documents: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Templates that reuse the id and version of the one held with other content.

    Tablets refuse such a document (a visit names its template by id and version),
    so the feed refuses it first: a changed template needs a new version."""
    held: dict[str, dict[str, Any]] = {}
    with database.transaction(write=False) as tx:
        for key, doc in tx.all("SELECT item_key, doc FROM feed_items WHERE feed = 'templates'"):
            held[str(key)] = json.loads(doc)
    return [key for key, doc in documents
            if key in held and held[key].get("version") == doc.get("version") and held[key] != doc]


def _put_chunk(database: Database, feed: str, batch: list[tuple[str, dict[str, Any]]]) -> int:
    with database.transaction() as tx:
        rev = tx.next_revision("feeds")
        tx.executemany(
            "INSERT INTO feed_items (feed, item_key, rev, doc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (feed, item_key) DO UPDATE SET rev = excluded.rev, doc = excluded.doc",
            [(feed, key, rev, json.dumps(doc, ensure_ascii=False, sort_keys=True))
             for key, doc in batch])
        if feed == "registry":
            _put_enterprises(tx, rev, batch)
    return len(batch)


def _put_enterprises(tx: Tx, rev: int, batch: list[tuple[str, dict[str, Any]]]) -> None:
    """The console's table of enterprises follows the registry feed (migration "enterprises")."""
    tx.executemany(
        "INSERT INTO enterprises (uscc, name, address, industry, deleted, rev) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, "
        "address = excluded.address, industry = excluded.industry, deleted = excluded.deleted, "
        "rev = excluded.rev",
        [(key, str(doc.get("name", "")), doc.get("address"), doc.get("industry"),
          int(bool(doc.get("deleted"))), rev) for key, doc in batch])


def read_page(database: Database, feed: str, cursor: str | None, limit: int,
              if_none_match: str | None, history_days: int) -> FeedPage | None:
    """A page after ``cursor``; None when ``if_none_match`` shows the client has it already."""
    if feed not in FEEDS:
        raise ApiError(404, "feed.unknown", Text("没有该数据源：{feed}", "No such feed: {feed}")
                       .format(feed=feed))
    after = decode_cursor(cursor)
    limit = max(1, min(limit, MAX_FEED_PAGE))
    with database.transaction(write=False) as tx:
        newest = _newest_revision(tx, feed)
        etag = _etag(feed, newest, history_days)
        if if_none_match is not None and etag in _etags(if_none_match):
            return None
        rows = _rows(tx, feed, after, limit + 1, history_days)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [_item(feed, key, doc) for _rev, key, doc in rows]
    next_cursor = encode_cursor(rows[-1][0], rows[-1][1]) if rows else (cursor or encode_cursor(0, ""))
    return FeedPage(feed, items, next_cursor, more, etag)


def _newest_revision(tx: Tx, feed: str) -> int:
    if feed == "visits":
        row = tx.one("SELECT MAX(rev) FROM visits")
    else:
        row = tx.one("SELECT MAX(rev) FROM feed_items WHERE feed = ?", (feed,))
    return int(row[0]) if row and row[0] is not None else 0


def _rows(tx: Tx, feed: str, after: tuple[int, str], limit: int,
          history_days: int) -> list[tuple[int, str, Any]]:
    rev, key = after
    if feed == "visits":
        since = now_ms() - history_days * _DAY_MS
        rows = tx.all(
            "SELECT rev, visit_id, enterprise, department, kind, enforcement, checked_in_ms, "
            "duration_s, state FROM visits WHERE (rev > ? OR (rev = ? AND visit_id > ?)) "
            "AND checked_in_ms >= ? ORDER BY rev, visit_id LIMIT ?",
            (rev, rev, key, since, limit))
        return [(int(r[0]), str(r[1]), r) for r in rows]
    rows = tx.all(
        "SELECT rev, item_key, doc FROM feed_items WHERE feed = ? AND (rev > ? OR (rev = ? AND "
        "item_key > ?)) ORDER BY rev, item_key LIMIT ?", (feed, rev, rev, key, limit))
    return [(int(r[0]), str(r[1]), r[2]) for r in rows]


def _item(feed: str, key: str, doc: Any) -> dict[str, Any]:
    if feed == "visits":
        r = doc
        return {"visit_id": key, "enterprise": r[2], "department": r[3], "kind": r[4],
                "enforcement": bool(r[5]), "checked_in_ms": int(r[6]),
                "duration_s": None if r[7] is None else int(r[7]), "state": r[8]}
    value = json.loads(doc)
    assert isinstance(value, dict)
    return value


def encode_cursor(rev: int, key: str) -> str:
    raw = json.dumps([rev, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, str]:
    if not cursor:
        return 0, ""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        rev, key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(rev, int) or isinstance(rev, bool) or rev < 0 or not isinstance(key, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ApiError(400, "feed.cursor", Text(
            "游标无效：请从头重新拉取。", "The cursor is not valid: pull again from the start.")) from None
    return rev, key


def _etag(feed: str, newest: int, history_days: int) -> str:
    """Names the feed's state, not the page: a client that has read a final page at this
    state (and only such a client sends it back) has nothing new to read."""
    digest = hashlib.sha256(f"{feed}\x00{newest}\x00{history_days}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",")}
