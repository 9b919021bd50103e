"""Provisioning packages: set up tablets with no typing (``inspector-central provision``).

For each tablet the centre makes a one-time enrolment code (the package's token:
stored hashed, spent by the first device that enrols with it, expiring with the
package) and signs a package naming this endpoint, its server key, the department
and the profile's SHA-256 with the **provisioning key**.  Outputs, per device: the
package file (for a USB stick; it carries the profile) and a QR code (PNG); and one
printable A4 sheet with every code, its label and its expiry in Chinese.

Why one file per device rather than one file of N tokens: a package is what one
tablet needs and nothing more, so a stick left in a tablet exposes one token, not
the department's; and each code on the sheet is checked on its own.

The provisioning key is kept like the server key: in the database (made on first
use) unless ``--key FILE`` names a PEM file kept elsewhere; ``provision-key export``
writes its public part for the installers (``docs/it-guide.md``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Query
from fastapi import Path as PathParam

from inspector_central.enrolment import code_hash, new_code, normalise_code
from inspector_central.error_replies import ApiError
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database, blob
from inspector_protocol import keys
from inspector_protocol import provisioning as pv
from inspector_protocol.china_time import china_isoformat
from inspector_protocol.messages import ErrorResponse
from inspector_protocol.strict_json import decode_json
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX, PROTOCOL

#: Refusals as every endpoint answers them (``{"protocol", "error"}``).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 403, 404, 413, 422, 429, 500, 503)}
MAX_DEVICES = 500
MAX_DAYS = 90
#: Noto Sans CJK SC (collection index 2 is Simplified Chinese), as Debian installs it.
CJK_FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
             Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"))
SC_INDEX = 2
#: Error correction M: a 61-module code (version 11) for a 40-character endpoint.
QR_ERROR = "m"


class ProvisioningError(Exception):
    """Refused by the command (bad profile, bad department, bad numbers); said to IT."""


@dataclass(frozen=True)
class ProvisioningKey:
    key_id: str
    public_key: bytes
    private_key: Ed25519PrivateKey

    @classmethod
    def of(cls, private_key: Ed25519PrivateKey) -> ProvisioningKey:
        public = keys.raw_public_key(private_key)
        return cls(keys.key_id(public), public, private_key)

    def signer(self) -> keys.Signer:
        return keys.Signer(None, self.key_id, self.private_key)


@dataclass(frozen=True)
class DevicePackage:
    label: str
    file: pv.PackageFile
    text: str
    expires_s: int


# -- the key -----------------------------------------------------------------------------


def provisioning_key(database: Database | None, key_file: Path | None = None) -> ProvisioningKey:
    """From ``key_file`` when given, else the database's (made at first use)."""
    if key_file is not None:
        return ProvisioningKey.of(_load_pem_private(key_file))
    assert database is not None
    candidate = Ed25519PrivateKey.generate()
    public = keys.raw_public_key(candidate)
    with database.transaction() as tx:
        tx.execute("INSERT INTO provisioning_key VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                   (keys.key_id(public), public, keys.raw_private_key(candidate), now_ms()))
        row = tx.one("SELECT private_key FROM provisioning_key WHERE id = 1")
    assert row is not None
    return ProvisioningKey.of(keys.load_private_key(blob(row[0])))


def _load_pem_private(path: Path) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
        key = serialization.load_pem_private_key(data, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ProvisioningError(f"{path}: not a readable Ed25519 private key (PKCS#8 PEM): "
                                f"{getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ProvisioningError(f"{path} is not an Ed25519 private key")
    return key


# -- making packages -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFacts:
    sha256: str
    endpoint: str
    departments: tuple[str, ...]


def profile_facts(raw: bytes, source: str) -> ProfileFacts:
    """What the centre needs of a profile; the tablet validates the whole of it."""
    document = decode_json(raw, source)
    if not isinstance(document, dict) or document.get("schema") != "inspector-profile/1":
        raise ProvisioningError(f"{source} is not a department profile (inspector-profile/1)")
    endpoint = document.get("endpoint")
    url = endpoint.get("url") if isinstance(endpoint, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ProvisioningError(f"{source} names no endpoint URL: the tablets would not know "
                                "where to enrol")
    if len(url.encode("utf-8")) > 200:
        raise ProvisioningError("the endpoint URL is longer than 200 bytes")
    departments = tuple(str(d.get("id")) for d in document.get("departments") or []
                        if isinstance(d, dict))
    return ProfileFacts(hashlib.sha256(raw).hexdigest(), url, departments)


def create_packages(database: Database, server_key: ServerKey, key: ProvisioningKey, *,
                    department: str, devices: int, profile_raw: bytes, profile_source: str,
                    expires_days: int, label_prefix: str | None = None) -> list[DevicePackage]:
    if not 1 <= devices <= MAX_DEVICES:
        raise ProvisioningError(f"--devices must be 1-{MAX_DEVICES}")
    if not 1 <= expires_days <= MAX_DAYS:
        raise ProvisioningError(f"--expires-days must be 1-{MAX_DAYS}")
    facts = profile_facts(profile_raw, profile_source)
    if department not in facts.departments:
        raise ProvisioningError(f"the profile has no department {department!r} "
                                f"(it has: {', '.join(facts.departments)})")
    now = now_ms()
    created_s, expires_s = now // 1000, now // 1000 + expires_days * 86_400
    prefix = (label_prefix or department).strip()
    made: list[DevicePackage] = []
    rows: list[tuple[Any, ...]] = []
    codes: list[tuple[Any, ...]] = []
    for number in range(1, devices + 1):
        label = f"{prefix}-{number:03d}"
        token = normalise_code(new_code())
        package = pv.ProvisioningPackage(
            package=secrets.token_hex(12), created=created_s, expires=expires_s,
            endpoint=facts.endpoint, server_key=keys.b64encode(server_key.public_key),
            department=department, profile_sha256=facts.sha256, token=token, signer=key.key_id)
        signed = pv.sign_package(package, key.signer())
        made.append(DevicePackage(label, pv.PackageFile(
            format="inspector-provisioning/1", label=label, signed=signed,
            profile=keys.b64encode(profile_raw)), pv.encode_text(signed), expires_s))
        codes.append((code_hash(token), label, now, expires_s * 1000))
        rows.append((package.package, code_hash(token), label, department, facts.sha256,
                     key.key_id, now, expires_s * 1000))
    with database.transaction() as tx:
        tx.execute("INSERT INTO provisioning_profiles VALUES (?, ?, ?) ON CONFLICT (sha256) "
                   "DO NOTHING", (facts.sha256, profile_raw, now))
        tx.executemany("INSERT INTO enrolment_codes (code_hash, device_name, created_ms, "
                       "expires_ms) VALUES (?, ?, ?, ?)", codes)
        tx.executemany("INSERT INTO provisioning_packages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return made


def write_outputs(out: Path, packages: list[DevicePackage], department: str) -> list[Path]:
    """Per device a package file and a PNG; one PDF sheet; an index without tokens."""
    import segno

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for item in packages:
        path = out / f"{item.label}{pv.FILE_SUFFIX}"
        _write_new(path, pv.file_bytes(item.file))
        png = out / f"{item.label}.png"
        segno.make_qr(item.text, error=QR_ERROR, boost_error=False).save(
            str(png), kind="png", scale=6, border=4)
        written += [path, png]
    sheet = out / "provisioning-sheet.pdf"
    write_sheet(sheet, packages, department)
    index = out / "packages.json"
    _write_new(index, (json.dumps({"department": department, "packages": [
        {"label": p.label, "package": p.file.signed.package.package, "expires": p.expires_s,
         "file": f"{p.label}{pv.FILE_SUFFIX}", "qr": f"{p.label}.png"} for p in packages]},
        ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return [*written, sheet, index]


def _write_new(path: Path, data: bytes) -> None:
    if path.exists():
        raise ProvisioningError(f"{path} exists; packages are never overwritten (use a new --out)")
    path.write_bytes(data)


def qr_version(text: str) -> str:
    import segno

    return str(segno.make_qr(text, error=QR_ERROR, boost_error=False).designator)


def write_sheet(path: Path, packages: list[DevicePackage], department: str) -> None:
    """A4, two columns by three rows of codes, each with its label and expiry in Chinese."""
    import segno
    from fpdf import FPDF

    font = next((f for f in CJK_FONTS if f.exists()), None)
    if font is None:
        raise ProvisioningError("the Chinese font (Debian package fonts-noto-cjk) is not installed")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("NotoSansSC", "", str(font), collection_font_number=SC_INDEX)
    columns, rows, cell_w, cell_h, code_mm = 2, 3, 95.0, 88.0, 60.0
    for index, item in enumerate(packages):
        slot = index % (columns * rows)
        if slot == 0:
            pdf.add_page()
            pdf.set_font("NotoSansSC", size=11)
            pdf.set_xy(10, 6)
            pdf.cell(190, 6, f"平板配置码 · {department} · 每个码只能用于一台平板，请妥善保管")
        x0 = 10 + (slot % columns) * cell_w
        y0 = 14 + (slot // columns) * cell_h
        pdf.set_draw_color(160, 160, 160)
        pdf.rect(x0, y0, cell_w - 4, cell_h - 4)
        qr = segno.make_qr(item.text, error=QR_ERROR, boost_error=False)
        matrix = [[bool(v) for v in row] for row in qr.matrix]
        _draw_code(pdf, matrix, x0 + (cell_w - 4 - code_mm) / 2, y0 + 4, code_mm)
        pdf.set_font("NotoSansSC", size=12)
        pdf.set_xy(x0, y0 + code_mm + 6)
        pdf.cell(cell_w - 4, 6, f"设备：{item.label}", align="C")
        pdf.set_font("NotoSansSC", size=10)
        pdf.set_xy(x0, y0 + code_mm + 12)
        expiry = china_isoformat(item.expires_s * 1000, timespec="minutes").replace("T", " ")
        pdf.cell(cell_w - 4, 5, f"有效期至 {expiry[:16]}（北京时间）", align="C")
    pdf.output(str(path))


def _draw_code(pdf: Any, matrix: list[list[bool]], x0: float, y0: float, size: float) -> None:
    quiet = 4
    module = size / (len(matrix) + 2 * quiet)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x0 + (quiet + start) * module, y0 + (quiet + r) * module,
                     (c - start) * module, module, style="F")


def export_public_key(key: ProvisioningKey, path: Path) -> None:
    if path.exists():
        raise ProvisioningError(f"{path} exists; it is never overwritten")
    path.write_text(pv.public_key_pem(key.public_key), encoding="ascii")
    path.chmod(0o644)  # a public key: the installers read it


def new_key_file(path: Path) -> ProvisioningKey:
    from inspector_central.signing import write_server_key_file

    if path.exists():
        raise ProvisioningError(f"{path} exists; a key file is never overwritten")
    key = Ed25519PrivateKey.generate()
    write_server_key_file(path, key)  # PKCS#8 PEM, 0600, never over a file
    return ProvisioningKey.of(key)


# -- the tablet's first contact ---------------------------------------------------------------


def profile_for_token(database: Database, sha256: str, proof: str, device: str | None) -> dict[str, Any]:
    """The profile a package names, for the holder of an unspent token of that package.

    ``proof`` is the token's stored hash, not the token: the token itself only
    travels in the enrolment, once the tablet has the profile's TLS trust anchors."""
    with database.transaction(write=False) as tx:
        row = tx.one(
            "SELECT p.label, p.department, c.expires_ms, c.used_by, f.body FROM "
            "provisioning_packages p JOIN enrolment_codes c ON c.code_hash = p.code_hash "
            "JOIN provisioning_profiles f ON f.sha256 = p.profile_sha256 "
            "WHERE p.code_hash = ? AND p.profile_sha256 = ?", (proof, sha256))
    if row is None:
        raise ApiError(403, "provisioning.token_unknown", Text(
            "中心端不认识这个配置码（可能是其他中心端签发的）。未做任何更改。",
            "The central endpoint does not know this provisioning code (it may come from "
            "another endpoint). Nothing was changed."))
    if row[3] is not None and row[3] != device:
        raise ApiError(403, "provisioning.token_used", Text(
            "该配置码已被另一台平板使用过，每个配置码只能用一次。请向信息化部门索取新的配置码。未做任何更改。",
            "This provisioning code was already used by another tablet; each code works once. "
            "Ask department IT for a new one. Nothing was changed."))
    if now_ms() > int(row[2]):
        raise ApiError(403, "provisioning.token_expired", Text(
            "该配置码已过期，请向信息化部门索取新的配置码。未做任何更改。",
            "This provisioning code has expired; ask department IT for a new one. Nothing was "
            "changed."))
    return {"protocol": PROTOCOL, "label": str(row[0]), "department": str(row[1]),
            "profile": keys.b64encode(blob(row[4]))}


def install_provisioning_routes(app: FastAPI, database: Database) -> None:
    @app.get(f"{API_PREFIX}/provisioning/profiles/{{sha256}}", responses=ERROR_RESPONSES,
             summary="The profile a provisioning package names, for an unspent token")
    def provisioning_profile(
            sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")],
            proof: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
            device: Annotated[str | None, Query(max_length=64)] = None,
            nonce: Annotated[str | None, Query(min_length=16, max_length=64,
                                               pattern=r"^[A-Za-z0-9_-]+$")] = None,
    ) -> dict[str, Any]:
        del nonce  # makes the signed reply unique to this request
        return profile_for_token(database, sha256, proof, device)


def expiry_text(expires_s: int) -> str:
    return china_isoformat(expires_s * 1000, timespec="minutes")
