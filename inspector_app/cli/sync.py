"""Sync commands: ``enrol`` (once per device, with a one-time code) and ``sync``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from inspector_app.cli.common import emit_json, lang, say, workspace
from inspector_app.cli.exit_codes import ExitCode
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    enrol = subparsers.add_parser("enrol", help="enrol this device with the central endpoint")
    enrol.add_argument("--code", required=True, help="the one-time enrolment code from IT")
    enrol.add_argument("--new-server-key", action="store_true",
                       help="accept a central endpoint whose key differs from the pinned one")
    enrol.set_defaults(handler=run_enrol)

    sync = subparsers.add_parser("sync", help="send unsent records and pull registry and history")
    sync.add_argument("--json", action="store_true")
    sync.add_argument("--no-pull", action="store_true", help="only send")
    sync.add_argument("--retry-rejected", action="store_true",
                      help="send again the events (and photos) the endpoint refused before")
    sync.add_argument("--no-photos", action="store_true",
                      help="send events only, not the evidence photos")
    sync.set_defaults(handler=run_sync_command)


def run_enrol(args: argparse.Namespace) -> int:
    from inspector_app.sync.endpoint import make_transport
    from inspector_app.sync.enrol import enrol

    with workspace(args) as ws:
        transport = make_transport(ws.profile, ws.data_dir)
        try:
            result = enrol(ws, transport, args.code, replace_server_key=args.new_server_key)
        finally:
            transport.close()
    say(Text("本设备已注册为“{name}”，中心端密钥 {key} 已固定。",
             "This device is enrolled as \"{name}\"; the central endpoint's key {key} is pinned.")
        .format(name=result.device_name, key=result.server_key_id))
    return 0


def run_sync_command(args: argparse.Namespace) -> int:
    from inspector_app.services.updates import check_after_sync, update_notice
    from inspector_app.sync.client import SyncOptions, run_sync
    from inspector_app.sync.endpoint import make_transport
    from inspector_app.sync.state import SyncStore

    with workspace(args) as ws:
        if args.retry_rejected:
            from inspector_app.sync.photo_queue import PhotoQueue

            SyncStore(ws.ledger).forget_rejections()
            PhotoQueue(ws.ledger).retry_refused()
        transport = make_transport(ws.profile, ws.data_dir)
        try:
            report = run_sync(ws, transport, SyncOptions(pull=not args.no_pull, lock_wait_s=30.0,
                                                         photos=not args.no_photos))
            release_problem = None if report.errors else check_after_sync(ws, transport)
            notice = update_notice(ws)
        finally:
            transport.close()
    if args.json:
        emit_json(report.to_json(lang()))
    else:
        _print_report(report)
    if release_problem is not None:
        print(release_problem.render(lang()), file=sys.stderr)
    if notice is not None and not args.json:
        say(notice.text)
    if any(e.kind == "not_central" for e in report.errors):
        return int(ExitCode.NOT_CENTRAL)
    return int(ExitCode.UNSENT) if report.left_unsent_by_error else 0


def _print_report(report: Any) -> None:
    say(Text("已发送 {sent} 条，已确认 {ack} 条，被拒 {rej} 条，拉取 {pulled} 项；尚未送达 {pending} 条。",
             "Sent {sent}, acknowledged {ack}, rejected {rej}, pulled {pulled}; {pending} not yet "
             "delivered.").format(sent=report.sent, ack=report.acknowledged, rej=report.rejected,
                                  pulled=report.pulled, pending=report.pending))
    photos = report.photos
    if photos.sent or photos.already_held or photos.pending or photos.refused:
        say(Text("照片：已上传 {sent} 张（{mb} MB），中心端已有 {held} 张，被拒 {rej} 张；"
                 "待上传 {pending} 张。",
                 "Photos: {sent} uploaded ({mb} MB), {held} already at the centre, {rej} refused; "
                 "{pending} still to upload.").format(
            sent=photos.sent, mb=f"{photos.bytes_sent / 1e6:.1f}", held=photos.already_held,
            rej=photos.refused, pending=photos.pending))
    if photos.busy:
        say(Text("另一个同步正在上传照片，本次只发送了记录。",
                 "Another sync is uploading the photos; this one sent the events only."))
    if report.templates_installed:
        say(Text("已安装中心端下发的检查表模板 {n} 个。", "Installed {n} checklist template(s) from "
                 "the central endpoint.").format(n=report.templates_installed))
    if report.busy:
        say(Text("另一个同步正在进行，本次未发送。", "Another sync is running; nothing was sent."))
    for refusal in report.refusals:
        print(Text("第 {seq} 条被拒：{why}", "Event {seq} refused: {why}").format(
            seq=refusal.event.seq, why=refusal.text).render(lang()), file=sys.stderr)
    for error in report.errors:
        print(error.text.render(lang()), file=sys.stderr)
