"""The signed provisioning package: everything a new tablet needs, typed by nobody.

Department IT runs ``inspector-central provision``; each tablet gets one package
(a file on a USB stick, or one QR code on a printed sheet) that says where the
central endpoint is, which server key to pin, which department the tablet serves,
which profile (by SHA-256) it runs, and a one-time enrolment token with an expiry.
The package is signed by the department's **provisioning key**, whose public part
the installation trusts (``docs/trust-model.md``), so a code printed by anyone
else is refused before anything is written.

One statement, two encodings.  What is signed is always the canonical JSON of
:class:`ProvisioningPackage` under :data:`~inspector_protocol.tags.PROVISIONING`.
The file carries that JSON, the signature and the profile itself; the QR code
carries the same fields packed in binary and base45 (``PV1:``), from which the
reader rebuilds the JSON and checks the very same signature.  The packed form::

    12  package id (random)
     4  created at, Unix seconds (UTC), unsigned
     4  expires at, Unix seconds (UTC), unsigned
     1  n, then n bytes: endpoint URL, UTF-8 (1..200)
    32  server public key (raw Ed25519)
     1  n, then n bytes: department id, ASCII (1..64)
    32  SHA-256 of the profile file
    10  enrolment token: 16 Crockford base32 characters, 80 bits
     8  provisioning key id (16 hex digits)
    64  Ed25519 signature

A profile is kilobytes (officers, enterprises, CA certificates): it cannot ride on
paper.  The file carries it; a tablet reading the QR code fetches it from the
endpoint by its hash (``GET /v1/provisioning/profiles/{sha256}``), and the hash in
the signed package is what makes any copy of it trustworthy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, ValidationError

from inspector_protocol import base45, keys, tags
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.errors import UserError
from inspector_protocol.shapes import Shape
from inspector_protocol.strict_json import decode_json
from inspector_protocol.text import Text

PREFIX = "PV1:"
FILE_FORMAT = "inspector-provisioning/1"
FILE_SUFFIX = ".provision.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Crockford's base32, as the enrolment codes are written.
TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_CHARS = 16
_TOKEN_BYTES = 10
_ID_BYTES = 12
_KEY_ID_BYTES = 8
SIGNATURE_BYTES = 64

class ProvisioningPackage(Shape):
    """What the provisioning key signs (its canonical JSON)."""

    v: Literal[1] = 1
    package: str = Field(pattern=r"^[0-9a-f]{24}$")
    created: int = Field(ge=0, lt=2**32)
    expires: int = Field(ge=0, lt=2**32)
    endpoint: str = Field(min_length=1, max_length=200)
    server_key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$")
    department: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    profile_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    token: str = Field(pattern=rf"^[{TOKEN_ALPHABET}]{{{TOKEN_CHARS}}}$")
    signer: str = Field(pattern=r"^[0-9a-f]{16}$")

    def signed_bytes(self) -> bytes:
        return tags.PROVISIONING(canonical_bytes(self.model_dump(mode="json")))

    @property
    def server_public_key(self) -> bytes:
        return keys.b64decode(self.server_key)


class SignedPackage(Shape):
    """A package with its signature (base64), as it is read from a file or a code."""

    package: ProvisioningPackage
    sig: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")

    @property
    def signature(self) -> bytes:
        return keys.b64decode(self.sig)


class PackageFile(Shape):
    """The file for a USB stick: the signed package and the profile it names."""

    format: Literal["inspector-provisioning/1"]
    label: str = Field(min_length=1, max_length=100)
    signed: SignedPackage
    #: The profile file's bytes, base64 (its SHA-256 is in the signed package).
    profile: str = Field(min_length=4, max_length=MAX_FILE_BYTES)


class ProvisioningRefused(UserError):
    """A package is refused; the code says why (``provisioning.*``)."""


def refused(code: str, zh: str, en: str, **params: object) -> ProvisioningRefused:
    return ProvisioningRefused(Text(zh, en).format(**params), code=f"provisioning.{code}")


# -- making one ------------------------------------------------------------------------


def sign_package(package: ProvisioningPackage, signer: keys.Signer) -> SignedPackage:
    return SignedPackage(package=package, sig=keys.b64encode(signer.sign(package.signed_bytes())))


def normalise_token(token: str) -> str:
    cleaned = token.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


# -- the compact text of a QR code -----------------------------------------------------


def encode_text(signed: SignedPackage) -> str:
    p = signed.package
    endpoint, department = p.endpoint.encode("utf-8"), p.department.encode("ascii")
    if len(endpoint) > 200:
        raise ValueError("the endpoint URL is longer than a provisioning code carries")
    data = b"".join((
        bytes.fromhex(p.package), p.created.to_bytes(4, "big"), p.expires.to_bytes(4, "big"),
        bytes((len(endpoint),)), endpoint, p.server_public_key,
        bytes((len(department),)), department, bytes.fromhex(p.profile_sha256),
        _pack_token(p.token), bytes.fromhex(p.signer), signed.signature,
    ))
    return PREFIX + base45.encode(data)


def decode_text(text: str) -> SignedPackage:
    """Parse a ``PV1:`` code (not yet verified); anything else is refused as not ours."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise refused("not_a_package",
                      "这不是配置码（应以 PV1: 开头）。请扫描信息化部门打印的配置码。",
                      "This is not a provisioning code (it should start with PV1:). Scan the "
                      "code printed by department IT.")
    try:
        data = base45.decode(text[len(PREFIX):])
        return _unpack(data)
    except (base45.Base45Error, IndexError, ValueError, ValidationError):
        raise _damaged() from None


