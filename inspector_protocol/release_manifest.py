"""The signed release manifest: how a tablet learns that a new version exists.

The release manager writes a manifest (version, published time, per-platform
download URL with SHA-256 and size, the minimum supported version, notes in
Chinese and English) and signs it with the **release key** (``inspector-central
release sign``).  The centre only serves it (``GET /v1/release``); tablets believe
it only when a release key pinned in their build signed it.  The server key's
signature on the reply proves where the answer came from, not that the release is
real: a compromised endpoint cannot announce a release of its own.

What is signed is the canonical JSON of :class:`ReleaseManifest` under
:data:`~inspector_protocol.tags.RELEASE`.  The signed document is
``{"manifest": …, "key": <public key, base64>, "sig": <base64>}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, ValidationError

from inspector_protocol import keys, tags
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.errors import UserError
from inspector_protocol.shapes import Shape
from inspector_protocol.strict_json import decode_json
from inspector_protocol.text import Text

FORMAT = "inspector-release/1"
VERSION_PATTERN = r"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$"
PLATFORMS = ("linux-amd64", "windows-amd64", "windows-amd64-msi")
MAX_MANIFEST_BYTES = 64 * 1024


class Download(Shape):
    url: str = Field(min_length=9, max_length=2000, pattern=r"^https://\S+$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0, lt=2**53)


class ReleaseManifest(Shape):
    format: Literal["inspector-release/1"] = "inspector-release/1"
    version: str = Field(pattern=VERSION_PATTERN)
    #: Unix seconds (UTC).
    published: int = Field(ge=0, lt=2**53)
    minimum_version: str = Field(pattern=VERSION_PATTERN)
    downloads: dict[Literal["linux-amd64", "windows-amd64", "windows-amd64-msi"], Download] = \
        Field(min_length=1)
    notes: Text

    def signed_bytes(self) -> bytes:
        return tags.RELEASE(canonical_bytes(self.model_dump(mode="json")))

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return version_tuple(self.version)


class SignedRelease(Shape):
    manifest: ReleaseManifest
    key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$")
    sig: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")

    @property
    def public_key(self) -> bytes:
        return keys.b64decode(self.key)

    @property
    def key_id(self) -> str:
        return keys.key_id(self.public_key)

    def to_json(self) -> dict[str, object]:
        return self.model_dump(mode="json")


class ReleaseRefused(UserError):
    """A manifest is not believed; the code says why (``release.*``)."""


def version_tuple(version: str) -> tuple[int, int, int]:
    """``0.10.2`` → (0, 10, 2); anything else (a local build ``0.1.0+dev``) counts its numbers."""
    numbers = [int("".join(ch for ch in part if ch.isdigit()) or 0)
               for part in version.split("+")[0].split(".")[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2]


def sign_release(manifest: ReleaseManifest, signer: keys.Signer, public_key: bytes) -> SignedRelease:
    return SignedRelease(manifest=manifest, key=keys.b64encode(public_key),
                         sig=keys.b64encode(signer.sign(manifest.signed_bytes())))


def read_manifest(raw: bytes, source: str) -> ReleaseManifest:
    """An unsigned manifest written by the release manager (before ``release sign``)."""
    try:
        return ReleaseManifest.model_validate(_document(raw, source))
    except ValidationError as exc:
        raise _malformed(source, exc) from None


def read_signed(raw: bytes, source: str) -> SignedRelease:
    try:
        return SignedRelease.model_validate(_document(raw, source))
    except ValidationError as exc:
        raise _malformed(source, exc) from None


def parse_signed(document: object, source: str) -> SignedRelease:
    try:
        return SignedRelease.model_validate(document)
    except ValidationError as exc:
        raise _malformed(source, exc) from None


def self_consistent(signed: SignedRelease) -> bool:
    """The signature verifies under the key the document names (a check, not trust)."""
    return keys.verify_signature(keys.load_public_key(signed.public_key),
                                 keys.b64decode(signed.sig), signed.manifest.signed_bytes())


def verify_release(signed: SignedRelease, pinned: Iterable[bytes]) -> ReleaseManifest:
    """The manifest, if a pinned release key signed it."""
    if signed.public_key not in set(pinned):
        raise ReleaseRefused(Text(
            "版本清单不是由本程序信任的发布密钥签名的（密钥 {key}），已忽略。",
            "The release manifest is not signed by a release key this build trusts (key {key}); "
            "ignored.").format(key=signed.key_id), code="release.unknown_key")
    if not self_consistent(signed):
        raise ReleaseRefused(Text("版本清单的签名无效，已忽略。",
                                  "The release manifest's signature is not valid; ignored."),
                             code="release.bad_signature")
    return signed.manifest


def _document(raw: bytes, source: str) -> object:
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ReleaseRefused(Text("{source} 太大，不是版本清单。",
                                  "{source} is too large to be a release manifest.")
                             .format(source=source), code="release.malformed")
    return decode_json(raw, source)


def _malformed(source: str, exc: ValidationError) -> ReleaseRefused:
    where = "; ".join(".".join(str(p) for p in e["loc"]) or "<top>" for e in exc.errors()[:5])
    return ReleaseRefused(Text("{source} 不是有效的版本清单：{where}",
                               "{source} is not a valid release manifest: {where}")
                          .format(source=source, where=where), code="release.malformed")
