"""Enrolling officers on a device and signing them in.

Enrolment makes a fresh Ed25519 key on the tablet, wraps it with the officer's
passphrase, and records a self-signed ``officer.enrolled`` event that the
device key attests, so a key can only enter the ledger through this device.
The one-time activation code from department IT, when given, is bound to the
new key as a proof inside that event (the code itself is not kept): it is what
activates the key at the central endpoint (``docs/trust-model.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_app.ledger import key_wrapping
from inspector_app.services.workspace import Workspace
from inspector_protocol import keys
from inspector_protocol.activation import activation_proof, code_key, is_well_formed
from inspector_protocol.attestation import attestation_message
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

MIN_PASSPHRASE_CHARS = 6


@dataclass(frozen=True)
class OfficerSummary:
    credential: str
    name: str
    department: str
    key_id: str | None
    in_profile: bool


def check_passphrase_policy(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise UserError(
            Text("密码至少需要 {n} 个字符。", "A passphrase needs at least {n} characters.")
            .format(n=MIN_PASSPHRASE_CHARS),
            code="officer.weak_passphrase",
        )


def enrol_officer(
    workspace: Workspace, credential: str, name: str, passphrase: str,
    department: str | None = None, activation_code: str | None = None,
) -> SignedEvent:
    credential, name = credential.strip(), name.strip()
    _check_identity(workspace, credential, name)
    check_passphrase_policy(passphrase)
    if activation_code is not None and not is_well_formed(activation_code):
        raise UserError(
            Text("激活码格式不对：应为 16 位字母数字（如 K7QF-3MZP-1XVA-8D2N）。",
                 "The activation code is not well formed: 16 letters and digits "
                 "(like K7QF-3MZP-1XVA-8D2N)."),
            code="officer.bad_activation_code",
        )
    record = workspace.profile.officer(credential)
    if record is not None and record.name != name:
        raise UserError(
            Text("执法证号 {c} 在部门配置中属于 {expected}，不是 {name}。",
                 "Credential {c} belongs to {expected} in the profile, not {name}.")
            .format(c=credential, expected=record.name, name=name),
            code="officer.name_mismatch",
        )
    dept = _department(workspace, department, record.department if record else None)
    private = Ed25519PrivateKey.generate()
    public = keys.raw_public_key(private)
    device = workspace.ledger.device_signer()
    body = {
        "credential": credential,
        "name": name,
        "department": dept,
        "in_profile": record is not None,
        "public_key": keys.b64encode(public),
        "device_attestation": keys.b64encode(device.sign(attestation_message(credential, public))),
    }
    if activation_code is not None:
        body["activation"] = keys.b64encode(
            activation_proof(code_key(activation_code), credential, public))
    wrapped = key_wrapping.wrap_private_key(private, passphrase, credential)
    return workspace.ledger.store_officer_key(credential, private, wrapped, body)


def _check_identity(workspace: Workspace, credential: str, name: str) -> None:
    if not credential or len(credential) > 64 or not credential.isprintable():
        raise UserError(Text("执法证号无效。", "The credential number is not valid."),
                        code="officer.bad_credential")
    if not name or len(name) > 64:
        raise UserError(Text("姓名无效。", "The name is not valid."), code="officer.bad_name")
    if workspace.ledger.officer_key(credential) is not None:
        raise UserError(
            Text("执法人员 {c} 已在本设备登记。", "Officer {c} is already registered on this device.")
            .format(c=credential),
            code="officer.exists",
        )


def _department(workspace: Workspace, requested: str | None, provisioned: str | None) -> str:
    profile = workspace.profile
    dept = requested or provisioned or profile.departments[0].id
    if profile.department(dept) is None:
        known = ", ".join(d.id for d in profile.departments)
        raise UserError(
            Text("部门 {d} 不在部门配置中（可选：{known}）。",
                 "Department {d} is not in the profile (choose from: {known}).")
            .format(d=dept, known=known),
            code="officer.unknown_department",
        )
    return dept


def list_officers(workspace: Workspace) -> list[OfficerSummary]:
    """Officers enrolled on this device, then those provisioned but not yet enrolled."""
    profile = workspace.profile
    enrolled = [
        OfficerSummary(k.credential, k.name, k.department, k.key_id,
                       profile.officer(k.credential) is not None)
        for k in workspace.ledger.officer_keys()
    ]
    known = {o.credential for o in enrolled}
    pending = [
        OfficerSummary(o.credential, o.name, o.department, None, True)
        for o in profile.officers
        if o.credential not in known
    ]
    return enrolled + pending


def officer_names(workspace: Workspace) -> dict[str, str]:
    """Officers' names by credential: those enrolled on this device, then the profile's."""
    names = {k.credential: k.name for k in workspace.ledger.officer_keys()}
    names.update({o.credential: o.name for o in workspace.profile.officers})
    return names


def officer_department(workspace: Workspace, credential: str) -> str:
    key = workspace.ledger.officer_key(credential)
    if key is not None:
        return key.department
    record = workspace.profile.officer(credential)
    return record.department if record else workspace.profile.departments[0].id
