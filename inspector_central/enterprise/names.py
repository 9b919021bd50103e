"""Names for ids on the enterprise's pages: departments and visit kinds, officers.

The centre stores ids (``lc-amr``, ``routine``); people read names.  Department and
kind names come from a department profile (``inspector-profile/1``, the same file
the tablets install) named by the setting ``names_profile``; without it the ids
are shown, with the national visit kinds named.  Officers are named by the
roster (the department's word), else by their credential number.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_central.storage import Tx
from inspector_protocol.text import Text

log = logging.getLogger("inspector_central.enterprise")

#: The kinds of the national rules, for a centre given no profile.
_KINDS = {
    "routine": Text("日常检查", "Routine inspection"),
    "double-random": Text("双随机抽查", "Double-random spot check"),
    "campaign": Text("专项检查", "Campaign inspection"),
    "complaint": Text("投诉举报核查", "Complaint verification"),
    "penalty": Text("行政处罚", "Administrative penalty"),
    "compulsory": Text("行政强制", "Compulsory measure"),
    "survey": Text("调研", "Survey"),
    "assistance": Text("走访帮扶", "Courtesy or assistance visit"),
}


@dataclass
class Names:
    departments: dict[str, Text] = field(default_factory=dict)
    kinds: dict[str, Text] = field(default_factory=lambda: dict(_KINDS))

    def department(self, department_id: str) -> Text:
        return self.departments.get(department_id, Text(department_id, department_id))

    def kind(self, kind_id: str) -> Text:
        return self.kinds.get(kind_id, Text(kind_id, kind_id))

    def officer(self, tx: Tx, credential: str) -> str:
        row = tx.one("SELECT name FROM officers WHERE credential = ?", (credential,))
        # Not on the roster: the name of the officer's verified enrolment event.
        row = row or tx.one("SELECT name FROM device_keys WHERE officer = ? AND name IS NOT NULL "
                            "ORDER BY key_id LIMIT 1", (credential,))
        return f"{row[0]}（{credential}）" if row else credential


def registered_name(tx: Tx, uscc: str) -> str | None:
    """The enterprise's name in the registry feed, if the centre serves one."""
    row = tx.one("SELECT doc FROM feed_items WHERE feed = 'registry' AND item_key = ?", (uscc,))
    if row is None:
        return None
    try:
        name = json.loads(str(row[0])).get("name")
    except (ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and name else None


def load_names(profile: Path | None) -> Names:
    names = Names()
    if profile is None:
        return names
    try:
        document = json.loads(profile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.error("names_profile %s cannot be read (%s): ids are shown instead of names",
                  profile, exc)
        return names
    for key, target in (("departments", names.departments), ("visit_kinds", names.kinds)):
        for entry in document.get(key, ()) if isinstance(document, dict) else ():
            text = _text(entry)
            if text is not None:
                target[str(entry["id"])] = text
    return names


def _text(entry: Any) -> Text | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return None
    name = entry.get("name")
    if isinstance(name, dict) and isinstance(name.get("zh"), str) and isinstance(name.get("en"), str):
        return Text(name["zh"], name["en"])
    return None
