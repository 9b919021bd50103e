"""Pulling the feeds by server-issued cursor, checking every item, caching them for offline use.

A page counts only when the transport has checked the pinned server key's
signature over it, bound to this request (a fresh nonce in the query, so an old
page cannot be replayed); then it is read with the protocol's models
(:mod:`inspector_protocol.messages`) and checked whole before any of it is stored; the page's items and the
new cursor are stored in one transaction, so a pull killed half-way resumes
exactly where the last stored page ended.  ``visits`` fills ``visit_history``,
which the frequency warning reads offline.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger
from inspector_app.sync.failures import invalid_response
from inspector_app.sync.responses import read_reply
from inspector_app.sync.transport import Reply, Transport
from inspector_protocol.messages import (
    FeedResponse,
    IssuerKeyEntry,
    RegistryEntry,
    RosterEntry,
    VisitSummary,
    WireModel,
)
from inspector_protocol.wire import API_PREFIX, FEEDS, MAX_FEED_PAGE

MAX_PAGES_PER_FEED = 1000
Row = tuple[Any, ...]


def pull_feed(ledger: Ledger, transport: Transport, token: str, feed: str,
              history_days: int, cancelled: Callable[[], bool]) -> int:
    """Pull one feed to its end; returns the number of items stored."""
    stored = 0
    for _page in range(MAX_PAGES_PER_FEED):
        if cancelled():
            break
        cursor, etag = _position(ledger, feed)
        params: dict[str, Any] = {"limit": MAX_FEED_PAGE, "nonce": secrets.token_urlsafe(18)}
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
    if reply.status != 200:
        raise invalid_response(f"the {feed} page is not an answer to our request")
    page = read_reply(FeedResponse, reply.body, f"{feed} page")
    if page.feed != feed:
        raise invalid_response(f"the {feed} page is not an answer to our request")
    check = _CHECKS[feed]
    rows = [check(item) for item in page.items]
    etag = reply.headers.get("etag")
    return rows, page.next_cursor, page.more, etag if etag and len(etag) <= 200 else None


def _item(model: type[WireModel], item: dict[str, Any]) -> Any:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
        raise invalid_response(f"an item of the feed is not valid at {where}") from None


def _registry_row(item: dict[str, Any]) -> Row:
    e: RegistryEntry = _item(RegistryEntry, item)
    return e.uscc, e.name, e.address, e.industry, e.deleted


def _visit_row(item: dict[str, Any]) -> Row:
    v: VisitSummary = _item(VisitSummary, item)
    return (v.visit_id, v.enterprise, v.department, v.kind, int(v.enforcement), v.checked_in_ms,
            v.duration_s)


def _template_row(item: dict[str, Any]) -> Row:
    from inspector_protocol.checklist_template import parse_template
    from inspector_protocol.errors import InspectorError

    raw = json.dumps(item, ensure_ascii=False).encode("utf-8")
    try:
        template = parse_template(raw, "central template")
    except InspectorError:
        raise invalid_response("a checklist template does not pass the schema") from None
    return template.ref.id, raw.decode("utf-8")


def _issuer_key_row(item: dict[str, Any]) -> Row:
    k: IssuerKeyEntry = _item(IssuerKeyEntry, item)
    return k.key_id, k.raw_public_key(), int(k.revoked)


def _roster_row(item: dict[str, Any]) -> Row:
    r: RosterEntry = _item(RosterEntry, item)
    return r.credential, r.name, r.department, r.state, r.withdrawn_ms


_CHECKS: dict[str, Callable[[dict[str, Any]], Row]] = {
    "registry": _registry_row, "visits": _visit_row, "templates": _template_row,
    "issuer_keys": _issuer_key_row, "roster": _roster_row,
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
        elif feed == "roster":
            conn.executemany("INSERT OR REPLACE INTO central_roster VALUES (?, ?, ?, ?, ?)", rows)
        else:
            conn.executemany("INSERT OR REPLACE INTO central_issuer_keys VALUES (?, ?, ?)", rows)
        conn.execute(
            "INSERT INTO sync_feeds VALUES (?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET "
            "cursor = excluded.cursor, etag = excluded.etag, pulled_ms = excluded.pulled_ms",
            (feed, cursor, etag, ledger.clock.now().wall_ms))
