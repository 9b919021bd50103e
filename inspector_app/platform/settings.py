"""Every setting of the tablet declared once: name, type, default, option, environment variable,
description.

Two kinds live in one table.  *Run settings* come (highest first) from the command
line, the environment, then the default; ``inspector --help`` and the table in
``docs/cli.md`` are generated from them.  *Device preferences* (``stored``) are
chosen on the app's settings screen and kept next to the ledger in
``ui-preferences.json``, so a provisioned tablet keeps its sunlight theme across
updates; the language is both (``--lang`` / ``INSPECTOR_LANG`` win over the stored
choice).  A damaged or hand-edited preferences file falls back to the defaults value
by value: a display preference must never stop the app.  A bad value in the
environment is refused with the variable's name, never ignored.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

T = TypeVar("T")

#: Device preferences, next to the ledger in the data folder.
PREFERENCES_FILE = "ui-preferences.json"


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    #: What the value is, as the documentation says it ("folder", "zh, en", ...).
    type_name: str
    default: T
    description: Text
    parse: Callable[[str], T]
    #: The environment variable, if the setting can come from the environment.
    env: str | None = None
    #: The global command-line option(s) of ``inspector``, if any.
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    #: The only values accepted, if the setting is a choice.
    allowed: tuple[str, ...] = ()
    #: A device preference, changed on the app's settings screen and kept in the data folder.
    stored: bool = False
    #: The default as people read it, when it is worked out at run time.
    default_text: str | None = None

    def from_env(self, environ: Mapping[str, str] | None = None) -> T | None:
        """The value from the environment (None when unset or empty); refused when invalid."""
        if self.env is None:
            return None
        raw = (os.environ if environ is None else environ).get(self.env, "")
        if not raw:
            return None
        if self.allowed and raw not in self.allowed:
            raise UserError(
                Text("环境变量 {env} 的值“{value}”无效，只能是：{allowed}。",
                     "${env} is \"{value}\", which is not one of: {allowed}.")
                .format(env=self.env, value=raw[:40], allowed=", ".join(self.allowed)),
                code="settings.invalid")
        return self.parse(raw)

    @property
    def shown_default(self) -> str:
        if self.default_text is not None:
            return self.default_text
        return "none" if self.default is None else str(self.default)


def _text(value: str) -> str:
    return value


DATA_DIR: Setting[Path | None] = Setting(
    "data_dir", "folder", None,
    Text("账本、密钥和部门配置所在的文件夹（每个账本一个）",
         "folder holding the ledger, keys and the installed profile (one per ledger)"),
    Path, env="INSPECTOR_DATA_DIR", flags=("--data-dir",), metavar="DIR",
    default_text="the user data folder")
LANGUAGE: Setting[str] = Setting(
    "language", "zh, en", "zh",
    Text("界面语言", "language of messages and of the app"),
    _text, env="INSPECTOR_LANG", flags=("--lang",), allowed=("zh", "en"), stored=True,
    default_text="the locale (Chinese when it is neither); in the app, the choice kept on the "
                 "settings screen")
PASSPHRASE_FILE: Setting[Path | None] = Setting(
    "passphrase_file", "file", None,
    Text("从该文件第一行读取执法人员密码，不再提示输入",
         "read the acting officer's passphrase from the first line of this file, not a prompt"),
    Path, flags=("--passphrase-file",), metavar="FILE")
PASSPHRASE: Setting[str | None] = Setting(
    "passphrase", "text", None,
    Text("无人值守时执法人员的密码（优先使用 --passphrase-file）",
         "the acting officer's passphrase for unattended use (prefer --passphrase-file)"),
    _text, env="INSPECTOR_PASSPHRASE")
CO_PASSPHRASE_FILE: Setting[Path | None] = Setting(
    "co_passphrase_file", "file", None,
    Text("从该文件第一行读取协同执法人员密码", "read the co-officer's passphrase from this file"),
    Path, flags=("--co-passphrase-file",), metavar="FILE")
CO_PASSPHRASE: Setting[str | None] = Setting(
    "co_passphrase", "text", None,
    Text("无人值守时协同执法人员的密码（优先使用 --co-passphrase-file）",
         "the co-officer's passphrase for unattended use (prefer --co-passphrase-file)"),
    _text, env="INSPECTOR_CO_PASSPHRASE")
ENDPOINT: Setting[str | None] = Setting(
    "endpoint", "URL", None,
    Text("中心端地址；优先于部门配置中的地址", "central endpoint URL; overrides the profile's"),
    _text, env="INSPECTOR_ENDPOINT", default_text="the profile's endpoint")
VERBOSE: Setting[bool] = Setting(
    "verbose", "flag", False,
    Text("在标准错误输出详细日志", "log details to standard error"),
    lambda raw: raw == "1", flags=("-v", "--verbose"), default_text="off")
TEXT_SIZE: Setting[str] = Setting(
    "text_size", "normal, large, huge", "large", Text("文字大小", "Text size"), _text,
    allowed=("normal", "large", "huge"), stored=True)
THEME: Setting[str] = Setting(
    "theme", "standard, sunlight", "standard",
    Text("配色（强光下请用高对比度）", "Colours (high contrast for sunlight)"), _text,
    allowed=("standard", "sunlight"), stored=True)
LOCATION_SOURCE: Setting[str] = Setting(
    "location_source", "device, replay, off", "device",
    Text("签到定位来源", "Position at check-in"), _text,
    allowed=("device", "replay", "off"), stored=True)

def _positive(kind: Callable[[str], float], name: str) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        try:
            value = kind(raw)
        except ValueError:
            value = 0
        if not value > 0:
            raise UserError(Text("环境变量 {env} 的值“{value}”无效，应为正数。",
                                 "${env} is \"{value}\", which is not a positive number.")
                            .format(env=name, value=raw[:40]), code="settings.invalid")
        return value

    return parse


MAX_IMAGE_PIXELS: Setting[int] = Setting(
    "max_image_pixels", "number", 40_000_000,
    Text("图片的像素上限（从文件头读取，超过即拒绝，不解码）",
         "largest image accepted, in pixels (read from the file's header; larger images are "
         "refused before decoding)"),
    _positive(int, "INSPECTOR_MAX_IMAGE_PIXELS"), env="INSPECTOR_MAX_IMAGE_PIXELS")
STILL_BUDGET: Setting[float] = Setting(
    "still_budget_seconds", "seconds", 3.0,
    Text("“尽力识别”每张照片的时间上限（秒）",
         "time limit of a \"try harder\" decode of one photo, in seconds"),
    _positive(float, "INSPECTOR_STILL_BUDGET_SECONDS"), env="INSPECTOR_STILL_BUDGET_SECONDS")
PROVISIONING_KEYS: Setting[Path | None] = Setting(
    "provisioning_keys", "file", None,
    Text("部门配置公钥文件（PEM），用于核验配置码；优先于安装时设置的文件",
         "the department's provisioning public key(s), PEM, that provisioning packages must be "
         "signed by; overrides the file set at install time"),
    Path, env="INSPECTOR_PROVISIONING_KEYS",
    default_text="/etc/inspector/provisioning-keys.pem (Linux), "
                 "%ProgramData%\\Inspector\\provisioning-keys.pem (Windows)")

ALL_SETTINGS: tuple[Setting[Any], ...] = (
    DATA_DIR, LANGUAGE, PASSPHRASE_FILE, PASSPHRASE, CO_PASSPHRASE_FILE, CO_PASSPHRASE, ENDPOINT,
    VERBOSE, MAX_IMAGE_PIXELS, STILL_BUDGET, PROVISIONING_KEYS, TEXT_SIZE, THEME, LOCATION_SOURCE)
#: The device preferences, in the order the settings screen shows them.
PREFERENCES: tuple[Setting[str], ...] = (LANGUAGE, TEXT_SIZE, THEME, LOCATION_SOURCE)


def _default_data_dir() -> Path:
    import platformdirs  # lazy: only needed when no directory is given

    return Path(platformdirs.user_data_dir("inspector", appauthor=False))


def resolve_data_dir(cli_value: Path | None) -> Path:
    return cli_value or DATA_DIR.from_env() or _default_data_dir()


def resolve_language(cli_value: str | None) -> str | None:
    """``--lang``, else ``INSPECTOR_LANG``, else None (the locale, or the stored preference)."""
    return cli_value or LANGUAGE.from_env()


# -- the command line -----------------------------------------------------------------------

def add_global_options(parser: argparse.ArgumentParser) -> None:
    """The run settings that have an option, with help made from the table."""
    for setting in ALL_SETTINGS:
        if not setting.flags:
            continue
        where = f"${setting.env}; " if setting.env else ""
        help_text = f"{setting.description.en} ({where}default: {setting.shown_default})"
        if setting.default is False:
            parser.add_argument(*setting.flags, dest=_args_name(setting), action="store_true",
                                help=setting.description.en)
        elif setting.allowed:
            parser.add_argument(*setting.flags, dest=_args_name(setting), choices=setting.allowed,
                                default=None, help=help_text)
        else:
            parser.add_argument(*setting.flags, dest=_args_name(setting), type=setting.parse,
                                default=None, metavar=setting.metavar, help=help_text)


def environment_help() -> str:
    """The settings that come only from the environment, for the end of ``--help``."""
    lines = ["settings from the environment only:"]
    for setting in ALL_SETTINGS:
        if setting.env and not setting.flags:
            lines.append(f"  {setting.env:<26}{setting.description.en}")
    lines.append("device preferences (text size, theme, position) are set in the app; "
                 "docs/cli.md lists every setting")
    return "\n".join(lines)


def _args_name(setting: Setting[Any]) -> str:
    # ``--lang`` keeps its short destination: every command reads ``args.lang``.
    return "lang" if setting is LANGUAGE else setting.name


def markdown_table() -> str:
    """The table of settings in ``docs/cli.md``
    (regenerate: ``python -m inspector_app.platform.settings``)."""
    lines = ["| Setting | Option | Environment | Values | Default | Meaning |",
             "| --- | --- | --- | --- | --- | --- |"]
    for setting in ALL_SETTINGS:
        option = " ".join(f"`{flag}`" for flag in setting.flags)
        if setting.stored:
            option = f"{option}, app settings screen" if option else "app settings screen"
        option = option or "—"
        env = f"`{setting.env}`" if setting.env else "—"
        lines.append(f"| `{setting.name}` | {option} | {env} | {setting.type_name} | "
                     f"{setting.shown_default} | {setting.description.en} |")
    return "\n".join(lines) + "\n"


# -- device preferences -----------------------------------------------------------------------

@dataclass(frozen=True)
class Preferences:
    language: str = LANGUAGE.default
    text_size: str = TEXT_SIZE.default
    theme: str = THEME.default
    location_source: str = LOCATION_SOURCE.default

    def with_value(self, name: str, value: str) -> Preferences:
        setting = next(s for s in PREFERENCES if s.name == name)
        if value not in setting.allowed:
            raise ValueError(f"{name} cannot be {value!r}")
        return replace(self, **{name: value})


def load_preferences(data_dir: Path, default_language: str | None = None) -> Preferences:
    stored: dict[str, Any] = {}
    try:
        loaded = json.loads((data_dir / PREFERENCES_FILE).read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            stored = loaded
    except (OSError, ValueError):
        pass  # absent or unreadable: the defaults (never a reason not to start)
    values = {}
    for setting in PREFERENCES:
        value = stored.get(setting.name)
        if setting is LANGUAGE and value is None and default_language in setting.allowed:
            value = default_language
        values[setting.name] = value if value in setting.allowed else setting.default
    return Preferences(**values)


def save_preferences(data_dir: Path, preferences: Preferences) -> None:
    """Written durably: a power cut leaves the old choices or the new ones, never half a file."""
    from inspector_app.platform.fileio import write_durably

    data = json.dumps({s.name: getattr(preferences, s.name) for s in PREFERENCES}, indent=1)
    write_durably(data_dir / PREFERENCES_FILE, data.encode("utf-8"))


if __name__ == "__main__":  # pragma: no cover — the table for docs/cli.md
    print(markdown_table(), end="")
