"""Every setting of the central endpoint, declared once (pydantic-settings).

Each field has its type, default and description here; the environment variable
is ``INSPECTOR_CENTRAL_`` + its name in capitals, and the command-line option is
``--`` + its name with dashes.  ``inspector-central --help``, ``serve --help``
and the table in ``docs/central.md`` are generated from this class, so they
cannot disagree with what the server reads.  Precedence: the command line, then
the environment, then the default.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "INSPECTOR_CENTRAL_"
#: Where a setting is given on the command line: before the command, or after ``serve``.
Scope = Literal["global", "serve"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True,
                                      case_sensitive=False)

    data_dir: Path = Field(
        Path("central-data"),
        description="folder of the SQLite database (used when no database URL is given)")
    database_url: str | None = Field(
        None, pattern=r"^postgres(ql)?://", max_length=2048,
        description="PostgreSQL URL (postgresql://...) instead of SQLite; several serve "
                    "processes may share one database")
    sqlite_busy_timeout_ms: int = Field(
        30_000, ge=0, le=600_000,
        description="how long a request waits for another writer of the SQLite database before "
                    "it is answered 503 server.database_busy")
    server_key_file: Path | None = Field(
        None, description="the server's signing key in a file of its own (PKCS#8 PEM, mode 0600, "
                          "made by 'server-key new'); the key is then never stored in the database")
    photo_dir: Path | None = Field(
        None, description="folder of the evidence photo store (content-addressed files); "
                          "default: photos in the data folder")
    host: str = Field("127.0.0.1", min_length=1, max_length=255,
                      description="address the HTTP endpoint listens on",
                      json_schema_extra={"scope": "serve"})
    port: int = Field(8765, ge=1, le=65_535, description="TCP port of the HTTP endpoint",
                      json_schema_extra={"scope": "serve"})
    header_timeout: int = Field(
        10, ge=1, le=300, description="seconds for a connection to complete its request headers "
        "(from its opening or the previous reply); then it is closed",
        json_schema_extra={"scope": "serve"})
    body_timeout: int = Field(
        20, ge=1, le=600, description="seconds for a request body to arrive whole; then 408 "
        "request.timeout and the connection is closed", json_schema_extra={"scope": "serve"})
    keep_alive_timeout: int = Field(
        5, ge=1, le=300, description="seconds an idle kept-alive connection stays open",
        json_schema_extra={"scope": "serve"})
    max_connections: int = Field(
        1000, ge=16, le=1_000_000, description="open connections at most (and always 64 below the "
        "open-file limit); beyond it the oldest connection that has not sent a request is closed",
        json_schema_extra={"scope": "serve"})
    clock_tolerance_s: int = Field(
        300, ge=10, le=86_400,
        description="how far an event's wall clock may be from its server-derived time (an "
                    "anchor on the same boot) before a clock_discrepancy alarm")
    alarm_cap_per_hour: int = Field(
        100, ge=1, le=1_000_000,
        description="distinct alarms stored per device and kind per hour; beyond it they are "
                    "only counted, on one row per device, kind and hour")
    rate_per_s: float = Field(
        5.0, ge=0.01, le=10_000.0,
        description="requests a second one bearer token (without one: one client address) may "
                    "make, sustained; beyond it 429 with Retry-After; refused events cost more")
    rate_burst: int = Field(
        60, ge=1, le=1_000_000,
        description="requests one token may make at once before the sustained rate applies")
    activation_code_days: int = Field(
        30, ge=1, le=366,
        description="days an officer activation code stays valid (checked when the officer's "
                    "enrolment event arrives)")
    public_url: str | None = Field(
        None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$", max_length=200,
        description="the address enterprises' phones reach this endpoint at (https://…): the "
                    "base of the links notifications send (docs/enterprise.md)")
    names_profile: Path | None = Field(
        None, description="a department profile (inspector-profile/1) whose department and "
                          "visit-kind names the enterprise pages show instead of ids")
    notify_sender: Literal["none", "file", "http"] = Field(
        "none", description="how an enterprise's registered phone is told of a visit that "
                            "reached the centre: none, file (JSON lines in notify_file, or the "
                            "log), http (the SMS gateway at sms_gateway_url)")
    notify_file: Path | None = Field(
        None, description="file the 'file' sender appends each message to (JSON lines); "
                          "without it, messages go to the log")
    notify_interval: int = Field(
        15, ge=1, le=3600, description="seconds between two looks for visits to notify")
    notify_attempts: int = Field(
        6, ge=1, le=100, description="sending attempts per notification (backing off from 30 s "
                                     "to an hour) before it is marked failed")
    sms_gateway_url: str | None = Field(
        None, pattern=r"^https?://", max_length=500,
        description="the SMS gateway's endpoint: POST {\"to\", \"text\", \"id\"} as JSON, "
                    "any 2xx is sent")
    sms_gateway_token: str | None = Field(
        None, max_length=500, description="bearer token sent to the SMS gateway (Authorization "
                                          "header); prefer the environment variable")
    sms_gateway_timeout: int = Field(
        10, ge=1, le=120, description="seconds to wait for the SMS gateway's answer")
    enterprise_rate_per_min: float = Field(
        6.0, ge=0.01, le=10_000.0,
        description="ratings, complaints, archive and tracking look-ups one client address "
                    "may send a minute, sustained (the enterprise pages' forms)")
    enterprise_rate_burst: int = Field(
        10, ge=1, le=100_000, description="such requests one address may send at once")
    visit_rate_per_hour: float = Field(
        6.0, ge=0.01, le=10_000.0,
        description="ratings and complaints one visit may receive an hour, sustained")
    visit_rate_burst: int = Field(
        5, ge=1, le=100_000, description="ratings and complaints one visit may receive at once")
    photo_max_bytes: int = Field(
        8 * 1024 * 1024, ge=10_000, le=15 * 1024 * 1024,
        description="largest complaint photo accepted, in bytes")
    photo_max_pixels: int = Field(
        40_000_000, ge=10_000, le=200_000_000,
        description="largest complaint photo accepted, in pixels (width × height, read before "
                    "decoding: a decompression bomb is refused unread)")


class SettingsError(Exception):
    """A setting from the environment or the command line is not acceptable (exit 2)."""


def scope_of(info: FieldInfo) -> Scope:
    extra = info.json_schema_extra
    return "serve" if isinstance(extra, dict) and extra.get("scope") == "serve" else "global"


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_options(parser: argparse.ArgumentParser, scope: Scope) -> None:
    """The settings of ``scope`` as options; unset ones fall back to environment and default."""
    for name, info in Settings.model_fields.items():
        if scope_of(info) != scope:
            continue
        annotation = info.annotation
        kind: Any = int if annotation is int else float if annotation is float else Path \
            if annotation in (Path, Path | None) else str
        parser.add_argument(option_name(name), dest=name, type=kind, default=None,
                            metavar=name.split("_")[-1].upper(),
                            help=f"{info.description} (${env_name(name)}; "
                                 f"default: {_default_text(info, markdown=False)})")


_in_force: Settings | None = None


def use(chosen: Settings) -> None:
    """Make ``chosen`` the settings the process's modules read (the command line does)."""
    global _in_force
    _in_force = chosen


