"""The enterprise's phone, for real: Debian's chromium in mobile emulation opens the receipt URL
a tablet showed at check-out, verifies, rates, complains, tracks, and opens the archive.

Every page is checked with axe-core (no serious or critical violation) and for touch
targets of at least 48 px, and photographed in Chinese and English at 360×640 and
390×844 (into tmp_path; set INSPECTOR_SCREENSHOT_DIR=docs/screenshots/enterprise to
refresh the documentation's pictures).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page

from inspector_app.sync.client import run_sync
from tests.browser.chromium import AXE, PHONE, PHONE_SMALL, new_context
from tests.central.harness import REPO, Backend, CentralServer, enrolled, tablet
from tests.enterprise.visits import USCC, checked_out_visit

SIZES = {"360x640": PHONE_SMALL, "390x844": PHONE}
#: Interactive elements smaller than this (CSS px) are hard to hit with a thumb.
MIN_TARGET = 48


def _accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations.  The script is evaluated over the DevTools
    protocol: the pages' Content-Security-Policy (rightly) refuses injected script tags."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {v['help']}" for v in found if v.get("impact") in ("serious", "critical")]


def _small_targets(page: Page) -> list[str]:
    return list(page.evaluate(f"""() => [...document.querySelectorAll(
        'a, button, input:not([type=hidden]):not([type=radio]), select, textarea, label:has(input)')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.height < {MIN_TARGET})
        .map(([e, r]) => e.outerHTML.slice(0, 80) + ' ' + Math.round(r.height))"""))


def _check_and_shoot(browser: Browser, url: str, name: str, shots: Path,
                     cookies: list[dict[str, str]] | None = None,
                     post_code: str | None = None) -> None:
    for lang in ("zh", "en"):
        for size_name, size in SIZES.items():
            context = new_context(browser, viewport=size, mobile=True)
            if cookies:
                context.add_cookies(cookies)  # type: ignore[arg-type]
            page = context.new_page()
            page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
            if post_code is not None:  # the archive is a POST: type the code as a person would
                page.fill("#code", post_code)
                page.click("button[type=submit]")
            assert _accessibility_problems(page) == [], name
            assert _small_targets(page) == [], name
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(shots / f"{name}-{lang}-{size_name}.png"), full_page=True)
            assert width <= size["width"], f"{name} scrolls sideways at {size_name} {shots}"
            page.screenshot(path=str(shots / f"{name}-{lang}-{size_name}.png"), full_page=True)
            context.close()


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def named_server(sqlite_backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    """A centre that names departments from the profile; the forms' limits out of the way
    (one person walks through every page several times here)."""
    running = CentralServer(sqlite_backend, tmp_path, env={
        "INSPECTOR_CENTRAL_RATE_BURST": "100000",
        "INSPECTOR_CENTRAL_ENTERPRISE_RATE_BURST": "1000",
        "INSPECTOR_CENTRAL_VISIT_RATE_BURST": "1000",
        "INSPECTOR_CENTRAL_NAMES_PROFILE": str(REPO / "inspector_app/resources/demo-profile.json"),
    }).start()
    yield running
    running.stop()


def test_the_enterprise_manager_on_a_phone(
        browser: Browser, named_server: CentralServer, template_data_dir: Path,
        tmp_path: Path) -> None:
    sqlite_server = named_server
    shots = tmp_path / "shots"
    shots.mkdir()
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, sqlite_server)
    visit = checked_out_visit(ws)

    # Scanned before the tablet is back online: the receipt alone, verified.
    context = new_context(browser, mobile=True)
    page = context.new_page()
    page.goto(visit.url)
    assert "记录将在执法人员平板联网后显示" in page.inner_text("main")
    _check_and_shoot(browser, visit.url, "receipt-not-synced", shots)

    run_sync(ws, transport)
    page.reload()
    main = page.inner_text("main")
    assert "已核验" in main and "更换过期的压力表" in main and "47 分钟" in main
    _check_and_shoot(browser, visit.url, "visit", shots)

    # Rate: a quick choice, then a typed score with a comment changes it.
    page.check("input[type=radio][value='80']")
    page.click("text=提交评价")
    assert "评价已保存" in page.inner_text("main") and "当前评价：80" in page.inner_text("main")
    page.fill("#score-other", "65")
    page.fill("#comment", "检查人员未出示证件")
    page.click("text=修改评价")
    assert "当前评价：65 — 检查人员未出示证件" in page.inner_text("main")

    # Complain, with a photo.
    page.click("text=投诉这次检查")
    _check_and_shoot(browser, page.url, "complaint", shots, cookies=context.cookies())  # type: ignore[arg-type]
    page.check("input[value='no_credentials']")
    page.fill("#text", "进门时未出示执法证件，询问后才出示。")
    photo: FilePayload = {"name": "gate.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    page.set_input_files("#photo", files=[photo])
    page.click("text=提交投诉")
    number = page.inner_text("#tracking-number")
    assert re.fullmatch(r"TS(-[2-9A-Z]{4}){3}", number)
    assert _accessibility_problems(page) == [] and _small_targets(page) == []
    page.screenshot(path=str(shots / "complaint-filed-zh-390x844.png"), full_page=True)
    # Switching language on the one page that shows the number keeps the number.
    page.get_by_role("link", name="English").click()
    assert number in page.inner_text("main") and "Received, awaiting review" in page.inner_text("main")
    page.get_by_role("link", name="中文").click()
    assert "已收到，待处理" in page.inner_text("main")
    _check_and_shoot(browser, page.url, "track", shots)

    # The archive, with a code from the centre (as after a rotation).
    done = subprocess.run([sys.executable, "-m", "inspector_central",
                           *sqlite_server.backend.args(), "enterprise", "rotate-code",
                           "--uscc", USCC], cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=True)
    code = re.search(r"Access code: ([0-9A-Z-]{19})", done.stdout)
    assert code
    page.goto(sqlite_server.url + "/enterprise")
    page.fill("#code", code.group(1))
    page.click("button[type=submit]")
    archive = page.inner_text("main")
    assert "德州恒信机械制造有限公司" in archive and number in archive and "65" in archive
    assert "陵城区市场监督管理局" in archive
    _check_and_shoot(browser, sqlite_server.url + "/enterprise", "archive", shots,
                     post_code=code.group(1))
    context.close()

    chosen = os.environ.get("INSPECTOR_SCREENSHOT_DIR")
    if chosen:
        target = REPO / chosen
        target.mkdir(parents=True, exist_ok=True)
        for shot in sorted(shots.glob("*.png")):
            shutil.copy(shot, target / shot.name)
