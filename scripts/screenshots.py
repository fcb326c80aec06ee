"""Screenshots of the pages issue 16 audits, for people to look at: home, search, course,
listing, library, reader, upload, seller dashboard and the 404 page, each at 375 px (a phone)
and 1,280 px (a laptop) wide, whole pages (the reader: its first screen), in var/screenshots/.
The listing page also gets one screen scrolled half-way down (listing-<width>-scrolled.png):
the price and "In winkelwagen" must be in it.

    make screenshots                              # starts the site with the demo itself
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000   # a running `make run`

Without --url the script runs `manage.py serve` (what `make run` runs) on a free port with its
own data folder, var/screenshots-site/ (the demo is loaded there the first time, in a minute
or two, and kept), and stops it afterwards. The pages are found as a visitor finds them: the
demo's reference listing through the search, its course through the listing, the reader
through the library of the demo buyer who bought it. It prints each page that is wider than
the window (a horizontal scroll bar) with the elements that stick out.

Chromium is Debian's /usr/bin/chromium (CHROMIUM_PATH), driven by Playwright, as in the
browser tests.
"""

import argparse
import json
import os
import signal
import socket
import subprocess  # nosec B404 - the site itself, with an argument list
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - the project's root, just added

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "screenshots"
SITE_DATA = ROOT / "var" / "screenshots-site"
REFERENCE = json.loads(
    (ROOT / "studymarket" / "storefront" / "demo" / "reference-listing.json").read_text(encoding="utf-8")
)
BUYER = "demo-reviewer@studymarket.localhost"  # bought the reference listing
SELLER = "demo-seller@studymarket.localhost"  # sells it
PASSWORD = "demo-wachtwoord-2026"
WIDTHS = {375: 812, 1280: 900}  # window width: height
# The reader is one long column of every page of the document: its first screen says enough.
FIRST_SCREEN_ONLY = {"reader"}
SERVER_START_SECONDS = 900

# Elements wider than the window, or sticking out of its right edge, named by tag, id and class.
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (classes[0] ? "." + classes.join(".") : "");
      out.push(name + " right=" + Math.round(box.right));
      if (out.length >= 8) break;
    }
  }
  return out;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running site with the demo (default: start one)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT})")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)

    server = None
    base = options.url.rstrip("/") if options.url else None
    if base is None:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _serve(port)
    try:
        _wait_for(base, server)
        overflow = _shoot(base, options.out)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    _say(f"Screenshots in {options.out}")
    for line in overflow:
        _say(f"  wider than the window: {line}")
    return 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(port: int) -> subprocess.Popen[bytes]:
    SITE_DATA.mkdir(parents=True, exist_ok=True)
    log = (SITE_DATA / "serve.log").open("ab")
    _say(f"Starting the site with the demo on port {port} (log: {SITE_DATA / 'serve.log'})...")
    env = {**os.environ, "DATA_DIR": str(SITE_DATA), "PORT": str(port)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(  # nosec B603
        [sys.executable, "manage.py", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def _wait_for(base: str, server: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # nosec B310 # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if server is not None and server.poll() is not None:
                raise SystemExit(f"The site stopped; see {SITE_DATA / 'serve.log'}") from None
            if time.monotonic() > deadline:
                raise SystemExit(f"No answer from {base}/healthz") from None
            time.sleep(2)


def _shoot(base: str, out: Path) -> list[str]:
    overflow: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        visitor = _context(browser, base)
        page = visitor.new_page()
        search = "/zoeken/?q=account+management"
        page.goto(search)
        listing = page.get_by_role(
            "link", name=REFERENCE["listing"]["title"], exact=True
        ).first.get_attribute("href")
        page.goto(listing or "/")
        course = page.locator("main a[href^='/vak/']").first.get_attribute("href")
        paths = {
            "home": "/",
            "search": search,
            "course": course,
            "listing": listing,
            "404": "/deze-pagina-bestaat-niet/",
        }
        overflow += _pages(visitor, paths, out)

        buyer = _context(browser, base, email=BUYER)
        page = buyer.new_page()
        page.goto("/mijn-documenten/")
        reader = page.locator("a[href$='/lezen/']").first.get_attribute("href")
        overflow += _pages(buyer, {"library": "/mijn-documenten/", "reader": reader}, out)

        seller = _context(browser, base, email=SELLER)
        overflow += _pages(seller, {"upload": "/verkopen/uploaden/", "dashboard": "/verkopen/"}, out)
        browser.close()
    return overflow


def _context(browser: Browser, base: str, *, email: str | None = None) -> BrowserContext:
    context = browser.new_context(base_url=base, locale="nl-NL")
    if email is not None:
        page = context.new_page()
        page.goto("/account/inloggen/")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Inloggen").click()
        page.get_by_role("button", name="Uitloggen").wait_for()
        page.close()
    return context


def _pages(context: BrowserContext, paths: dict[str, str | None], out: Path) -> list[str]:
    overflow = []
    for width, height in WIDTHS.items():
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        for name, path in paths.items():
            if path is None:
                _say(f"  {name}: not found on the site")
                continue
            page.goto(path)
            page.wait_for_load_state("networkidle")
            whole = name not in FIRST_SCREEN_ONLY
            if whole:
                _load_lazy_images(page)
            page.screenshot(path=out / f"{name}-{width}.png", full_page=whole)
            overflow += [f"{name} at {width} px: {element}" for element in page.evaluate(_OVERFLOW_JS)]
            if name == "listing":
                page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
                page.wait_for_timeout(300)
                page.screenshot(path=out / f"{name}-{width}-scrolled.png")
            _say(f"  {name}-{width}.png")
        page.close()
    return overflow


def _load_lazy_images(page: Page) -> None:
    """Scrolls through the page so that lazy images are drawn in the whole-page screenshot."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for top in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {top})")
        page.wait_for_timeout(50)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_load_state("networkidle")


if __name__ == "__main__":
    sys.exit(main())
