"""A visit in progress as the officer works on it: read it, and record into it.

Plain functions of the workspace: each runs on the app's worker and returns
the visit as the ledger now derives it, so the screen always redraws from what
was stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector_app.checklists import Finding, TemplateOutcome
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.keys import Signer

#: A photo item of the form: (template id, item id).
PhotoTarget = tuple[str, str]


@dataclass(frozen=True)
class VisitView:
    visit: Visit
    seconds: int
    outcomes: tuple[TemplateOutcome, ...]
    findings: tuple[Finding, ...]
    #: Check-in day in China time: deadlines are counted from it.
    today: dt.date


def load_visit_view(ws: Workspace, visit_id: str) -> VisitView:
    from inspector_app.checklists import findings, outcomes
    from inspector_app.services.recorder import VisitRecorder
    from inspector_app.services.visit_log import local_day

    recorder = VisitRecorder(ws)
    visit = recorder.visit(visit_id)
    now = ws.ledger.time_evidence()
    duration = visit.duration(now)
    checklists = recorder.checklists(visit.id)
    return VisitView(visit, duration.seconds if duration else 0, outcomes(checklists),
                     findings(checklists), local_day(now.wall_ms))


def answer(ws: Workspace, signer: Signer, visit_id: str, template_id: str, item_id: str,
           value: Any) -> tuple[TemplateOutcome, ...]:
    from inspector_app.checklists import outcomes
    from inspector_app.services.recorder import VisitRecorder

    return outcomes(VisitRecorder(ws).answer(signer, visit_id, template_id, item_id, value))


def record_photo(ws: Workspace, signer: Signer, visit_id: str, data: bytes | Path,
                 target: PhotoTarget | None, caption: str | None = None) -> VisitView:
    """Store the photo by its hash, sign it into the visit, and attach it to a photo item.

    The file is on disk (flushed) before the event naming it is signed; a photo
    item's answer is the list of its photos' SHA-256, the new one appended.
    """
    from inspector_app.services.evidence import store_photo
    from inspector_app.services.recorder import VisitRecorder

    recorder = VisitRecorder(ws)
    photo = store_photo(ws.data_dir, _read_image(data) if isinstance(data, Path) else data)
    recorder.add_photo(signer, visit_id, photo, caption)
    if target is not None:
        attached = _photo_answer(recorder, visit_id, target)
        if photo.sha256 not in attached:
            recorder.answer(signer, visit_id, *target, [*attached, photo.sha256])
    return load_visit_view(ws, visit_id)


def _read_image(path: Path) -> bytes:
    from inspector_protocol.errors import UserError
    from inspector_protocol.text import Text

    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(Text("无法读取图片文件 {f}（{e}）。", "Cannot read the image file {f} ({e}).")
                        .format(f=path.name, e=exc.strerror or exc), code="photo.unreadable") from exc


def _photo_answer(recorder: Any, visit_id: str, target: PhotoTarget) -> list[str]:
    checklists = recorder.checklists(visit_id)
    template = checklists.template(target[0])
    if template is None:
        return []
    current = checklists.current(template.ref, target[1])
    value = current.value if current is not None else None
    return [str(v) for v in value] if isinstance(value, list) else []


def record_rectification(ws: Workspace, signer: Signer, visit_id: str, requirement: str,
                         deadline: dt.date, item: str | None) -> VisitView:
    from inspector_app.services.recorder import VisitRecorder

    VisitRecorder(ws).add_rectification(signer, visit_id, requirement, deadline, item)
    return load_visit_view(ws, visit_id)


def add_department(ws: Workspace, signer: Signer, visit_id: str, department: str) -> VisitView:
    from inspector_app.services.recorder import VisitRecorder

    VisitRecorder(ws).add_department(signer, visit_id, department)
    return load_visit_view(ws, visit_id)


def add_note(ws: Workspace, signer: Signer, visit_id: str, text: str) -> VisitView:
    from inspector_app.services.recorder import VisitRecorder

    VisitRecorder(ws).add_note(signer, visit_id, text)
    return load_visit_view(ws, visit_id)


def abandon_visit(ws: Workspace, signer: Signer, visit_id: str, reason: str) -> Visit:
    """Close a visit that did not take place, with the reason."""
    from inspector_app.services.recorder import VisitRecorder

    return VisitRecorder(ws).abandon(signer, visit_id, reason)


def finding_key(finding: Finding) -> str:
    """How a rectification names the checklist item it comes from."""
    return f"{finding.template.id}/{finding.item.id}"
