"""``inspector-central draw``: commit, run, show and export double-random draws.

Pool files are a JSON array of objects or a CSV file (UTF-8, header row) with
exactly these fields:

* enterprises: ``uscc``, ``name``
* officers: ``credential``, ``name``, ``department``
* exclusions: ``officer`` (credential number), ``uscc``, ``reason``
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from inspector_central.draw_store import StoredDraw, create_draw, list_draws, load_draw, run_draw
from inspector_central.signing import load_or_create_server_key
from inspector_central.storage import Database
from inspector_protocol import draws
from inspector_protocol.china_time import china_isoformat
from inspector_protocol.draws import (
    DrawInputError,
    DrawParameters,
    EnterpriseEntry,
    Exclusion,
    OfficerEntry,
    Pools,
)
from inspector_protocol.errors import InspectorError
from inspector_protocol.text import Text, current_lang

_Row = TypeVar("_Row", bound=BaseModel)
OpenDatabase = Callable[[argparse.Namespace], Database]


def register_draw_commands(commands: Any, open_database: OpenDatabase) -> None:
    parser = commands.add_parser("draw", help="double-random draws anyone can re-run "
                                              "(docs/draws.md)")
    draw = parser.add_subparsers(dest="draw_command", metavar="DRAW_COMMAND", required=True)

    create = draw.add_parser("create", help="commit to a draw: publish the pools, the parameters "
                                            "and the hash of a secret")
    create.add_argument("--pool-enterprises", type=Path, required=True, metavar="FILE")
    create.add_argument("--pool-officers", type=Path, required=True, metavar="FILE")
    create.add_argument("--count", type=int, required=True, help="enterprises to draw")
    create.add_argument("--officers-per-task", type=int, default=2)
    create.add_argument("--joint", action="store_true",
                        help="joint draw: every task gets officers of every department of the pool")
    create.add_argument("--exclusions", type=Path, default=None, metavar="FILE",
                        help="recusals: officer/enterprise pairs never drawn together")
    create.add_argument("--beacon-source", required=True, metavar="TEXT",
                        help="the public random value the draw will use, by source and date "
                             "(unknown today)")
    create.add_argument("--title", default="", help="what the draw is for")
    create.add_argument("--json", action="store_true")

    run = draw.add_parser("run", help="enter the beacon, reveal the secret, select and publish")
    run.add_argument("draw_id", metavar="ID")
    run.add_argument("--beacon", required=True, metavar="VALUE",
                     help="the value published by the committed source")
    run.add_argument("--json", action="store_true")

    show = draw.add_parser("show", help="one draw: its commitment and, once run, its result")
    show.add_argument("draw_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="the whole draw file")

    listing = draw.add_parser("list", help="every draw, committed or run")
    listing.add_argument("--json", action="store_true")

    export = draw.add_parser("export", help="write the whole draw as one file to re-run")
    export.add_argument("draw_id", metavar="ID")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")

    handlers = {"create": run_create, "run": run_run, "show": run_show, "list": run_list,
                "export": run_export}
    for name, handler in handlers.items():
        draw.choices[name].set_defaults(handler=_guarded(handler, open_database))


def _guarded(handler: Callable[[argparse.Namespace, Database], int],
             open_database: OpenDatabase) -> Callable[[argparse.Namespace], int]:
    """Refusals and unreadable files are printed in the user's language and exit 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args, open_database(args))
        except InspectorError as exc:
            print(exc.render(current_lang()), file=sys.stderr)
            return 1
        except OSError as exc:
            _say(Text("无法读写文件：{err}", "Cannot read or write a file: {err}").format(err=exc),
                 error=True)
            return 1

    return run


def _say(text: Text, *, error: bool = False) -> None:
    print(text.render(current_lang()), file=sys.stderr if error else sys.stdout)


# -- commands -----------------------------------------------------------------------------------


