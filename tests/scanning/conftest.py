"""Fixtures for the scanning tests: the demo profile, issuer keys, and a fixed clock.

Codes are issued with the demo issuer key (``demo/demo-issuer-key.pem``, whose public
half is in the demo profile) at a fixed time, so every test is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from segno import consts

from inspector_app.profile import IssuerKey, Profile, demo_profile_path, load_profile
from inspector_app.scanning.issuing import issue_enterprise_code, load_issuer_key
from inspector_protocol.uscc import USCC

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_KEY_FILE = REPO_ROOT / "demo" / "demo-issuer-key.pem"
DEMO_KEY_ID = "lc-demo-1"
#: "Now" in every scanning test: a fixed instant, in the middle of the codes' validity.
NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)
ISSUED = NOW - timedelta(days=30)

Issue = Callable[..., str]


@pytest.fixture(scope="session")
def demo_profile() -> Profile:
    return load_profile(demo_profile_path())


@pytest.fixture(scope="session")
def issuer_key() -> Ed25519PrivateKey:
    return load_issuer_key(DEMO_KEY_FILE)


@pytest.fixture(scope="session")
def enterprise(demo_profile: Profile) -> tuple[USCC, str]:
    record = demo_profile.enterprises[0]
    return record.uscc, record.name


@pytest.fixture(scope="session")
def issue(issuer_key: Ed25519PrivateKey, enterprise: tuple[USCC, str]) -> Issue:
    """Issue a code; keyword arguments override the demo defaults."""

    def make(**overrides: object) -> str:
        fields: dict[str, object] = {
            "uscc": enterprise[0],
            "name": enterprise[1],
            "key_id": DEMO_KEY_ID,
            "private_key": issuer_key,
            "issued_at": ISSUED,
            "validity_days": 365,
        }
        fields.update(overrides)
        uscc = fields.pop("uscc")
        name = fields.pop("name")
        assert isinstance(uscc, USCC) and isinstance(name, str)
        return issue_enterprise_code(uscc, name, **fields)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def other_key() -> Ed25519PrivateKey:
    """A key that is not in the profile (a forger's, or another district's)."""
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def issued_at() -> datetime:
    return ISSUED


@pytest.fixture(scope="session")
def profile_with_keys(demo_profile: Profile) -> Callable[..., Profile]:
    """The demo profile with its issuer keys replaced."""

    def make(*keys: IssuerKey) -> Profile:
        return demo_profile.model_copy(update={"issuer_keys": keys})

    return make


def _qr_modules(text: str) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The module matrix (True = dark) at ECC Q, and which modules carry data."""
    qr = segno.make(text, error="q", micro=False, boost_error=False)
    dark = np.array([list(row) for row in qr.matrix], dtype=bool)
    kinds = np.array([list(row) for row in qr.matrix_iter(scale=1, border=0, verbose=True)])
    return dark, np.isin(kinds, [consts.TYPE_DATA_DARK, consts.TYPE_DATA_LIGHT])


def damage_modules(
    dark: npt.NDArray[np.bool_], data: npt.NDArray[np.bool_], fraction: float, seed: int
) -> npt.NDArray[np.bool_]:
    """Flip ``fraction`` of all modules, taken from one stain-like blob of data modules.

    Damage is to *modules*, as dirt or a scratch damages a poster, never to random
    pixels.  It is one contiguous blob because that is how real damage looks and
    what Reed-Solomon at level Q is built for: the same 10% scattered one module
    at a time would touch most codewords and defeat any decoder.  Function patterns
    (finders, timing, alignment, format and version) are spared: error correction
    does not cover them.
    """
    rng = np.random.default_rng(seed)
    count = int(fraction * dark.size)
    ys, xs = np.nonzero(data)
    cy, cx = ys[rng.integers(len(ys))], xs[rng.integers(len(xs))]
    # Nearest data modules to a random seed point, with jitter for a ragged edge.
    distance = (ys - cy) ** 2 + (xs - cx) ** 2 + rng.random(len(ys)) * 4
    nearest = np.argsort(distance)[:count]
    damaged = dark.copy()
    damaged[ys[nearest], xs[nearest]] ^= True
    return damaged


def modules_to_image(dark: npt.NDArray[np.bool_], scale: int = 8, border: int = 4) -> Any:
    image = np.pad(np.where(dark, 0, 255).astype(np.uint8), border, constant_values=255)
    return np.kron(image, np.ones((scale, scale), dtype=np.uint8))


@pytest.fixture(scope="session")
def render_code() -> Callable[..., Any]:
    """Render a text as a QR code image at ECC Q, optionally with module damage."""

    def render(text: str, *, damage: float = 0.0, seed: int = 0, scale: int = 8) -> Any:
        dark, data = _qr_modules(text)
        if damage:
            dark = damage_modules(dark, data, damage, seed)
        return modules_to_image(dark, scale)

    return render
