"""Every setting declared once: name, type, default, environment variable, description.

Settings come from (highest first) the command line, the environment, then the
default.  Declaring them in one table means ``inspector --help``, the settings
screen and the documentation never disagree about what exists.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    default: T
    env: str | None
    description: str

    def from_env(self, environ: dict[str, str] | None = None) -> str | None:
        env = os.environ if environ is None else environ
        return env.get(self.env) if self.env else None


def _default_data_dir() -> Path:
    import platformdirs  # lazy: only needed when no directory is given

    return Path(platformdirs.user_data_dir("inspector", appauthor=False))


DATA_DIR: Setting[Path | None] = Setting(
    "data_dir", None, "INSPECTOR_DATA_DIR",
    "Folder holding the ledger, keys and the installed profile (one per ledger).",
)
PASSPHRASE: Setting[str | None] = Setting(
    "passphrase", None, "INSPECTOR_PASSPHRASE",
    "Officer passphrase for unattended use (prefer --passphrase-file).",
)
CO_PASSPHRASE: Setting[str | None] = Setting(
    "co_passphrase", None, "INSPECTOR_CO_PASSPHRASE",
    "Co-officer passphrase for unattended use (prefer --co-passphrase-file).",
)
ENDPOINT: Setting[str | None] = Setting(
    "endpoint", None, "INSPECTOR_ENDPOINT",
    "Central endpoint URL; overrides the profile's.",
)
LANG: Setting[str | None] = Setting(
    "lang", None, "INSPECTOR_LANG", "Force the language: zh or en (default: the locale)."
)

ALL_SETTINGS: tuple[Setting[object], ...] = (DATA_DIR, PASSPHRASE, CO_PASSPHRASE, ENDPOINT, LANG)  # type: ignore[assignment]


def resolve_data_dir(cli_value: Path | None) -> Path:
    if cli_value is not None:
        return cli_value
    env = DATA_DIR.from_env()
    return Path(env) if env else _default_data_dir()
