"""Installing the checklist templates pulled from the central endpoint, so new visits use them.

Pulled documents sit in ``central_templates``; installing writes each new
(id, version) as a file in ``<data_dir>/checklists/``, where the workspace's
template registry finds it.  Versions are never replaced: a visit records the
exact version it started with and keeps answering it, while the next visit
starts on the newest.  A document with the id and version of a template
already held but different content is refused — "version 3" must mean one
thing on every tablet — and reported as a sync error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from inspector_app.checklists.registry import TEMPLATES_DIR
from inspector_app.sync.device import SyncedDevice
from inspector_protocol.errors import InspectorError
from inspector_protocol.text import Text


def install_pulled_templates(workspace: SyncedDevice) -> tuple[int, list[Text]]:
    """Install templates not held yet; returns how many were installed and what was refused."""
    from inspector_app.checklists import template_from_document

    folder = workspace.data_dir / TEMPLATES_DIR
    registry = workspace.templates()
    installed, problems = 0, []
    rows = workspace.ledger.conn.execute(
        "SELECT id, document FROM central_templates ORDER BY id").fetchall()
    for template_id, document in rows:
        try:
            template = template_from_document(json.loads(document), f"central template {template_id}")
        except (InspectorError, ValueError):
            problems.append(Text("中心端的检查表模板 {id} 无效，未安装。",
                                 "The central checklist template {id} is not valid; not installed.")
                            .format(id=template_id))
            continue
        held = [t for t in registry.versions(template.id) if t.version == template.version]
        if held and held[0].ref.hash == template.ref.hash:
            continue
        if held:
            problems.append(Text(
                "中心端的检查表模板 {id} 第 {version} 版与本机已有的同版本内容不同，未安装；"
                "修改模板须提高版本号。",
                "The central checklist template {id} version {version} differs from the same "
                "version held here; not installed (a changed template needs a new version).")
                .format(id=template.id, version=template.version))
            continue
        # The schema limits ids to [a-z0-9_.-], so the id is a safe file name.
        _write(folder / f"{template.id}-v{template.version}.json", document)
        registry.add(template)
        installed += 1
    return installed, problems


def _write(path: Path, document: str) -> None:
    """Atomically, and durably: a template a visit names must survive a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(document)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