def _unpack(data: bytes) -> SignedPackage:
    at = 0

    def take(n: int) -> bytes:
        nonlocal at
        if at + n > len(data):
            raise IndexError("truncated")
        chunk = data[at:at + n]
        at += n
        return chunk

    package_id, created, expires = take(_ID_BYTES), take(4), take(4)
    endpoint = take(take(1)[0]).decode("utf-8")
    server_key = take(32)
    department = take(take(1)[0]).decode("ascii")
    profile, token, signer, sig = take(32), take(_TOKEN_BYTES), take(_KEY_ID_BYTES), take(64)
    if at != len(data):
        raise ValueError("trailing bytes")
    package = ProvisioningPackage(
        package=package_id.hex(), created=int.from_bytes(created, "big"),
        expires=int.from_bytes(expires, "big"), endpoint=endpoint,
        server_key=keys.b64encode(server_key), department=department,
        profile_sha256=profile.hex(), token=_unpack_token(token), signer=signer.hex())
    return SignedPackage(package=package, sig=keys.b64encode(sig))


def _pack_token(token: str) -> bytes:
    number = 0
    for ch in token:
        number = number * 32 + TOKEN_ALPHABET.index(ch)
    return number.to_bytes(_TOKEN_BYTES, "big")


def _unpack_token(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(TOKEN_CHARS):
        number, digit = divmod(number, 32)
        chars.append(TOKEN_ALPHABET[digit])
    return "".join(reversed(chars))


def _damaged() -> ProvisioningRefused:
    return refused("damaged", "配置码已损坏或不完整，请重新扫描或使用配置文件。",
                   "The provisioning code is damaged or incomplete; scan it again or use the "
                   "package file.")


# -- the file -------------------------------------------------------------------------


def read_file(raw: bytes, source: str) -> PackageFile:
    if len(raw) > MAX_FILE_BYTES:
        raise refused("not_a_package", "{source} 太大，不是配置文件。",
                      "{source} is too large to be a provisioning package.", source=source)
    try:
        document = decode_json(raw, source)
    except UserError:
        raise refused("not_a_package", "{source} 不是配置文件。",
                      "{source} is not a provisioning package.", source=source) from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise refused("not_a_package", "{source} 不是配置文件。",
                      "{source} is not a provisioning package.", source=source)
    try:
        return PackageFile.model_validate(document)
    except ValidationError:
        raise _damaged() from None


def file_bytes(package_file: PackageFile) -> bytes:
    return (package_file.model_dump_json(indent=1) + "\n").encode("utf-8")


def profile_bytes(package_file: PackageFile) -> bytes:
    try:
        return keys.b64decode(package_file.profile)
    except ValueError:
        raise _damaged() from None


# -- checking one ------------------------------------------------------------------------


def verify_package(signed: SignedPackage, trusted: Mapping[str, bytes], now_s: int) -> ProvisioningPackage:
    """The package if a trusted provisioning key signed it and it has not expired."""
    package = signed.package
    if not trusted:
        raise refused("no_trusted_key",
                      "本机没有安装部门的配置公钥，无法核验配置码。请联系信息化部门。",
                      "This installation trusts no provisioning key, so no package can be "
                      "checked. Ask department IT.")
    public = trusted.get(package.signer)
    if public is None or not keys.verify_signature(
            keys.load_public_key(public), signed.signature, package.signed_bytes()):
        raise refused("bad_signature",
                      "配置码的签名无效：它不是本部门信息化部门签发的。未做任何更改。",
                      "The package's signature is not valid: it was not issued by this "
                      "department's IT. Nothing was changed.")
    if now_s > package.expires:
        raise refused("expired", "配置码已于 {when} 过期，请向信息化部门索取新的配置码。未做任何更改。",
                      "The provisioning code expired at {when}; ask department IT for a new one. "
                      "Nothing was changed.", when=_shown(package.expires))
    return package


def _shown(seconds: int) -> str:
    from inspector_protocol.china_time import china_isoformat

    return china_isoformat(seconds * 1000, timespec="minutes")


def parse_public_keys(text: str) -> dict[str, bytes]:
    """Public keys from a PEM file (one or more ``PUBLIC KEY`` blocks), by key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    found: dict[str, bytes] = {}
    for block in re.findall(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", text,
                            re.DOTALL):
        key = serialization.load_pem_public_key(block.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        found[keys.key_id(raw)] = raw
    return found


def public_key_pem(raw: bytes) -> str:
    from cryptography.hazmat.primitives import serialization

    return keys.load_public_key(raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def token_proof(token: str) -> str:
    """What the centre stores of a token (the enrolment code's hash): sent instead of the
    token itself when the tablet asks for the profile, before it can check TLS properly."""
    import hashlib

    return hashlib.sha256(tags.ENROLMENT_CODE_HASH.value + normalise_token(token).encode()).hexdigest()
