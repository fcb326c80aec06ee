"""The browser harness itself: Chromium starts, reaches the live server, and reports back."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page


def test_chromium_opens_the_health_check(browser_page: Page, screenshot: Callable[[str], Path]) -> None:
    # Chromium asks every page for /favicon.ico; the site's icon is not this test's subject.
    browser_page.route("**/favicon.ico", lambda route: route.fulfill(status=204))

    response = browser_page.goto("/healthz")

    assert response is not None
    assert response.status == 200
    assert browser_page.locator("body").inner_text() == "ok"
    assert screenshot("smoke-healthz").stat().st_size > 0
