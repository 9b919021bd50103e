"""The vendored browser libraries load from the package alone, with no network."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Route

from tests.browser.chromium import new_context

VENDOR = Path(__file__).resolve().parents[2] / "inspector_central" / "static" / "vendor"


def test_htmx_and_echarts_run_offline_and_draw_chinese_labels(browser: Browser) -> None:
    context = new_context(browser)
    blocked: list[str] = []

    def refuse_network(route: Route) -> None:  # a closed department network
        blocked.append(route.request.url)
        route.abort()

    context.route("http*://**", refuse_network)
    page = context.new_page()
    scripts = "".join(f"<script>{(VENDOR / name).read_text(encoding='utf-8')}</script>"
                      for name in ("htmx.min.js", "echarts.min.js"))
    page.set_content(f"<html lang='zh-CN'><head>{scripts}</head><body>"
                     "<div id='chart' style='width:400px;height:300px'></div></body></html>")
    version = page.evaluate("() => htmx.version")
    page.evaluate("""() => echarts.init(document.getElementById('chart')).setOption({
        animation: false, xAxis: {data: ['市场监管', '生态环境']}, yAxis: {},
        series: [{type: 'bar', data: [12, 7]}]})""")
    drawn = page.evaluate("() => document.querySelector('#chart canvas') !== null")
    context.close()
    assert version.startswith("2.")
    assert drawn
    assert blocked == []
