"""Real Chromium for page tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download is not used; the system browser is launched
through ``executable_path``.  Pages are rendered with the CJK fonts the system
has (``fonts-noto-cjk``), so screenshots show the Chinese text as people see it.
The one session-wide browser is shared; each test opens its own context
(cookies, storage and viewport are per context).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

#: Viewports the pages are checked at.
DESKTOP = {"width": 1366, "height": 900}
PHONE_SMALL = {"width": 360, "height": 640}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Debian's chromium is not installed (scripts/bootstrap.sh installs it)")


#: The one Playwright of the test process and how many fixture instances use it.
_shared: dict[str, Any] = {}


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """One Playwright per process.  Each test folder's conftest imports this fixture, which
    makes one session fixture per folder; a second sync Playwright cannot start while the
    first runs (it would find itself inside the first one's event loop), so they share it."""
    if "driver" not in _shared:
        manager = sync_playwright()
        _shared.update(manager=manager, driver=manager.__enter__(), users=0)
    _shared["users"] += 1
    try:
        yield _shared["driver"]
    finally:
        _shared["users"] -= 1
        if not _shared["users"]:
            _shared.pop("driver")
            _shared.pop("manager").__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(
        executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"])
    try:
        yield launched
    finally:
        launched.close()


def new_context(browser: Browser, *, viewport: dict[str, int] | None = None, mobile: bool = False,
                locale: str = "zh-CN") -> BrowserContext:
    """A fresh context (its own cookies); phones get touch and a mobile user agent."""
    size = viewport or (PHONE if mobile else DESKTOP)
    context = browser.new_context(viewport={"width": size["width"], "height": size["height"]},
                                  is_mobile=mobile, has_touch=mobile, locale=locale,
                                  device_scale_factor=2 if mobile else 1)
    context.set_default_timeout(15_000)
    return context


AXE = Path(__file__).with_name("axe.min.js")


def serious_accessibility_violations(page: object) -> list[dict[str, object]]:
    """Run axe-core (vendored from npm) in the page; return serious and critical violations."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [v for v in result if v.get("impact") in ("serious", "critical")]
