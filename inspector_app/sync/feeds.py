"""Pulling the feeds by server-issued cursor, checking every item, caching them for offline use.

A page is checked whole before any of it is stored; the page's items and the
new cursor are stored in one transaction, so a pull killed half-way resumes
exactly where the last stored page ended.  ``visits`` fills ``visit_history``,
which the frequency warning reads offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger
from inspector_app.sync.failures import invalid_response
from inspector_app.sync.transport import Reply, Transport
from inspector_protocol import keys
from inspector_protocol.wire import API_PREFIX, FEEDS, MAX_FEED_PAGE

MAX_PAGES_PER_FEED = 1000
_KEY_ID = re.compile(r"[0-9a-f]{16}")
Row = tuple[Any, ...]


def pull_feed(ledger: Ledger, transport: Transport, token: str, feed: str,
              history_days: int, cancelled: Callable[[], bool]) -> int:
    """Pull one feed to its end; returns the number of items stored."""
    stored = 0
    for _page in range(MAX_PAGES_PER_FEED):
        if cancelled():
            break
        cursor, etag = _position(ledger, feed)
        params: dict[str, Any] = {"limit": MAX_FEED_PAGE}
        if cursor:
            params["cursor"] = cursor
        if feed == "visits":
            params["days"] = history_days
        headers = {"If-None-Match": etag} if etag else {}
        page = transport.exchange("GET", f"{API_PREFIX}/feeds/{feed}",
                                  lambda reply: _check_page(reply, feed), token=token,
                                  params=params, headers=headers)
        if page is None:  # 304: nothing new since the last page we stored
            break
        rows, next_cursor, more, new_etag = page
        _store(ledger, feed, rows, next_cursor, None if more else new_etag)
        stored += len(rows)
        if not more:
            break
    return stored


def _position(ledger: Ledger, feed: str) -> tuple[str | None, str | None]:
    row = ledger.conn.execute("SELECT cursor, etag FROM sync_feeds WHERE feed = ?",
                              (feed,)).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def _check_page(reply: Reply, feed: str) -> tuple[list[Row], str, bool, str | None] | None:
    if reply.status == 304:
        return None
    body = reply.body or {}
    if reply.status != 200 or body.get("feed") != feed:
        raise invalid_response(f"the {feed} page is not an answer to our request")
    items, cursor, more = body.get("items"), body.get("next_cursor"), body.get("more")
    if not isinstance(items, list) or len(items) > MAX_FEED_PAGE or not isinstance(cursor, str) \
            or not 0 < len(cursor) <= 512 or not isinstance(more, bool):
        raise invalid_response(f"the {feed} page is malformed")
    check = _CHECKS[feed]
    rows = [check(item) for item in items]
    etag = reply.headers.get("etag")
    return rows, cursor, more, etag if etag and len(etag) <= 200 else None


def _str(value: Any, max_len: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= max_len:
        raise invalid_response("an item has a missing or oversized field")
    return value


def _int(value: Any, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**53:
        raise invalid_response("an item has a missing or wrong number")
    return value


def _uscc(value: Any) -> str:
    from inspector_protocol.uscc import InvalidUSCC, parse_uscc

    try:
        return parse_uscc(str(_str(value, 18))).value
    except InvalidUSCC:
        raise invalid_response("an item has an invalid USCC") from None


def _dict(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise invalid_response("an item is not an object")
    return item


def _registry_row(item: Any) -> Row:
    d = _dict(item)
    deleted = d.get("deleted", False)
    if not isinstance(deleted, bool):
        raise invalid_response("an item has a wrong flag")
    return (_uscc(d.get("uscc")), _str(d.get("name"), 200), _str(d.get("address"), 500, optional=True),
            _str(d.get("industry"), 500, optional=True), deleted)


def _visit_row(item: Any) -> Row:
    d = _dict(item)
    enforcement = d.get("enforcement")
    if not isinstance(enforcement, bool):
        raise invalid_response("an item has a wrong flag")
    return (_str(d.get("visit_id"), 64), _uscc(d.get("enterprise")), _str(d.get("department"), 64),
            _str(d.get("kind"), 64), int(enforcement), _int(d.get("checked_in_ms")),
            _int(d.get("duration_s"), optional=True))


def _template_row(item: Any) -> Row:
    from inspector_protocol.checklist_template import parse_template
    from inspector_protocol.errors import InspectorError

    raw = json.dumps(_dict(item), ensure_ascii=False).encode("utf-8")
    try:
        template = parse_template(raw, "central template")
    except InspectorError:
        raise invalid_response("a checklist template does not pass the schema") from None
    return template.ref.id, raw.decode("utf-8")


def _issuer_key_row(item: Any) -> Row:
    d = _dict(item)
    try:
        public = keys.b64decode(str(d.get("public_key")))
    except ValueError:
        raise invalid_response("an issuer key is not base64") from None
    revoked = d.get("revoked")
    if len(public) != 32 or d.get("key_id") != keys.key_id(public) or not isinstance(revoked, bool):
        raise invalid_response("an issuer key does not match its id")
    return keys.key_id(public), public, int(revoked)


_CHECKS: dict[str, Callable[[Any], Row]] = {
    "registry": _registry_row, "visits": _visit_row, "templates": _template_row,
    "issuer_keys": _issuer_key_row,
}
assert set(_CHECKS) == set(FEEDS)


def _store(ledger: Ledger, feed: str, rows: list[Row], cursor: str, etag: str | None) -> None:
    conn = ledger.conn
    with write_transaction(conn):
        if feed == "registry":
            conn.executemany("DELETE FROM central_enterprises WHERE uscc = ?",
                             [(r[0],) for r in rows if r[4]])
            conn.executemany("INSERT OR REPLACE INTO central_enterprises VALUES (?, ?, ?, ?)",
                             [r[:4] for r in rows if not r[4]])
        elif feed == "visits":
            conn.executemany("INSERT OR REPLACE INTO visit_history VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        elif feed == "templates":
            conn.executemany("INSERT OR REPLACE INTO central_templates VALUES (?, ?)", rows)
        else:
            conn.executemany("INSERT OR REPLACE INTO central_issuer_keys VALUES (?, ?, ?)", rows)
        conn.execute(
            "INSERT INTO sync_feeds VALUES (?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET "
            "cursor = excluded.cursor, etag = excluded.etag, pulled_ms = excluded.pulled_ms",
            (feed, cursor, etag, ledger.clock.now().wall_ms))
