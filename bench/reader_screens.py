"""The first screen of the online reader in headless Chromium, for bench/reader.py: the clock runs
from the click on "Online lezen" on the library page to page 1's image decoded."""

import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.reader import Site

WIDTH = 1200  # what Chromium picks at 1280×900, device pixel ratio 1 (the template's sizes)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"]


class Screens:
    """Chromium on the library page; the clock from the click to page 1's image decoded."""

    def __init__(self, site: "Site") -> None:
        from playwright.sync_api import sync_playwright

        self.site = site
        # Playwright's sync API keeps an event loop running in this thread, where the bench
        # still makes documents through the ORM (as tests/browser/conftest.py allows it).
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()

    def first_screen(self, read_path: str) -> tuple[float, float]:
        """(seconds to page 1's image decoded, seconds to the reader's page without images)."""
        context = self.browser.new_context(
            base_url=self.site.base, locale="nl-NL", viewport={"width": 1280, "height": 900}
        )
        context.add_cookies(
            [{"name": self.site.cookie_name, "value": self.site.session_key, "url": self.site.base}]
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            page.goto("/mijn-documenten/")
            link = page.locator(f'a[role="button"][href="{read_path}"]')
            link.wait_for()
            start = time.perf_counter()
            link.click()
            page.locator("#pagina-1").wait_for(state="attached")
            html = time.perf_counter() - start
            page.locator("#pagina-1 img").evaluate("img => img.decode()")
            elapsed = time.perf_counter() - start
            chosen = page.evaluate("document.querySelector('#pagina-1 img').currentSrc")
            if not chosen.endswith(f"-{WIDTH}.webp") and "/static/" not in chosen:
                raise SystemExit(f"Chromium chose another width than {WIDTH}: {chosen}")
            return elapsed, html
        finally:
            context.close()
