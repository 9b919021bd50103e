"""Visit commands: ``check-in``, ``check-out``, ``abandon``, ``note``, ``rate``, ``correct``,
and the log, ``visits``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from inspector_app.cli.common import emit_json, lang, read_passphrase, say, workspace
from inspector_app.domain.duration import Duration
from inspector_app.domain.visit_state import Visit
from inspector_app.services.recorder import CheckInRequest, ChecklistIncomplete, VisitRecorder
from inspector_app.services.visit_log import (
    LogQuery,
    LogRow,
    Status,
    VisitLog,
    local_day,
    read_log,
    status_reason,
    visit_status,
)
from inspector_app.services.workspace import Workspace
from inspector_protocol.china_time import china_isoformat
from inspector_protocol.events import TimeEvidence
from inspector_protocol.keys import Signer
from inspector_protocol.text import Text

T = TypeVar("T")


def register(subparsers: Any) -> None:
    check_in = subparsers.add_parser("check-in", help="start a visit at an enterprise")
    _officer_arg(check_in)
    check_in.add_argument("--enterprise", required=True, metavar="USCC")
    check_in.add_argument("--kind", required=True, help="visit kind id from the profile")
    check_in.add_argument("--reason", required=True, help="事由")
    check_in.add_argument("--legal-basis", default=None)
    check_in.add_argument("--justification", default=None,
                          help="why the visit goes ahead despite a frequency warning")
    check_in.add_argument("--co-officer", action="append", default=[], metavar="CREDENTIAL",
                          help="a second officer who co-signs (repeatable)")
    check_in.add_argument("--json", action="store_true")
    check_in.set_defaults(handler=run_check_in)

    check_out = subparsers.add_parser("check-out", help="end a visit")
    _officer_arg(check_out)
    check_out.add_argument("--visit", required=True, metavar="ID")
    check_out.add_argument("--exit-uscc", default=None, metavar="USCC",
                           help="the enterprise's USCC typed at the exit, checked against the visit")
    check_out.add_argument("--no-scan-reason", default=None)
    check_out.add_argument("--incomplete-reason", default=None,
                           help="why required checklist items are left unanswered")
    check_out.set_defaults(handler=run_check_out)

    answer = subparsers.add_parser("answer", help="answer (or change) one checklist item")
    _officer_arg(answer)
    answer.add_argument("--visit", required=True, metavar="ID")
    answer.add_argument("--template", required=True, help="template id (see the visit's form)")
    answer.add_argument("--item", required=True, help="item id")
    answer.add_argument("--value", required=True,
                        help="yes/no/na, a number, text, a date, or JSON (a list of choices)")
    answer.add_argument("--note", default=None)
    answer.set_defaults(handler=run_answer)

    photo = subparsers.add_parser("photo", help="attach a photo (JPEG or PNG) as evidence")
    _officer_arg(photo)
    photo.add_argument("--visit", required=True, metavar="ID")
    photo.add_argument("--file", required=True, type=Path)
    photo.add_argument("--caption", default=None)
    photo.set_defaults(handler=run_photo)

    rectify = subparsers.add_parser("rectify", help="require a rectification (整改) by a deadline")
    _officer_arg(rectify)
    rectify.add_argument("--visit", required=True, metavar="ID")
    rectify.add_argument("--requirement", required=True)
    rectify.add_argument("--deadline", required=True, type=date.fromisoformat,
                         metavar="YYYY-MM-DD")
    rectify.add_argument("--item", default=None, help="the checklist item it comes from")
    rectify.set_defaults(handler=run_rectify)

    join = subparsers.add_parser("join", help="add a department to a visit (joint inspection)")
    _officer_arg(join)
    join.add_argument("--visit", required=True, metavar="ID")
    join.add_argument("--department", required=True)
    join.set_defaults(handler=run_join)

    abandon = subparsers.add_parser("abandon", help="close a visit that did not take place")
    _officer_arg(abandon)
    abandon.add_argument("--visit", required=True, metavar="ID")
    abandon.add_argument("--reason", required=True)
    abandon.set_defaults(handler=run_abandon)

    note = subparsers.add_parser("note", help="add a note to a visit in progress")
    _officer_arg(note)
    note.add_argument("--visit", required=True, metavar="ID")
    note.add_argument("--text", required=True)
    note.set_defaults(handler=run_note)

    rate = subparsers.add_parser("rate", help="record the enterprise's rating after check-out")
    _officer_arg(rate)
    rate.add_argument("--visit", required=True, metavar="ID")
    rate.add_argument("--score", required=True, type=int)
    rate.add_argument("--comment", default=None)
    rate.set_defaults(handler=run_rate)

    correct = subparsers.add_parser("correct", help="correct a check-in field (a new event)")
    _officer_arg(correct)
    correct.add_argument("--visit", required=True, metavar="ID")
    correct.add_argument("--field", required=True)
    correct.add_argument("--value", required=True)
    correct.add_argument("--reason", required=True)
    correct.set_defaults(handler=run_correct)

    log = subparsers.add_parser("visits", help="the visit log with status, durations, warnings "
                                "and totals")
    log.add_argument("--json", action="store_true")
    log.add_argument("--totals", action="store_true",
                     help="totals by department, officer (co-officer visits included) and kind")
    log_query_args(log)
    log.set_defaults(handler=run_visits)


def log_query_args(parser: argparse.ArgumentParser) -> None:
    """The team lead's filters, as the logs screen has them (``visits``, ``export``, ``report``)."""
    parser.add_argument("--from", dest="since", type=date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="first day checked in (China time)")
    parser.add_argument("--to", dest="until", type=date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="last day checked in (China time)")
    parser.add_argument("--officer", dest="filter_officer", default=None, metavar="CREDENTIAL",
                        help="visits the officer led or took part in as co-officer")
    parser.add_argument("--department", default=None)
    parser.add_argument("--kind", default=None)
    parser.add_argument("--status", default=None,
                        choices=("open", "complete", "incomplete", "abandoned"))
    parser.add_argument("--bundle", action="append", default=[], type=Path, metavar="FILE",
                        help="read these bundles (repeatable) instead of this tablet's ledger")


