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
    host: str = Field("127.0.0.1", min_length=1, max_length=255,
                      description="address the HTTP endpoint listens on",
                      json_schema_extra={"scope": "serve"})
    port: int = Field(8765, ge=1, le=65_535, description="TCP port of the HTTP endpoint",
                      json_schema_extra={"scope": "serve"})


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
        kind: Any = int if annotation is int else Path if annotation is Path else str
        parser.add_argument(option_name(name), dest=name, type=kind, default=None,
                            metavar=name.split("_")[-1].upper(),
                            help=f"{info.description} (${env_name(name)}; "
                                 f"default: {_default_text(info, markdown=False)})")


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
    return {int: "integer", Path: "folder", str: "text"}.get(info.annotation, "text")  # type: ignore[arg-type]


def _default_text(info: FieldInfo, *, markdown: bool = True) -> str:
    if info.default is None:
        return "none"
    return f"`{info.default}`" if markdown else str(info.default)


if __name__ == "__main__":  # pragma: no cover — regenerates the table in docs/central.md
    print(markdown_table(), end="")
