"""Ed25519 keys: signing, key ids, and officers' private keys wrapped by a passphrase.

An officer's private key never touches the disk in clear (BRIEF §5).  It is
encrypted with ChaCha20-Poly1305 under a key derived from the passphrase with
scrypt; the credential number and public key are bound in as associated data,
so a wrapped key copied onto another officer's record does not open.
The KDF parameters are stored with each wrapped key so they can be raised later
without locking anyone out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

#: scrypt cost: ~0.1 s and 64 MiB on a tablet; slow enough to make guessing
#: expensive, fast enough for a gloved officer signing in at the gate.
SCRYPT_N = 2**16
SCRYPT_R = 8
SCRYPT_P = 1
_WRAP_FORMAT = "inspector-wrapped-key/1"


def key_id(public_key: bytes) -> str:
    """A short, stable name for a public key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def raw_public_key(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def raw_private_key(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def load_private_key(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_signature(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """Something that signs events: an unlocked officer or the device itself."""

    officer: str | None
    key_id: str
    private_key: Ed25519PrivateKey

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


class WrongPassphrase(Exception):
    """The passphrase did not open the wrapped key (AEAD authentication failed)."""


def _associated_data(credential: str, public_key: bytes) -> bytes:
    return b"inspector-officer-key/1\x00" + credential.encode() + b"\x00" + public_key


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def wrap_private_key(
    private_key: Ed25519PrivateKey, passphrase: str, credential: str, *, n: int = SCRYPT_N
) -> str:
    salt, nonce = os.urandom(16), os.urandom(12)
    kek = _derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    public = raw_public_key(private_key)
    ciphertext = ChaCha20Poly1305(kek).encrypt(
        nonce, raw_private_key(private_key), _associated_data(credential, public)
    )
    record: dict[str, Any] = {
        "format": _WRAP_FORMAT,
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P,
                "salt": _b64(salt)},
        "aead": {"name": "chacha20-poly1305", "nonce": _b64(nonce)},
        "ciphertext": _b64(ciphertext),
    }
    return json.dumps(record, sort_keys=True)


def unwrap_private_key(
    wrapped: str, passphrase: str, credential: str, public_key: bytes
) -> Ed25519PrivateKey:
    record = json.loads(wrapped)
    if record.get("format") != _WRAP_FORMAT:
        raise ValueError(f"unknown wrapped-key format {record.get('format')!r}")
    kdf = record["kdf"]
    kek = _derive(passphrase, _unb64(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
    try:
        raw = ChaCha20Poly1305(kek).decrypt(
            _unb64(record["aead"]["nonce"]), _unb64(record["ciphertext"]),
            _associated_data(credential, public_key),
        )
    except InvalidTag:
        raise WrongPassphrase() from None
    key = load_private_key(raw)
    if raw_public_key(key) != public_key:
        raise ValueError("wrapped key does not match its public key")
    return key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


b64encode = _b64
b64decode = _unb64
