"""Fuzz targets: every kind of input the programs read from outside, one function each.

A target takes arbitrary bytes and feeds them to the real entry point the product
uses for that kind of input.  A *refusal* is the documented outcome for bad input
(an :class:`~inspector_protocol.errors.InspectorError` with a code and a bilingual
message, or the format's own refusal type); anything else that escapes is a crash.
Each target's seeds are valid inputs, so mutation starts from the interesting side
of every check.  Used by ``bench/fuzz.py`` (long, coverage-guided) and by
``tests/fuzz`` (short runs in the test command).
"""

from __future__ import annotations

import contextlib
import functools
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: "Now" for payload checks: fixed, so runs are reproducible.
NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seeds: Callable[[], list[bytes]]
    #: libFuzzer's -max_len for this kind of input.
    max_len: int


def _scratch(suffix: str) -> Path:
    """One reusable file per target and process (the parsers under test read files)."""
    return Path(tempfile.gettempdir()) / f"inspector-fuzz-{id(_scratch)}{suffix}"


# --- department profile -------------------------------------------------------------

def _profile(data: bytes) -> None:
    from inspector_app.profile import parse_profile
    from inspector_protocol.errors import InspectorError

    with contextlib.suppress(InspectorError):
        parse_profile(data, "fuzz")


def _profile_seeds() -> list[bytes]:
    from inspector_app.profile import demo_profile_path

    demo = demo_profile_path().read_bytes()
    document = json.loads(demo)
    small = dict(document, enterprises=document["enterprises"][:1])
    return [demo, json.dumps(small, ensure_ascii=False).encode()]


# --- checklist template ---------------------------------------------------------------

def _template(data: bytes) -> None:
    from inspector_protocol.checklist_template import parse_template
    from inspector_protocol.errors import InspectorError

    with contextlib.suppress(InspectorError):
        parse_template(data, "fuzz")


def _template_seeds() -> list[bytes]:
    folder = REPO_ROOT / "inspector_app" / "checklists" / "templates"
    return [p.read_bytes() for p in sorted(folder.glob("*.json"))]


# --- bundle (a USB stick from another tablet) -------------------------------------------

def _bundle(data: bytes) -> None:
    from inspector_app.ledger.bundling import verify_bundle
    from inspector_protocol.errors import InspectorError

    path = _scratch(".bundle")
    path.write_bytes(data)
    from inspector_protocol.bundle import read_bundle

    with contextlib.suppress(InspectorError):
        verify_bundle(read_bundle(path))


@functools.cache
def _bundle_seeds() -> list[bytes]:
    from inspector_app.ledger.bundling import write_bundle
    from inspector_app.platform.clock import FakeClock
    from inspector_app.services.workspace import init_workspace

    with tempfile.TemporaryDirectory() as folder:
        workspace = init_workspace(Path(folder) / "ledger", clock=FakeClock())
        path = Path(folder) / "seed.bundle"
        write_bundle(workspace.ledger, path)
        workspace.close()
        return [path.read_bytes()]


# --- images (photos handed to `inspector scan`, evidence photos) -------------------------

def _image(data: bytes) -> None:
    from inspector_app.scanning.cascade import decode_still
    from inspector_app.scanning.imageio import read_image
    from inspector_protocol.errors import InspectorError

    path = _scratch(".img")
    path.write_bytes(data)
    try:
        image = read_image(path)
    except InspectorError:
        return
    decode_still(image, try_harder=False)


def _image_seeds() -> list[bytes]:
    from typing import Any

    import cv2
    import numpy as np
    import segno

    qr = segno.make("QY1:FUZZ-SEED", error="q", micro=False)
    image: Any = np.kron(np.pad(np.where(np.array(qr.matrix, dtype=bool), 0, 255).astype(np.uint8), 4,
                           constant_values=255), np.ones((4, 4), dtype=np.uint8))
    return [cv2.imencode(ext, image)[1].tobytes() for ext in (".png", ".jpg", ".bmp", ".webp")]


# --- QR payloads and typed ids -----------------------------------------------------------

@functools.cache
def _demo_profile() -> object:
    from inspector_app.profile import demo_profile_path, load_profile

    return load_profile(demo_profile_path())


def _payload(data: bytes) -> None:
    from inspector_app.profile import Profile
    from inspector_app.scanning.classify import classify
    from inspector_protocol.errors import InspectorError
    from inspector_protocol.officer_credential import CredentialRejected, parse_credential
    from inspector_protocol.uscc import InvalidUSCC, parse_uscc
    from inspector_protocol.visit_receipt import parse_visit_receipt

    text = data.decode("utf-8", "replace")
    profile = _demo_profile()
    assert isinstance(profile, Profile)
    classify(text, profile, NOW)  # never raises: every input gets a verdict
    for parse in (parse_credential, parse_visit_receipt, parse_uscc):
        with contextlib.suppress(InspectorError, CredentialRejected, InvalidUSCC):
            parse(text)


def _payload_seeds() -> list[bytes]:
    from inspector_app.scanning.issuing import issue_enterprise_code, load_issuer_key
    from inspector_protocol.uscc import parse_uscc

    key = load_issuer_key(REPO_ROOT / "demo" / "demo-issuer-key.pem")
    code = issue_enterprise_code(parse_uscc("91371421EUHUXQEE8D"), "德州恒信机械制造有限公司",
                                 key_id="lc-demo-1", private_key=key, issued_at=NOW,
                                 validity_days=365)
    return [code.encode(), b"91371421EUHUXQEE8D",
            b"RCPT1|0f5c4f1e-2b8a-4a51-9a62-3c8e1c0b7a11|91371421EUHUXQEE8D|1795000000|"
            b"1795002000|00112233445566778899aabbccddeeff", b"ZF1:" + b"0" * 40]


TARGETS: dict[str, Target] = {
    t.name: t for t in (
        Target("profile", _profile, _profile_seeds, 256 * 1024),
        Target("template", _template, _template_seeds, 128 * 1024),
        Target("bundle", _bundle, _bundle_seeds, 64 * 1024),
        Target("image", _image, _image_seeds, 64 * 1024),
        Target("payload", _payload, _payload_seeds, 4096),
    )
}
