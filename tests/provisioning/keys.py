"""Keys for the provisioning and release tests (made fresh per run; nothing is checked in)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_protocol import keys
from inspector_protocol import provisioning as pv


@dataclass(frozen=True)
class Key:
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return keys.raw_public_key(self.private)

    @property
    def key_id(self) -> str:
        return keys.key_id(self.public)

    def signer(self) -> keys.Signer:
        return keys.Signer(None, self.key_id, self.private)

    def trusted(self) -> dict[str, bytes]:
        return {self.key_id: self.public}

    @classmethod
    def new(cls) -> Key:
        return cls(Ed25519PrivateKey.generate())


def package(signer: Key, server: Key, *, created: int = 1_780_000_000,
            days: int = 14, endpoint: str = "https://central.scjgj.lingcheng.gov.cn",
            department: str = "lc-amr", profile: bytes = b"{}") -> pv.SignedPackage:
    return pv.sign_package(pv.ProvisioningPackage(
        package=secrets.token_hex(12), created=created, expires=created + days * 86_400,
        endpoint=endpoint, server_key=keys.b64encode(server.public), department=department,
        profile_sha256=hashlib.sha256(profile).hexdigest(),
        token=pv.normalise_token("K7QF-3MZP-1XVA-8D2N"), signer=signer.key_id), signer.signer())
