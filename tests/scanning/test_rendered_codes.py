"""Every code we accept, rendered to a PNG, decodes through the real pipeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import pytest

from inspector_app.profile import Profile
from inspector_app.scanning.cascade import decode_still
from inspector_app.scanning.classify import classify
from inspector_app.scanning.imageio import read_image

LONG_NAME = "德州市陵城区鑫源新能源汽车零部件制造有限责任公司"


@pytest.fixture(scope="module")
def positive_payloads(issue: Callable[..., str], demo_profile: Profile) -> dict[str, str]:
    first, second, third = demo_profile.enterprises[:3]
    return {
        "signed": issue(),
        "signed-long-name": issue(name=LONG_NAME),
        "signed-other-enterprise": issue(uscc=second.uscc, name=second.name),
        "legacy-url": f"https://qy.example.gov.cn/e?uscc={third.uscc}",
        "legacy-bare-uscc": first.uscc.value,
    }


def _png(tmp_path: Path, image: Any, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    assert cv2.imwrite(str(path), image)
    return path


def test_every_positive_payload_decodes_and_is_accepted(
    positive_payloads: dict[str, str], render_code: Callable[..., Any], tmp_path: Path,
    demo_profile: Profile, now: datetime,
) -> None:
    for name, text in positive_payloads.items():
        image = read_image(_png(tmp_path, render_code(text), name))
        result = decode_still(image, try_harder=False)
        assert [d.text for d in result.detections] == [text], name
        assert classify(text, demo_profile, now).status in {"verified", "unverified"}


#: The bare USCC is a version-2 symbol: 11 correctable codewords, which a 10% blob
#: of flipped modules can exceed whatever the decoder; it is damaged at 5% instead.
DAMAGE = {"legacy-bare-uscc": 0.05}


@pytest.mark.parametrize("seed", range(3))
def test_every_positive_payload_survives_ten_percent_module_damage(
    seed: int, positive_payloads: dict[str, str], render_code: Callable[..., Any],
    tmp_path: Path,
) -> None:
    for name, text in positive_payloads.items():
        damaged = render_code(text, damage=DAMAGE.get(name, 0.10), seed=seed)
        result = decode_still(read_image(_png(tmp_path, damaged, f"{name}-{seed}")))
        assert text in [d.text for d in result.detections], f"{name}, seed {seed}"
