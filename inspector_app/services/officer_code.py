"""The officer credential code (亮码入企) for the visit in progress, made on the worker.

Signing needs the officer's unlocked key and the QR encoding takes a few
milliseconds, so both run as one job on the task runner's thread (no Qt here);
the screen only paints the modules it gets back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.keys import Signer
    from inspector_protocol.officer_credential import OfficerCredential

#: The error correction level: M survives a glare spot on the tablet's screen and keeps
#: a verification link at a version a phone reads from a metre away.
ERROR_LEVEL = "m"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Holder:
    """Who shows the code: the officer signed in."""

    credential: str
    name: str
    department: str


@dataclass(frozen=True)
class OfficerCode:
    credential: OfficerCredential
    #: What the QR holds: the verification link, or the bare code when no endpoint is known.
    text: str
    link: str | None
    #: The QR's modules, one bytes object per row, 1 = dark (no quiet zone).
    modules: tuple[bytes, ...]
    expires_ms: int


def issue_officer_code(ws: Workspace, signer: Signer, holder: Holder, visit_id: str) -> OfficerCode:
    """Sign the holder's identity and the visit's kind and reason, now, and encode it."""
    from inspector_app.services.recorder import VisitRecorder
    from inspector_protocol.officer_credential import (
        VALID_FOR,
        OfficerCredential,
        issue_credential,
        verification_link,
    )

    if signer.officer != holder.credential:
        raise ValueError("the code must be signed by the officer it names")
    visit = VisitRecorder(ws).visit(visit_id)
    now_ms = ws.clock.now().wall_ms
    credential = OfficerCredential(holder.credential, holder.name, holder.department, visit.kind,
                                   fit_field(visit.reason), now_ms // 1000)
    code = issue_credential(credential, signer.private_key)
    verify_url = verification_url(ws)
    link = None if verify_url is None else verification_link(verify_url, code)
    text = link or code
    return OfficerCode(credential, text, link, qr_modules(text),
                       now_ms + int(VALID_FOR.total_seconds() * 1000))


def verification_url(ws: Workspace) -> str | None:
    """The central endpoint's verification page, if ``INSPECTOR_ENDPOINT`` or the profile
    names a usable endpoint; otherwise None (the QR then holds the bare code, which any
    copy of the app still verifies offline)."""
    from inspector_app.sync.endpoint import endpoint_url
    from inspector_protocol.errors import UserError

    try:
        return endpoint_url(ws.profile).rstrip("/") + "/verify"
    except UserError:
        return None


def fit_field(text: str) -> str:
    """A free-text field as the code allows it: one printable line of at most 120 bytes.

    A long reason is shortened (the full reason is in the signed check-in), never refused:
    the officer is at the gate and needs the code now.
    """
    from inspector_protocol.officer_credential import MAX_FIELD_BYTES

    line = "".join(c if c.isprintable() else " " for c in text).strip() or "-"
    if len(line.encode("utf-8")) <= MAX_FIELD_BYTES:
        return line
    room = MAX_FIELD_BYTES - len(ELLIPSIS.encode("utf-8"))
    cut = line.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut.rstrip() + ELLIPSIS


def qr_modules(text: str) -> tuple[bytes, ...]:
    try:
        import segno
    except ImportError:
        from inspector_protocol.errors import EnvironmentProblem
        from inspector_protocol.text import Text

        raise EnvironmentProblem(
            Text("本机无法生成二维码（缺少 segno 组件）。",
                 "This tablet cannot draw QR codes (segno is missing)."),
            Text("请联系部门信息化人员重新安装本软件。", "Ask department IT to reinstall the app."),
            code="env.no_qr_encoder") from None
    return tuple(bytes(row) for row in segno.make_qr(text, error=ERROR_LEVEL).matrix)
