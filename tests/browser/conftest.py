"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

Never a browser downloaded by ``playwright install``: the machine has no network for it,
and the Debian package is what `make test` installs.
"""

import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium when run as root.")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API keeps an event loop running in the test thread, so Django
        # would refuse ORM calls from tests ("SynchronousOnlyOperation") without this.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # launch() gives every browser a fresh, temporary user-data dir of its own.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keeps each phase's outcome on the test, so browser_page can screenshot a failure.
    report = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"


@pytest.fixture
def browser_page(request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a fresh context on the live server (relative URLs work); fails the test
    at teardown if the page logged a console error or threw an uncaught exception."""
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console error at {message.location.get('url', '?')}: {message.text}")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught exception: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield page

    call_report = request.node.stash.get(_reports_key, {}).get("call")
    if call_report is not None and call_report.failed:
        page.screenshot(path=_artifact(f"{request.node.name}-failed"), full_page=True)
    context.close()
    if errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def screenshot(browser_page: Page) -> Callable[[str], Path]:
    """``screenshot("listing")`` saves the whole page to tests/artifacts/listing.png (git-ignored)."""

    def take(name: str) -> Path:
        path = _artifact(name)
        browser_page.screenshot(path=path, full_page=True)
        return path

    return take