def in_force() -> Settings:
    """The settings this process runs with: those the command line chose, else the
    environment's and the defaults (read once)."""
    global _in_force
    if _in_force is None:
        _in_force = load()
    return _in_force


def load(args: argparse.Namespace | None = None) -> Settings:
    """The settings in force: command-line values over the environment over the defaults."""
    given = {name: getattr(args, name) for name in Settings.model_fields
             if args is not None and getattr(args, name, None) is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{env_name(str(e['loc'][0])) if e['loc'] else 'settings'}: {e['msg']}"
            for e in exc.errors())
        raise SettingsError(f"invalid setting: {problems}") from None


def markdown_table() -> str:
    """The settings as the table in ``docs/central.md``."""
    lines = ["| Setting | Option | Environment | Type | Default | Meaning |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        where = "`serve` " if scope_of(info) == "serve" else ""
        lines.append(f"| `{name}` | {where}`{option_name(name)}` | `{env_name(name)}` | "
                     f"{_type_text(info)} | {_default_text(info)} | {info.description} |")
    return "\n".join(lines) + "\n"


def _type_text(info: FieldInfo) -> str:
    kinds: dict[Any, str] = {int: "integer", float: "number", Path: "folder", Path | None: "file",
                             str: "text"}
    return kinds.get(info.annotation, "text")


def _default_text(info: FieldInfo, *, markdown: bool = True) -> str:
    if info.default is None:
        return "none"
    return f"`{info.default}`" if markdown else str(info.default)


if __name__ == "__main__":  # pragma: no cover — regenerates the table in docs/central.md
    print(markdown_table(), end="")
