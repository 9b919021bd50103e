"""Officer activation: proof, bound into the officer's enrolment event, of a code from IT.

Department IT puts an officer on the central roster and hands the officer a
one-time activation code (``inspector-central officer add``), on paper or by
phone.  The officer types it once when enrolling on a tablet.  The tablet never
stores the code: it stores, inside the self-signed ``officer.enrolled`` event,
``HMAC-SHA256(SHA-256(tag + code), tag + credential + NUL + public key)``.  The
server keeps only ``SHA-256(tag + code)`` and recomputes the proof.

So the proof names one key for one credential: copying it from a ledger (or a
bundle) into another enrolment, for another key, does not verify; and a device
key, which signs everything else a tablet makes, cannot make one.  See
``docs/trust-model.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from inspector_protocol import tags

#: Crockford's base32: typed by hand from a sheet of paper; 16 characters = 80 bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16
PROOF_BYTES = 32


def new_activation_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_CHARS, 4))


def normalise_activation_code(code: str) -> str:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def is_well_formed(code: str) -> bool:
    normal = normalise_activation_code(code)
    return len(normal) == CODE_CHARS and all(c in CODE_ALPHABET for c in normal)


def code_key(code: str) -> bytes:
    """What the server stores of a code: the HMAC key of the proof."""
    return hashlib.sha256(tags.ACTIVATION_CODE_HASH(normalise_activation_code(code).encode())).digest()


def activation_proof(key: bytes, credential: str, public_key: bytes) -> bytes:
    message = tags.OFFICER_ACTIVATION(credential.encode() + b"\x00" + public_key)
    return hmac.new(key, message, hashlib.sha256).digest()


def proof_matches(key: bytes, credential: str, public_key: bytes, proof: bytes) -> bool:
    return hmac.compare_digest(activation_proof(key, credential, public_key), proof)
