"""``inspector`` with no command: make sure a ledger exists, then show where things stand."""

from __future__ import annotations

import argparse

from inspector_app.cli.common import data_dir, say
from inspector_app.services.officer_enrolment import list_officers
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import init_workspace, is_initialised, open_workspace
from inspector_protocol.text import Text


def show_status(args: argparse.Namespace) -> int:
    folder = data_dir(args)
    if not is_initialised(folder):
        init_workspace(folder).close()
        say(Text("已使用演示部门配置初始化数据文件夹：{dir}",
                 "Initialised the data folder with the demo department profile: {dir}")
            .format(dir=folder))
    with open_workspace(folder) as ws:
        recorder = VisitRecorder(ws)
        visits = recorder.visits()
        open_count = sum(1 for v in visits if v.is_open)
        say(Text("部门配置：{name}（{id} 第 {v} 版）", "Profile: {name} ({id} version {v})").format(
            name=ws.profile.name, id=ws.profile.profile_id, v=ws.profile.version))
        say(Text("数据文件夹：{dir}", "Data folder: {dir}").format(dir=folder))
        say(Text("已登记执法人员：{n}", "Officers enrolled: {n}").format(
            n=sum(1 for o in list_officers(ws) if o.key_id)))
        say(Text("检查记录：{n}（进行中 {open}）；待同步事件：{p}",
                 "Visits: {n} ({open} in progress); events awaiting sync: {p}").format(
            n=len(visits), open=open_count, p=ws.ledger.pending_count()))
        from inspector_app.services.updates import update_notice

        notice = update_notice(ws)
        if notice is not None:
            say(notice.text)
    say(Text("常用命令：inspector officer add、inspector check-in、inspector visits、"
             "inspector verify；inspector --help 查看全部。",
             "Next: inspector officer add, inspector check-in, inspector visits, inspector verify; "
             "see inspector --help for all commands."))
    return 0
