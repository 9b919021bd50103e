"""Issuing (signing) enterprise codes: used by the central endpoint, posters and tests.

The private key stays with the issuer: the poster command takes the key file
explicitly and nothing here stores it.  The issue time is passed in, never read
from a hidden clock, so a code's content is fully determined by its inputs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_protocol import enterprise_code as payload
from inspector_protocol import tags
from inspector_protocol.errors import EnvironmentProblem, UserError
from inspector_protocol.text import Text
from inspector_protocol.uscc import USCC

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

MAX_VALIDITY_DAYS = 0xFFFF


def issue_enterprise_code(
    uscc: USCC,
    name: str,
    *,
    key_id: str,
    private_key: Ed25519PrivateKey,
    issued_at: datetime,
    validity_days: int,
) -> str:
    """The ``QY1:`` text for a poster; refuses anything the verifier would refuse."""
    _check_fields(name, key_id, issued_at, validity_days)
    body = payload.encode_body(
        uscc.value, name, key_id, int(issued_at.timestamp()), validity_days
    )
    text = payload.encode_text(body, private_key.sign(tags.ENTERPRISE_QR.value + body))
    if len(text) > payload.MAX_TEXT_CHARS:
        raise UserError(
            Text(
                "企业名称过长，二维码放不下（编码后 {n} 个字符，最多 {max}）；请使用简称",
                "The enterprise name is too long for the code ({n} characters encoded, at most"
                " {max}); use a shorter name",
            ).format(n=len(text), max=payload.MAX_TEXT_CHARS),
            code="qr.name_too_long",
        )
    return text


def _check_fields(name: str, key_id: str, issued_at: datetime, validity_days: int) -> None:
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    if not 1 <= validity_days <= MAX_VALIDITY_DAYS:
        raise UserError(
            Text("有效天数须在 1 到 {max} 之间", "Validity must be between 1 and {max} days")
            .format(max=MAX_VALIDITY_DAYS),
            code="qr.bad_validity",
        )
    if not payload.KEY_ID_PATTERN.fullmatch(key_id.encode("ascii", "replace")):
        raise UserError(
            Text("签发密钥编号格式错误：{key_id}", "Malformed issuer key id: {key_id}")
            .format(key_id=key_id),
            code="qr.bad_key_id",
        )
    if not name.strip() or any(not ch.isprintable() for ch in name):
        raise UserError(
            Text("企业名称不能为空或含控制字符", "The enterprise name is empty or has control"
                 " characters"),
            code="qr.bad_name",
        )


def load_issuer_key(path: Path) -> Ed25519PrivateKey:
    """The issuer's Ed25519 private key from a PKCS#8 PEM file (unencrypted)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise EnvironmentProblem(
            Text("无法读取签发密钥文件 {path}：{err}", "Cannot read the issuer key {path}: {err}")
            .format(path=path, err=exc.strerror or exc),
            Text("请检查路径和文件权限。", "Check the path and the file's permissions."),
            code="qr.key_unreadable",
        ) from None
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(
            Text("{path} 不是未加密的 Ed25519 私钥（PKCS#8 PEM）",
                 "{path} is not an unencrypted Ed25519 private key (PKCS#8 PEM)").format(path=path),
            code="qr.bad_key",
        )
    return key
