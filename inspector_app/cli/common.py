"""Helpers shared by the command modules: the workspace, passphrases, output."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from inspector_app.platform.settings import CO_PASSPHRASE, PASSPHRASE, resolve_data_dir
from inspector_app.services.workspace import Workspace, is_initialised, open_workspace
from inspector_protocol.errors import UserError
from inspector_protocol.text import Lang, Text, current_lang


def data_dir(args: argparse.Namespace) -> Path:
    return resolve_data_dir(args.data_dir)


def workspace(args: argparse.Namespace) -> Workspace:
    folder = data_dir(args)
    if not is_initialised(folder):
        raise UserError(
            Text("数据文件夹 {dir} 尚未初始化。请先运行：inspector init",
                 "The data folder {dir} is not initialised. Run: inspector init").format(dir=folder),
            code="ledger.not_initialised",
        )
    return open_workspace(folder)


def lang() -> Lang:
    return current_lang()


def say(text: Text) -> None:
    print(text.render(lang()))


def emit_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, sort_keys=False))


def read_passphrase(args: argparse.Namespace, *, co_officer: bool = False,
                    confirm: bool = False, credential: str = "") -> str:
    """From the file option, then the environment, then a prompt on a terminal."""
    path: Path | None = args.co_passphrase_file if co_officer else args.passphrase_file
    if path is not None:
        return _read_passphrase_file(path)
    from_env = (CO_PASSPHRASE if co_officer else PASSPHRASE).from_env()
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        option = "--co-passphrase-file" if co_officer else "--passphrase-file"
        env = CO_PASSPHRASE.env if co_officer else PASSPHRASE.env
        raise UserError(
            Text("需要 {c} 的密码：请使用 {option} 或环境变量 {env}。",
                 "A passphrase for {c} is needed: use {option} or ${env}.")
            .format(c=credential, option=option, env=env),
            code="auth.no_passphrase",
        )
    prompt = Text("{c} 的密码：", "Passphrase for {c}: ").format(c=credential).render(lang())
    passphrase = getpass.getpass(prompt)
    if confirm:
        again = getpass.getpass(Text("再次输入密码：", "Repeat the passphrase: ").render(lang()))
        if again != passphrase:
            raise UserError(Text("两次输入的密码不一致。", "The passphrases differ."),
                            code="auth.mismatch")
    return passphrase


def _read_passphrase_file(path: Path) -> str:
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(Text("无法读取密码文件 {path}：{err}", "Cannot read the passphrase file "
                             "{path}: {err}").format(path=path, err=exc), code="auth.file") from None
    # Only the line end is stripped: spaces may be part of a passphrase.
    return content.splitlines()[0] if content else ""