def log_query(args: argparse.Namespace) -> LogQuery:
    return LogQuery(officer=args.filter_officer, kind=args.kind, department=args.department,
                    status=None if args.status is None else Status(args.status),
                    since=args.since, until=args.until)


def chosen_rows(ws: Workspace, args: argparse.Namespace) -> tuple[VisitLog, list[LogRow]]:
    """The log (this tablet's or the bundles') and the rows the filters pass, oldest first."""
    log = read_log(ws, args.bundle)
    today = log.today or local_day(ws.clock.now().wall_ms)
    rows = log_query(args).select(log.rows, today)
    return log, sorted(rows, key=lambda r: r.visit.checked_in.wall_ms)


def _officer_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--officer", required=True, metavar="CREDENTIAL")


def _unlock(ws: Workspace, args: argparse.Namespace, credential: str, *, co: bool = False) -> Signer:
    return ws.ledger.unlock(credential, read_passphrase(args, co_officer=co, credential=credential))


def run_check_in(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        recorder = VisitRecorder(ws)
        request = CheckInRequest(
            enterprise=args.enterprise, kind=args.kind, reason=args.reason,
            legal_basis=args.legal_basis, justification=args.justification,
        )
        _consult_centre(ws, args.enterprise)
        # Refuse what can be refused before asking anyone for a passphrase.
        recorder.precheck(request)
        officer = _unlock(ws, args, args.officer)
        co_officers = [_unlock(ws, args, c, co=True) for c in args.co_officer]
        visit = recorder.check_in(officer, request, co_officers)
        if args.json:  # read while the ledger is open: the JSON names delivery and durations
            emit_json(visit_json(visit, ws))
            return 0
    if visit.frequency_warned:
        say(Text("已记录频次预警理由。", "Frequency warning justified and recorded."))
    print(visit.id)
    return 0


def _consult_centre(ws: Workspace, enterprise: str) -> None:
    """The gate look-up before the frequency rule is assessed: the centre's recent visits of
    this enterprise, from every tablet, count too (a short timeout; else the local ones)."""
    import sys

    from inspector_app.services.gate_check import consult_centre, gate_note
    from inspector_protocol.uscc import InvalidUSCC, parse_uscc

    try:
        uscc = parse_uscc(enterprise).value
    except InvalidUSCC:
        return  # the precheck says what is wrong with it
    answer = consult_centre(ws, uscc)
    if not answer.reached and answer.reason != "not_enrolled":
        print(gate_note(answer).render(lang()), file=sys.stderr)


def run_check_out(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        recorder = VisitRecorder(ws)
        visit = recorder.visit(args.visit)
        exit_scan = "not_scanned"
        if args.exit_uscc is not None:
            _check_exit_code(args.exit_uscc, visit)
            exit_scan = "typed"
        missing = recorder.missing_required_items(visit.id)
        if missing and not (args.incomplete_reason or "").strip():
            raise ChecklistIncomplete(missing)  # before asking for a passphrase
        officer = _unlock(ws, args, args.officer)
        visit = recorder.check_out(officer, visit.id, exit_scan, args.no_scan_reason,
                                   args.incomplete_reason)
        duration = visit.duration()
    assert duration is not None
    say(Text("已签退，检查时长 {d}。", "Checked out; the visit took {d}.").format(
        d=duration.clock_text()))
    return 0


def _check_exit_code(text: str, visit: Visit) -> None:
    from inspector_protocol.errors import UserError
    from inspector_protocol.uscc import parse_uscc

    if parse_uscc(text).value != visit.enterprise.uscc:
        raise UserError(Text("签退时的企业代码与签到企业不一致。",
                             "The code at the exit is not the enterprise checked in to."),
                        code="visit.exit_mismatch")


def parse_answer_value(text: str) -> Any:
    """JSON when it parses (numbers, lists of choices), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _act_on_visit(args: argparse.Namespace, action: Callable[[VisitRecorder, Signer, str], T]) -> T:
    """Resolve ``--visit``, unlock ``--officer`` (after the id is known good), then act."""
    with workspace(args) as ws:
        recorder = VisitRecorder(ws)
        visit_id = recorder.resolve_visit_id(args.visit)
        return action(recorder, _unlock(ws, args, args.officer), visit_id)


def run_answer(args: argparse.Namespace) -> int:
    from inspector_app.checklists import visit_progress

    state = _act_on_visit(args, lambda r, officer, visit: r.answer(
        officer, visit, args.template, args.item, parse_answer_value(args.value), args.note))
    progress = visit_progress(state)
    say(Text("已保存。必填项 {done}/{total}，不合格 {failing} 项。",
             "Saved. Required items {done}/{total}; {failing} failing.").format(
        done=progress.required_answered, total=progress.required, failing=progress.failing))
    return 0


def run_photo(args: argparse.Namespace) -> int:
    from inspector_app.services.evidence import store_photo

    data = args.file.read_bytes()
    with workspace(args) as ws:
        recorder = VisitRecorder(ws)
        visit_id = recorder.resolve_visit_id(args.visit)
        officer = _unlock(ws, args, args.officer)
        photo = store_photo(ws.data_dir, data)
        recorder.add_photo(officer, visit_id, photo, args.caption)
    say(Text("照片已保存（{h}）。", "Photo saved ({h}).").format(h=photo.sha256[:12]))
    print(photo.sha256)
    return 0


def run_rectify(args: argparse.Namespace) -> int:
    _act_on_visit(args, lambda r, officer, visit: r.add_rectification(
        officer, visit, args.requirement, args.deadline, args.item))
    say(Text("整改要求已保存，期限 {d}。", "Rectification saved, due {d}.").format(d=args.deadline))
    return 0


def run_join(args: argparse.Namespace) -> int:
    visit = _act_on_visit(args, lambda r, officer, visit: r.add_department(
        officer, visit, args.department))
    say(Text("已加入联合检查：{d}", "Joined the visit: {d}").format(d=", ".join(visit.departments)))
    return 0


def run_abandon(args: argparse.Namespace) -> int:
    _act_on_visit(args, lambda r, officer, visit: r.abandon(officer, visit, args.reason))
    say(Text("已放弃该检查。", "The visit is recorded as abandoned."))
    return 0


def run_note(args: argparse.Namespace) -> int:
    _act_on_visit(args, lambda r, officer, visit: r.add_note(officer, visit, args.text))
    say(Text("备注已保存。", "Note saved."))
    return 0


def run_rate(args: argparse.Namespace) -> int:
    _act_on_visit(args, lambda r, officer, visit: r.rate(officer, visit, args.score,
                                                         args.comment))
    say(Text("评价已保存。", "Rating saved."))
    return 0


def run_correct(args: argparse.Namespace) -> int:
    _act_on_visit(args, lambda r, officer, visit: r.correct(officer, visit, args.field,
                                                            args.value, args.reason))
    say(Text("更正已作为新记录保存。", "The correction is saved as a new event."))
    return 0


def run_visits(args: argparse.Namespace) -> int:
    from inspector_app.services.log_totals import log_totals, totals_table
    from inspector_app.services.officer_enrolment import officer_names

    with workspace(args) as ws:
        log, chosen = chosen_rows(ws, args)
        names = officer_names(ws)
        if args.totals:
            totals = log_totals(chosen)
            if args.json:
                emit_json(totals.to_json(ws.profile, lang(), names))
            else:
                _print_totals(totals_table(totals, ws.profile, lang(), names))
            return 0
        now = None if log.from_bundles else ws.ledger.time_evidence()
        rows = [log_row_json(r, now) for r in chosen]
    if args.json:
        emit_json(rows)
        return 0
    for row in rows:
        print(_visit_line(row))
    if not rows:
        say(Text("暂无检查记录。", "No visits yet."))
    return 0


def _print_totals(lines: list[tuple[str, list[str]]]) -> None:
    from inspector_app.services.log_totals import TALLY_COLUMNS

    titles = [t.render(lang()) for t, _ in TALLY_COLUMNS]
    group = None
    for title, cells in lines:
        if title != group:
            group = title
            print(f"\n[{title}]" if title else "\t".join(["", *titles]))
        print("\t".join(cells))


def log_row_json(row: LogRow, now: TimeEvidence | None) -> dict[str, Any]:
    """A visit of the log as ``visits --json`` lists it: the visit, its status and checks."""
    out = visit_fields(row.visit, row.duration if now is None else row.visit.duration(now),
                       row.delivered)
    out.update(intact=row.intact, source=None if row.source is None else str(row.source))
    return out


def visit_rows(visits: list[Visit], ws: Workspace) -> list[dict[str, Any]]:
    """The log rows of several visits, reading the receipts and the clock once."""
    delivered, now = ws.ledger.delivered_ids(), ws.ledger.time_evidence()
    return [visit_json(v, ws, delivered, now) for v in visits]


def visit_json(visit: Visit, ws: Workspace, delivered: set[str] | None = None,
               now: TimeEvidence | None = None) -> dict[str, Any]:
    duration = visit.duration(now or ws.ledger.time_evidence())
    if delivered is None:
        delivered = ws.ledger.delivered_ids()
    return visit_fields(visit, duration, sum(1 for e in visit.event_ids if e in delivered))


def visit_fields(visit: Visit, duration: Duration | None, delivered: int) -> dict[str, Any]:
    return {
        "id": visit.id,
        "state": visit.state.value,
        "status": visit_status(visit).value,
        "status_reason": status_reason(visit),
        "officer": visit.officer,
        "co_officers": list(visit.co_officers),
        "co_signed": list(visit.co_signed_by),
        "enterprise": {"uscc": visit.enterprise.uscc, "name": visit.enterprise.name,
                       "registered": visit.enterprise.registered, "code": visit.enterprise.code},
        "department": visit.department,
        "departments": visit.departments,
        "kind": visit.kind,
        "category": visit.category,
        "enforcement": visit.enforcement,
        "reason": visit.reason,
        "legal_basis": visit.legal_basis,
        "checked_in": _iso(visit.checked_in.wall_ms),
        "checked_out": None if visit.checked_out is None else _iso(visit.checked_out.wall_ms),
        "duration_s": None if duration is None else duration.seconds,
        "duration_basis": None if duration is None else duration.basis,
        "duration_running": visit.is_open,
        "frequency_warning": visit.frequency_warned,
        "frequency": visit.frequency,
        "justification": visit.justification,
        "rating": None if visit.rating is None else {"score": visit.rating[0],
                                                      "comment": visit.rating[1]},
        "corrections": len(visit.corrections),
        "anomalies": visit.anomalies,
        "events": len(visit.event_ids),
        "events_delivered": delivered,
        "abandoned_reason": visit.abandoned_reason,
        "incomplete_reason": visit.incomplete_reason,
    }


def _iso(wall_ms: int) -> str:
    return china_isoformat(wall_ms)


def _visit_line(row: dict[str, Any]) -> str:
    minutes = "-" if row["duration_s"] is None else f"{row['duration_s'] // 60}min"
    flag = " ⚠" if row["frequency_warning"] else ""
    name = row["enterprise"]["name"] or row["enterprise"]["uscc"]
    state = Status(row["status"]).text().render(lang())
    why = f"（{row['status_reason']}）" if row["status_reason"] else ""
    return (f"{row['id'][:8]}  {row['checked_in'][:16].replace('T', ' ')}  {name}  "
            f"{row['kind']}  {minutes}  {state}{why}{flag}")
