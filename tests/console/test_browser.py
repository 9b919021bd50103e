"""The console in Debian's chromium: sign in, a warning appears after a tablet syncs, the
department head justifies it, the oversight office closes it, the enterprise's archive, a
CSV export, a complaint moved on; axe-core finds no serious or critical violation on any page; screenshots of
every page in both languages (into docs/screenshots/console/ when
INSPECTOR_CONSOLE_SCREENSHOTS=1, else into the test's folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from inspector_app.services.visit_end import load_checkout_view
from inspector_app.sync.state import SyncStore
from tests.browser.chromium import DESKTOP, serious_accessibility_violations
from tests.central.harness import CentralServer
from tests.console.helpers import (
    ENTERPRISE,
    Tablet,
    account,
    complain,
    new_tablet,
    rate_anonymously,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("INSPECTOR_CONSOLE_SCREENSHOTS") == "1":
        folder = REPO / "docs" / "screenshots" / "console"
    else:
        folder = tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def console_context(browser: Browser) -> BrowserContext:
    """A desktop context.  The console's Content-Security-Policy allows no inline script, and
    axe-core is injected as one: the test context bypasses the policy for that alone."""
    opened = browser.new_context(viewport={"width": DESKTOP["width"], "height": DESKTOP["height"]},
                                 locale="zh-CN", bypass_csp=True)
    opened.set_default_timeout(15_000)
    return opened


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = console_context(browser)
    yield opened
    opened.close()


def _sign_in(page: Page, server: CentralServer, name: str, passphrase: str,
             lang: str = "zh") -> None:
    page.goto(f"{server.url}/console/login?lang={lang}")
    page.fill("#name", name)
    page.fill("#passphrase", passphrase)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}/console/overview")


def _accessible(page: Page) -> None:
    violations = serious_accessibility_violations(page)
    assert violations == [], (page.url, [(v["id"], v["help"], str(v.get("nodes"))[:300])
                                         for v in violations])


def _malformed_event(server: CentralServer, device: Tablet) -> None:
    """A tablet sends bytes that are no event: an alarm with its evidence."""
    enrolment = SyncStore(device.ws.ledger).enrolment()
    assert enrolment is not None
    answer = requests.post(f"{server.url}/v1/events", timeout=30, json={
        "device": device.ws.ledger.device_id, "nonce": "m" * 20,
        "events": [{"event": "{\"not\": \"an event\"}", "sig": "A" * 86 + "=="}]},
        headers={"Authorization": f"Bearer {enrolment.token}"})
    assert answer.json()["results"][0]["outcome"] == "malformed"


def test_warning_workflow_archive_export_accessibility_and_screenshots(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path,
        browser: Browser, context: BrowserContext, shots: Path) -> None:
    server = sqlite_server
    device = new_tablet(server, template_data_dir, tmp_path / "tab")
    for _ in range(3):
        device.enforcement_visit()
    device.survey(credential="37142330001")
    device.sync()
    office_pass = account(server, "jiwei", "oversight")
    head_pass = account(server, "amr-head", "department", "lc-amr")

    office = context.new_page()
    _sign_in(office, server, "jiwei", office_pass)
    office.goto(f"{server.url}/console/warnings?state=open")
    expect(office.locator("table.warnings")).not_to_contain_text("15 日内同一企业执法检查达 4 次")

    # The tablet syncs its 4th enforcement visit in 15 days: the warning is there.
    fourth = device.enforcement_visit()
    device.rate(fourth, 85, "当面评价：态度良好")
    device.sync()
    office.reload()
    row = office.locator("tr", has_text="15 日内同一企业执法检查达 4 次")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("国办发〔2024〕54号")
    expect(row.locator(f"a[href='/console/visits/{fourth}']")).to_have_count(1)
    warning_id = row.get_attribute("id")
    assert warning_id is not None

    # The department head justifies it (htmx replaces the row in place).
    head_context = console_context(browser)
    head = head_context.new_page()
    _sign_in(head, server, "amr-head", head_pass)
    head.goto(f"{server.url}/console/warnings")
    own = head.locator(f"#{warning_id}")
    own.locator("textarea[name=justification]").fill("重污染天气应急响应，按市指挥部要求复查")
    own.locator("button", has_text="提交说明").click()
    expect(head.locator(f"#{warning_id} .badge")).to_have_text("已说明")
    expect(head.locator(f"#{warning_id}")).to_contain_text("重污染天气应急响应")
    expect(head.locator(f"#{warning_id} textarea[name=note]")).to_have_count(0)  # cannot close
    _accessible(head)
    head.screenshot(path=str(shots / "warnings-department-zh.png"), full_page=True)
    head_context.close()

    # The oversight office closes it.
    office.goto(f"{server.url}/console/warnings?state=justified")
    closing = office.locator(f"#{warning_id}")
    expect(closing).to_contain_text("重污染天气应急响应")
    closing.locator("textarea[name=note]").fill("理由成立，予以关闭")
    closing.locator("button", has_text="关闭预警").click()
    expect(office.locator(f"#{warning_id} .badge")).to_have_text("已关闭")

    # The enterprise's archive, from the warning's link.
    office.locator(f"#{warning_id} a[href='/console/enterprises/{ENTERPRISE}']").click()
    expect(office.locator("h1")).to_have_text("德州恒信机械制造有限公司")
    expect(office.locator("table.archive tbody tr")).to_have_count(5)
    expect(office.locator("table.archive")).to_contain_text("更换压力表")
    expect(office.locator("#calendar canvas").first).to_be_visible()  # the chart was drawn

    # A CSV export of the archive: the visits, China time, a spreadsheet-safe file.
    with office.expect_download() as download:
        office.click("text=CSV")
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("visit,checked_in")
    assert fourth in exported and "特种设备安全隐患排查" in exported

    # A tamper alarm, acknowledged by the office with a note (audited).
    _malformed_event(server, device)
    office.goto(f"{server.url}/console/alarms")
    office.locator("textarea[name=note]").first.fill("已联系设备管理员核查该平板")
    office.locator("button", has_text="确认").first.click()
    expect(office.locator("table")).to_contain_text("已联系设备管理员核查该平板")
    office.goto(f"{server.url}/console/audit")
    expect(office.locator("table")).to_contain_text("确认告警")

    # The enterprise rates the visit and complains; the office moves the complaint on.
    receipt = load_checkout_view(device.ws, fourth).receipt_text
    assert receipt is not None
    rate_anonymously(receipt, 60)
    number = complain(receipt)
    office.goto(f"{server.url}/console/complaints")
    office.click(f"text={number}")
    office.check("input[name=state][value=in_review]")
    office.fill("#note", "已调取执法记录，约谈相关人员")
    office.locator("button", has_text="保存").click()
    expect(office.locator("#complaint-state")).to_have_text("监督部门核查中")
    expect(office.locator("table")).to_contain_text("已调取执法记录，约谈相关人员")

    # Every page, both languages: accessible, and a screenshot.
    pages = {
        "overview": "/console/overview?period=year",
        "warnings": "/console/warnings",
        "enterprises": "/console/enterprises?q=德州",
        "archive": f"/console/enterprises/{ENTERPRISE}",
        "visit": f"/console/visits/{fourth}",
        "departments": "/console/departments?period=year",
        "officers": "/console/departments?period=year&department=lc-amr",
        "alarms": "/console/alarms",
        "audit": "/console/audit",
        "ratings": "/console/ratings?period=year",
        "complaints": "/console/complaints",
        "complaint": f"/console/complaints/{number}",
    }
    for lang in ("zh", "en"):
        for name, path in pages.items():
            separator = "&" if "?" in path else "?"
            office.goto(f"{server.url}{path}{separator}lang={lang}")
            expect(office.locator("h1")).not_to_be_empty()
            if name in ("overview", "departments", "officers", "archive"):
                expect(office.locator(".chart canvas").first).to_be_visible()
            _accessible(office)
            office.screenshot(path=str(shots / f"{name}-{lang}.png"), full_page=True)
    office.goto(f"{server.url}/console/alarms?lang=en")
    expect(office.locator("table")).to_contain_text("malformed")
    login_context = console_context(browser)
    login = login_context.new_page()
    for lang in ("zh", "en"):
        login.goto(f"{server.url}/console/login?lang={lang}")
        _accessible(login)
        login.screenshot(path=str(shots / f"login-{lang}.png"), full_page=True)
    login_context.close()
