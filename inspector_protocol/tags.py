"""Every domain-separation tag in the system, in one place.

A signature is always made over ``tag + message``, so a signature made for one
purpose can never be presented as one made for another: an event signature is
not a checkpoint, a server receipt is not an acknowledgement, a poster is not an
officer code.  Hashes that must not collide across purposes use the same idea.

The bytes are frozen: they are inside every signature already made (ledgers,
posters, receipts in the field).  Two spellings exist for historical reasons —
``inspector/<what>/v1\\0`` for statements made by the ledger and the server, and
``inspector-<what>/<format>\\n`` for the printed QR formats — and no tag is a
prefix of another (``tests/protocol/test_tags.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    """A domain tag: its bytes, who makes what with it, and over which bytes."""

    name: str
    value: bytes
    signer: str
    covers: str

    def __call__(self, message: bytes) -> bytes:
        """The bytes actually signed (or hashed): the tag, then the message."""
        return self.value + message


EVENT = Tag("event", b"inspector/event/v1\x00", "officer key (device key for ledger.created)",
            "the canonical envelope of one ledger event")
CHECKPOINT = Tag("checkpoint", b"inspector/checkpoint/v1\x00", "device key",
                 "the canonical statement {device, seq, head, wall_ms}")
ATTESTATION = Tag("attestation", b"inspector/officer-attestation/v1\x00", "device key",
                  "credential + NUL + officer public key (raw)")
BUNDLE_HEADER = Tag("bundle_header", b"inspector/bundle-header/v1\x00", "device key",
                    "the canonical header of an exported bundle")
RECEIPT = Tag("receipt", b"inspector/receipt/v1\x00", "server key",
              "the canonical delivery receipt of one event")
ACK = Tag("ack", b"inspector/ack/v1\x00", "server key",
          "the canonical acknowledgement of one upload request")
ENROLMENT = Tag("enrolment", b"inspector/enrolment/v1\x00", "server key",
                "the canonical enrolment statement given to a device")
REPLY = Tag("reply", b"inspector/reply/v1\x00", "server key",
             "the canonical statement binding one HTTP reply (status, body) to its request")
ENTERPRISE_QR = Tag("enterprise_qr", b"inspector-enterprise-qr/QY1\n", "issuer key",
                    "the binary body of a QY1 enterprise code")
OFFICER_CREDENTIAL = Tag("officer_credential", b"inspector-officer-credential/ZF1\n", "officer key",
                         "the binary body of a ZF1 officer credential code")

DRAW = Tag("draw", b"inspector/draw/v1\x00", "server key",
           "the canonical commitment or result of a double-random draw (its \"type\" says which)")

#: The enterprise's signed visit receipt (``/r/`` links, docs/enterprise.md): the device key
#: that recorded the visit, or the server key for a link the centre sends itself.
VISIT_RECEIPT = Tag("visit_receipt", b"inspector-visit-receipt/R2\n", "device key or server key",
                    "the 61-byte body of an R2 visit receipt")
#: An enterprise access code (一企一档) as registered: the issuer signs the code's hash.
ENTERPRISE_ACCESS = Tag("enterprise_access", b"inspector/enterprise-access/v1\x00", "issuer key",
                        "the canonical registration {uscc, code_hash, issued_ms, phone}")
ENTERPRISE_ACCESS_HASH = Tag("enterprise_access_hash", b"inspector/enterprise-access-code/v1\x00",
                             "SHA-256", "the normalised enterprise access code")
RATING_TOKEN = Tag("rating_token", b"inspector/rating-token/v1\x00", "SHA-256",
                   "an R2 receipt's signature (the rating token the receipt carries)")

#: Associated data of an officer's wrapped private key (AEAD, not a signature).
OFFICER_KEY_WRAP = Tag("officer_key_wrap", b"inspector-officer-key/1\x00", "passphrase-derived key",
                       "credential + NUL + officer public key (raw)")
#: Hash domains on the server: enrolment codes and bearer tokens are stored hashed.
ENROLMENT_CODE_HASH = Tag("enrolment_code_hash", b"inspector/enrolment-code/v1\x00", "SHA-256",
                          "the normalised one-time enrolment code")
DEVICE_TOKEN_HASH = Tag("device_token_hash", b"inspector/device-token/v1\x00", "SHA-256",
                        "a device's bearer token")
#: An officer's one-time activation code from department IT: its hash is the key of
#: an HMAC over the officer's public key, bound into the signed enrolment event.
ACTIVATION_CODE_HASH = Tag("activation_code_hash", b"inspector/activation-code/v1\x00", "SHA-256",
                           "the normalised one-time officer activation code")
OFFICER_ACTIVATION = Tag("officer_activation", b"inspector/officer-activation/v1\x00",
                         "HMAC-SHA256 keyed by the activation code's hash",
                         "credential + NUL + officer public key (raw)")
#: Department IT's provisioning key signs the package that sets up a tablet with no typing.
PROVISIONING = Tag("provisioning", b"inspector/provisioning/v1\x00", "provisioning key",
                   "the canonical provisioning package (endpoint, server key, department, "
                   "profile hash, one-time token, expiry)")
#: The release key, pinned in the build, signs the manifest announcing a new version.
RELEASE = Tag("release", b"inspector/release/v1\x00", "release key",
              "the canonical release manifest (version, downloads, minimum version, notes)")

ALL: tuple[Tag, ...] = (
    EVENT, CHECKPOINT, ATTESTATION, BUNDLE_HEADER, RECEIPT, ACK, ENROLMENT, REPLY, ENTERPRISE_QR,
    OFFICER_CREDENTIAL, OFFICER_KEY_WRAP, ENROLMENT_CODE_HASH, DEVICE_TOKEN_HASH, DRAW,
    ACTIVATION_CODE_HASH, OFFICER_ACTIVATION, PROVISIONING, RELEASE, VISIT_RECEIPT,
    ENTERPRISE_ACCESS, ENTERPRISE_ACCESS_HASH, RATING_TOKEN,
)