def run_create(args: argparse.Namespace, database: Database) -> int:
    if not 1 <= args.count <= draws.MAX_COUNT or not (
            draws.MIN_OFFICERS_PER_TASK <= args.officers_per_task <= draws.MAX_OFFICERS_PER_TASK):
        raise DrawInputError(Text(
            "--count 应为 1–{max_count}，--officers-per-task 应为 {min_k}–{max_k}（至少两名执法人员）",
            "--count must be 1-{max_count} and --officers-per-task {min_k}-{max_k} (at least two "
            "officers)").format(max_count=draws.MAX_COUNT, min_k=draws.MIN_OFFICERS_PER_TASK,
                                max_k=draws.MAX_OFFICERS_PER_TASK))
    enterprises = read_rows(args.pool_enterprises, EnterpriseEntry)
    officers = read_rows(args.pool_officers, OfficerEntry)
    exclusions = [] if args.exclusions is None else read_rows(args.exclusions, Exclusion)
    if (len(enterprises) > draws.MAX_ENTERPRISES or len(officers) > draws.MAX_OFFICERS
            or len(exclusions) > draws.MAX_EXCLUSIONS):
        raise DrawInputError(Text(
            "名录过大：企业最多 {e} 家，执法人员最多 {o} 名，回避最多 {x} 条",
            "The pools are too large: at most {e} enterprises, {o} officers and {x} exclusions")
            .format(e=draws.MAX_ENTERPRISES, o=draws.MAX_OFFICERS, x=draws.MAX_EXCLUSIONS))
    pools = Pools(enterprises=enterprises, officers=officers, exclusions=exclusions)
    parameters = DrawParameters(count=args.count, officers_per_task=args.officers_per_task,
                                joint=args.joint)
    server_key = load_or_create_server_key(database)
    stored = create_draw(database, server_key, pools, parameters,
                         beacon_source=args.beacon_source, title=args.title)
    if args.json:
        print(stored.export(server_key).model_dump_json())
        return 0
    _print_commitment(stored)
    _say(Text("该随机数公布后开奖：inspector-central draw run {id} --beacon \"<公布的值>\"",
              "Once that value is public, run it: inspector-central draw run {id} --beacon "
              "\"<the published value>\"").format(id=stored.draw_id))
    return 0


def run_run(args: argparse.Namespace, database: Database) -> int:
    server_key = load_or_create_server_key(database)
    stored = run_draw(database, server_key, args.draw_id, args.beacon)
    if args.json:
        print(stored.export(server_key).model_dump_json())
    else:
        _print_result(stored)
    return 0


def run_show(args: argparse.Namespace, database: Database) -> int:
    stored = load_draw(database, args.draw_id)
    if args.json:
        print(stored.export(load_or_create_server_key(database)).model_dump_json())
        return 0
    _print_commitment(stored)
    if stored.result is not None:
        _print_result(stored)
    return 0


def run_list(args: argparse.Namespace, database: Database) -> int:
    summaries = list_draws(database)
    if args.json:
        print(json.dumps([s.model_dump() for s in summaries], ensure_ascii=False))
        return 0
    for s in summaries:
        state = Text("已开奖", "run") if s.state == "run" else Text("已承诺", "committed")
        print(f"{s.draw_id}  {_when(s.committed_ms)}  {state.render(current_lang())}  "
              f"{s.count}/{s.enterprises}  {s.title}")
    return 0


def run_export(args: argparse.Namespace, database: Database) -> int:
    stored = load_draw(database, args.draw_id)
    data = stored.export(load_or_create_server_key(database)).model_dump_json(indent=1)
    _write_durably(args.out, (data + "\n").encode("utf-8"))
    _say(Text("已导出 {id} 到 {path}（可用 inspector draw verify 重算核验）",
              "Exported {id} to {path} (re-run it with: inspector draw verify)")
         .format(id=stored.draw_id, path=args.out))
    return 0


# -- input files ----------------------------------------------------------------------------------


