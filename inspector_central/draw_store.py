"""Double-random draws on the central endpoint: commit, run, and publish them read-only.

The algorithm and the documents are :mod:`inspector_protocol.draws` (normative
text: ``docs/draws.md``); this module keeps draws in the central database, signs
their commitments and results with the server key under ``tags.DRAW``, and
serves them to anyone at ``GET /v1/draws`` and ``GET /v1/draws/{id}`` (the
enterprise side links there).  The secret stays in the database until the draw
is run: an export made before then holds the commitment and the pools only.

Draws are numbered in sequence (``D-000001``, …): a draw committed and never run
leaves a visible gap in the published list rather than disappearing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import FastAPI
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict

from inspector_central.error_replies import ApiError
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database, Tx, blob
from inspector_protocol import draws, keys, tags
from inspector_protocol.draws import (
    Commitment,
    DrawExport,
    DrawParameters,
    DrawResult,
    Pools,
    SignedDocument,
)
from inspector_protocol.errors import UserError
from inspector_protocol.messages import ErrorResponse
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX, SignedStatement

DRAW_ID_PATTERN = r"^D-[0-9]{6,12}$"


class UnknownDraw(UserError):
    def __init__(self, draw_id: str) -> None:
        super().__init__(Text("没有编号为 {id} 的抽查", "There is no draw {id}").format(id=draw_id),
                         code="draw.unknown")


class DrawAlreadyRun(UserError):
    def __init__(self, draw_id: str, beacon: str) -> None:
        super().__init__(Text(
            "抽查 {id} 已用公开随机数“{beacon}”开奖，不能再用其他值重新抽取",
            "Draw {id} was already run with the beacon \"{beacon}\"; it cannot be run again with "
            "another value").format(id=draw_id, beacon=beacon), code="draw.already_run")


@dataclass(frozen=True)
class StoredDraw:
    draw_id: str
    commitment: SignedStatement
    pools: Pools
    result: SignedStatement | None

    def parsed_commitment(self) -> Commitment:
        return draws.parse_commitment(self.commitment.raw)

    def parsed_result(self) -> DrawResult | None:
        return None if self.result is None else draws.parse_result(self.result.raw)

    def export(self, server_key: ServerKey) -> DrawExport:
        return DrawExport(
            format=draws.EXPORT_FORMAT, draw_id=self.draw_id, server_key_id=server_key.key_id,
            server_public_key=keys.b64encode(server_key.public_key),
            commitment=_document(self.commitment), pools=self.pools,
            result=None if self.result is None else _document(self.result))


def _document(statement: SignedStatement) -> SignedDocument:
    return SignedDocument(raw=statement.raw.decode("utf-8"), sig=keys.b64encode(statement.sig))


# -- storage ---------------------------------------------------------------------------------------


def create_draw(database: Database, server_key: ServerKey, pools: Pools,
                parameters: DrawParameters, *, beacon_source: str, title: str = "") -> StoredDraw:
    """Commit to a new draw: canonical pools, a fresh secret, the signed commitment.

    Refuses (:class:`~inspector_protocol.draws.DrawInputError`,
    :class:`~inspector_protocol.draws.DrawShortage`) pools that could not staff
    every enterprise without relaxing a rule, before anything is stored.
    """
    canonical = draws.prepare(pools, parameters)
    source = draws.clean_beacon_source(beacon_source)
    clean_title = draws.clean_title(title)
    secret = secrets.token_bytes(draws.SECRET_BYTES)
    pools_json = canonical.model_dump_json()
    with database.transaction() as tx:
        draw_id = f"D-{tx.next_revision('draws'):06d}"
        committed_ms = now_ms()
        statement = server_key.sign(tags.DRAW.value, draws.commitment_statement(
            draw_id=draw_id, title=clean_title, committed_ms=committed_ms, pools=canonical,
            parameters=parameters, beacon_source=source, secret=secret))
        tx.execute("INSERT INTO draws (id, committed_ms, commitment_raw, commitment_sig, pools, "
                   "secret) VALUES (?, ?, ?, ?, ?, ?)",
                   (draw_id, committed_ms, statement.raw, statement.sig, pools_json, secret))
    return StoredDraw(draw_id, statement, canonical, None)


def run_draw(database: Database, server_key: ServerKey, draw_id: str, beacon: str) -> StoredDraw:
    """Reveal the secret, enter the beacon, select and sign; once only.

    Running it again with the same beacon answers the stored result; with another
    beacon it is refused (:class:`DrawAlreadyRun`): a draw has one outcome.
    """
    value = draws.normalise_beacon(beacon)
    with database.transaction() as tx:
        row = _row(tx, draw_id, lock=True)
        stored = _stored(row)
        if stored.result is not None:
            earlier = draws.parse_result(stored.result.raw).beacon
            if earlier != value:
                raise DrawAlreadyRun(draw_id, earlier)
            return stored
        run_ms = now_ms()
        statement = server_key.sign(tags.DRAW.value, draws.result_statement(
            commitment_raw=stored.commitment.raw, pools=stored.pools, secret=blob(row[6]),
            beacon=value, run_ms=run_ms))
        tx.execute("UPDATE draws SET run_ms = ?, result_raw = ?, result_sig = ? "
                   "WHERE id = ? AND result_raw IS NULL",
                   (run_ms, statement.raw, statement.sig, draw_id))
    return StoredDraw(draw_id, stored.commitment, stored.pools, statement)


def load_draw(database: Database, draw_id: str) -> StoredDraw:
    with database.transaction(write=False) as tx:
        return _stored(_row(tx, draw_id, lock=False))


def list_draws(database: Database) -> list[DrawSummary]:
    """Every draw, oldest first, without its pools."""
    with database.transaction(write=False) as tx:
        rows = tx.all("SELECT id, commitment_raw, result_raw FROM draws ORDER BY id")
    return [summary(str(row[0]), blob(row[1]),
                    None if row[2] is None else draws.parse_result(blob(row[2])))
            for row in rows]


_COLUMNS = "id, commitment_raw, commitment_sig, pools, result_raw, result_sig, secret"


def _row(tx: Tx, draw_id: str, *, lock: bool) -> tuple[Any, ...]:
    suffix = " FOR UPDATE" if lock and tx.dialect == "postgresql" else ""
    row = tx.one(f"SELECT {_COLUMNS} FROM draws WHERE id = ?{suffix}", (draw_id,))
    if row is None:
        raise UnknownDraw(draw_id)
    return row


def _stored(row: tuple[Any, ...]) -> StoredDraw:
    result = None if row[4] is None else SignedStatement(blob(row[4]), blob(row[5]))
    return StoredDraw(str(row[0]), SignedStatement(blob(row[1]), blob(row[2])),
                      Pools.model_validate_json(str(row[3])), result)


# -- HTTP (public, read-only) -------------------------------------------------------------------


class DrawSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draw_id: str
    title: str
    state: Literal["committed", "run"]
    committed_ms: int
    beacon_source: str
    count: int
    officers_per_task: int
    joint: bool
    enterprises: int
    officers: int
    exclusions: int
    secret_hash: str
    commitment_hash: str
    run_ms: int | None = None
    beacon: str | None = None


class DrawList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draws: list[DrawSummary]


def summary(draw_id: str, commitment_raw: bytes, result: DrawResult | None) -> DrawSummary:
    commitment = draws.parse_commitment(commitment_raw)
    return DrawSummary(
        draw_id=draw_id, title=commitment.title,
        state="committed" if result is None else "run", committed_ms=commitment.committed_ms,
        beacon_source=commitment.beacon_source, count=commitment.count,
        officers_per_task=commitment.officers_per_task, joint=commitment.joint,
        enterprises=commitment.enterprises, officers=commitment.officers,
        exclusions=commitment.exclusions, secret_hash=commitment.secret_hash,
        commitment_hash=draws.commitment_hash(commitment_raw),
        run_ms=None if result is None else result.run_ms,
        beacon=None if result is None else result.beacon)


def install_draw_routes(app: FastAPI, database: Database, server_key: ServerKey) -> None:
    """``GET /v1/draws`` and ``GET /v1/draws/{id}``: public, no login, read-only."""
    not_found: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse},
                                                  422: {"model": ErrorResponse}}

    @app.get(f"{API_PREFIX}/draws", response_model=DrawList, responses=not_found,
             summary="Double-random draws: committed and run (docs/draws.md)")
    def list_published_draws() -> DrawList:
        return DrawList(draws=list_draws(database))

    @app.get(f"{API_PREFIX}/draws/{{draw_id}}", response_model=DrawExport, responses=not_found,
             summary="One draw as a file anyone can re-run (inspector draw verify)")
    def published_draw(
            draw_id: Annotated[str, PathParam(pattern=DRAW_ID_PATTERN)]) -> DrawExport:
        try:
            stored = load_draw(database, draw_id)
        except UnknownDraw as exc:
            raise ApiError(404, exc.code, exc.text) from None
        return stored.export(server_key)
