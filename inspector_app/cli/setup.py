"""``inspector init`` and ``inspector profile``: create a ledger, install a profile."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.common import data_dir, emit_json, say, workspace
from inspector_app.profile import load_profile
from inspector_app.services.workspace import init_workspace, install_profile
from inspector_protocol.text import Text


def register(subparsers: Any) -> None:
    init = subparsers.add_parser("init", help="create a ledger under a department profile")
    source = init.add_mutually_exclusive_group()
    source.add_argument("--profile", type=Path, default=None,
                        help="department profile file (default: the bundled demo profile)")
    source.add_argument("--provision", type=Path, default=None, metavar="FILE",
                        help="set up and enrol this tablet from a provisioning package from IT: "
                        "the package file, or a photo of its QR code (no typing)")
    init.set_defaults(handler=run_init)

    profile = subparsers.add_parser("profile", help="check or install a department profile")
    actions = profile.add_subparsers(dest="profile_action", required=True)
    check = actions.add_parser("check", help="validate a profile file and summarise it")
    check.add_argument("file", type=Path)
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=run_profile_check)
    install = actions.add_parser("install", help="replace this ledger's profile")
    install.add_argument("file", type=Path)
    install.set_defaults(handler=run_profile_install)


def run_init(args: argparse.Namespace) -> int:
    folder = data_dir(args)
    if args.provision is not None:
        from inspector_app.cli.provisioning import run_provision

        return run_provision(folder, args.provision)
    with init_workspace(folder, args.profile) as ws:
        say(Text("已初始化：{dir}\n设备编号：{device}\n部门配置：{name}",
                 "Initialised {dir}\nDevice id: {device}\nProfile: {name}").format(
            dir=folder, device=ws.ledger.device_id, name=ws.profile.name))
    return 0


def run_profile_check(args: argparse.Namespace) -> int:
    profile = load_profile(args.file)
    summary = {
        "profile_id": profile.profile_id, "version": profile.version,
        "departments": [d.id for d in profile.departments],
        "officers": len(profile.officers), "enterprises": len(profile.enterprises),
        "visit_kinds": [k.id for k in profile.visit_kinds],
        "frequency_rule": {"visits": profile.frequency_rule.visits,
                           "window_days": profile.frequency_rule.window_days},
        "sha256": profile.content_hash,
    }
    if args.json:
        emit_json(summary)
    else:
        say(Text("配置有效：{id} 第 {v} 版，{d} 个部门，{o} 名执法人员，{e} 家企业",
                 "Valid profile: {id} version {v}, {d} departments, {o} officers, {e} enterprises")
            .format(id=profile.profile_id, v=profile.version, d=len(profile.departments),
                    o=len(profile.officers), e=len(profile.enterprises)))
    return 0


def run_profile_install(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        profile = install_profile(ws, args.file)
    say(Text("已安装部门配置 {id} 第 {v} 版。", "Installed profile {id} version {v}.")
        .format(id=profile.profile_id, v=profile.version))
    return 0