def read_rows(path: Path, model: type[_Row]) -> list[_Row]:
    """Rows of a pool file (JSON array of objects, or CSV with a header row), each validated."""
    what = Text("文件 {f}", "The file {f}").format(f=path.name)
    if path.stat().st_size > draws.MAX_EXPORT_BYTES:
        raise DrawInputError(Text("{what}过大", "{what} is too large").format(what=what))
    raw = path.read_bytes()
    rows = _csv_rows(raw, what) if path.suffix.lower() == ".csv" else draws.strict_json(raw, what)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DrawInputError(Text("{what}应为对象数组（JSON）或带表头的 CSV",
                                  "{what} must be a JSON array of objects, or CSV with a header")
                             .format(what=what))
    allowed = ", ".join(model.model_fields)
    out: list[_Row] = []
    for number, row in enumerate(rows, start=1):
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "-"
            raise DrawInputError(Text(
                "{what}第 {n} 条的字段 {where} 有误：{msg}（允许的字段：{allowed}）",
                "{what}, entry {n}, field {where}: {msg} (the fields are: {allowed})").format(
                what=what, n=number, where=where, msg=first.get("msg", ""),
                allowed=allowed)) from None
    return out


def _csv_rows(raw: bytes, what: Text) -> list[dict[str, Any]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DrawInputError(Text("{what}不是 UTF-8 编码", "{what} is not UTF-8").format(
            what=what)) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        return [dict(row) for row in reader]
    except csv.Error as exc:
        raise DrawInputError(Text("{what}不是有效的 CSV：{err}", "{what} is not valid CSV: {err}")
                             .format(what=what, err=exc)) from None


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


# -- output ------------------------------------------------------------------------------------------


def _print_commitment(stored: StoredDraw) -> None:
    c = stored.parsed_commitment()
    kind = Text("联合抽查", "joint") if c.joint else Text("单一部门", "single department")
    _say(Text("抽查 {id}{title}：已承诺（{when}）", "Draw {id}{title}: committed ({when})").format(
        id=stored.draw_id, title=f" “{c.title}”" if c.title else "", when=_when(c.committed_ms)))
    _say(Text("  企业名录 {e} 家，执法人员 {o} 名，回避 {x} 条；抽取 {count} 家，每组每部门 {k} 名，{kind}",
              "  {e} enterprises, {o} officers, {x} exclusions; draws {count}, {k} officers per "
              "task and department, {kind}").format(
        e=c.enterprises, o=c.officers, x=c.exclusions, count=c.count, k=c.officers_per_task,
        kind=kind))
    _say(Text("  密钥的 SHA-256 承诺：{h}", "  SHA-256 commitment to the secret: {h}").format(
        h=c.secret_hash))
    _say(Text("  承诺摘要（请记下，核验时用 --commitment 核对）：{h}",
              "  Commitment digest (note it; check it later with --commitment): {h}").format(
        h=draws.commitment_hash(stored.commitment.raw)))
    _say(Text("  公开随机数来源：{s}", "  Beacon source: {s}").format(s=c.beacon_source))


def _print_result(stored: StoredDraw) -> None:
    result = stored.parsed_result()
    assert result is not None
    enterprises = {e.uscc: e.name for e in stored.pools.enterprises}
    officers = {o.credential: o.name for o in stored.pools.officers}
    _say(Text("抽查 {id} 已开奖（{when}）：公开随机数“{beacon}”，公布的密钥 {secret}",
              "Draw {id} run ({when}): beacon \"{beacon}\", revealed secret {secret}").format(
        id=stored.draw_id, when=_when(result.run_ms), beacon=result.beacon, secret=result.secret))
    for task in result.tasks:
        team = ", ".join(f"{c} {officers.get(c, '?')}" for c in task.officers)
        print(f"{task.position:>4}. {task.uscc} {enterprises.get(task.uscc, '?')} — "
              f"{'+'.join(task.departments)}: {team}")


def _when(ms: int) -> str:
    return china_isoformat(ms, timespec="minutes")
