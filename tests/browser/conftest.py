from tests.browser.chromium import browser, playwright_driver

__all__ = ["browser", "playwright_driver"]
