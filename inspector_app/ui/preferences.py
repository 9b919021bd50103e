"""The tablet's display preferences, each declared once (name, allowed values, default).

They belong to the device, not to an officer, and live next to the ledger in
the data folder (``ui-preferences.json``), so a provisioned tablet keeps its
sunlight theme across updates.  A damaged or hand-edited file falls back to
the defaults value by value: a display preference must never stop the app.
Reading and writing happen on the task runner's thread (they touch the disk).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inspector_protocol.text import Text

FILE_NAME = "ui-preferences.json"


@dataclass(frozen=True)
class Choice:
    name: str
    default: str
    allowed: tuple[str, ...]
    description: Text


LANGUAGE = Choice("language", "zh", ("zh", "en"), Text("界面语言", "Language"))
TEXT_SIZE = Choice("text_size", "large", ("normal", "large", "huge"), Text("文字大小", "Text size"))
THEME = Choice("theme", "standard", ("standard", "sunlight"),
               Text("配色（强光下请用高对比度）", "Colours (high contrast for sunlight)"))
LOCATION = Choice("location_source", "device", ("device", "replay", "off"),
                  Text("签到定位来源", "Position at check-in"))
ALL_CHOICES = (LANGUAGE, TEXT_SIZE, THEME, LOCATION)


@dataclass(frozen=True)
class Preferences:
    language: str = LANGUAGE.default
    text_size: str = TEXT_SIZE.default
    theme: str = THEME.default
    location_source: str = LOCATION.default

    def with_value(self, name: str, value: str) -> Preferences:
        choice = next(c for c in ALL_CHOICES if c.name == name)
        if value not in choice.allowed:
            raise ValueError(f"{name} cannot be {value!r}")
        return replace(self, **{name: value})


def load_preferences(data_dir: Path, default_language: str | None = None) -> Preferences:
    stored: dict[str, Any] = {}
    try:
        loaded = json.loads((data_dir / FILE_NAME).read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            stored = loaded
    except (OSError, ValueError):
        pass  # absent or unreadable: the defaults (never a reason not to start)
    values = {}
    for choice in ALL_CHOICES:
        value = stored.get(choice.name)
        if choice is LANGUAGE and value is None and default_language in choice.allowed:
            value = default_language
        values[choice.name] = value if value in choice.allowed else choice.default
    return Preferences(**values)


def save_preferences(data_dir: Path, preferences: Preferences) -> None:
    data = json.dumps({c.name: getattr(preferences, c.name) for c in ALL_CHOICES}, indent=1)
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=FILE_NAME, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, data_dir / FILE_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
