"""The whole journey across processes, as people do it in Chromium, against the cluster's nginx:
a seller signs up and uploads a PDF (a worker processes it), describes and publishes it; the
search finds it (PostgreSQL, indexed by a worker); a buyer pays at Mollie's stand-in, whose
webhook is handled by another web process than the one that started the payment; the buyer
downloads the PDF through a pre-signed URL of the object store; a second buyer asks for the
money back before downloading and loses access.

Each step returns only when what it waits for is visible; a failure raises with what was seen.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scale.cluster import Cluster

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

PASSWORD = "Scale-test wachtwoord 2026!"
WAIT_MS = 60_000  # a worker, a restart or the sweeps may stand between a click and its result


def _pdf(title: str) -> bytes:
    from tests.pdfs import pdf_bytes

    return pdf_bytes(pages=6, outline=[(0, title, 0), (1, "Hoofdstuk 1", 1), (1, "Hoofdstuk 2", 3)])


COURSE_SEED = """
from studymarket.catalog.services import course_create, institution_create, programme_create
from studymarket.catalog.models import Course
if not Course.objects.filter(name="Schaalbaarheid").exists():
    course_create(
        programme=programme_create(
            institution=institution_create(name="Hogeschool Schaal", country="NL"), name="Informatica"
        ),
        name="Schaalbaarheid",
    )
"""


@contextmanager
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _context(chromium: Browser, cluster: Cluster) -> BrowserContext:
    context = chromium.new_context(base_url=cluster.nginx.url, ignore_https_errors=True, locale="nl-NL")
    context.set_default_timeout(WAIT_MS)
    return context


def sign_up(page: Page, email: str) -> None:
    page.goto("/account/aanmelden/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    page.wait_for_load_state()


def seller_publishes(page: Page, title: str) -> str:
    """Sign up, become a seller, upload, describe, publish: the listing's path."""
    from playwright.sync_api import FilePayload, expect

    sign_up(page, f"verkoper-{secrets.token_hex(4)}@example.nl")
    page.get_by_role("link", name="Start met verkopen").first.click()
    # The page that explains selling, then the form that makes the account a seller's.
    page.get_by_role("button", name="Begin met verkopen").first.click()
    page.get_by_label("Verkopersnaam").fill(f"Verkoper {secrets.token_hex(3)}")
    page.get_by_role("button", name="Verkoper worden").click()
    page.get_by_role("button", name="Document uploaden").click()
    page.set_input_files(
        "input[type=file]",
        files=[FilePayload(name=f"{title}.pdf", mimeType="application/pdf", buffer=_pdf(title))],
    )
    page.wait_for_url(re.compile(r"/verkopen/documenten/\d+/$"))
    # Processed by a worker (text, previews, originality), the page polls until it is.
    expect(page.locator("#processing-status")).to_contain_text("Je document is verwerkt", timeout=120_000)
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Beschrijving").fill("Een samenvatting over schaalbaarheid, verwerkt door een worker.")
    page.get_by_label("Zoek je vak").press_sequentially("Schaal", delay=50)
    page.locator("#course-suggestions").get_by_label(re.compile("Schaalbaarheid")).check()
    page.get_by_label("Type document").select_option(label="Samenvatting")
    page.get_by_label("Prijs (incl. btw)").fill("4,99")
    page.get_by_role("button", name="Opslaan en online zetten").click()
    expect(page.locator("#processing-status")).to_contain_text("staat online", timeout=120_000)
    page.get_by_role("link", name="Bekijk het in de winkel").click()
    expect(page.locator("h1")).to_have_text(title)
    return urlsplit(page.url).path


def search_finds(page: Page, title: str) -> None:
    """The listing in the search results (indexed by a worker: asked again until it is)."""
    word = title.split()[-1]
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        page.goto(f"/zoeken/?q={word}")
        if page.get_by_role("link", name=title).count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the search for {word!r} did not find {title!r}")
        time.sleep(1)


def buyer_pays(page: Page, cluster: Cluster, listing_path: str) -> str:
    """Cart, checkout with a new account, iDEAL at the stand-in: the order number."""
    from playwright.sync_api import expect

    page.goto(listing_path)
    page.get_by_role("button", name="In winkelwagen").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto("/winkelwagen/afrekenen/")
    signup = page.locator("article", has=page.get_by_role("heading", name="Nieuw bij studymarket?"))
    signup.get_by_label("E-mailadres").fill(f"koper-{secrets.token_hex(4)}@example.nl")
    signup.get_by_label("Voornaam").fill("Sanne")
    signup.get_by_label("Achternaam").fill("de Vries")
    signup.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    signup.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
    signup.get_by_role("button", name="Account aanmaken").click()
    page.get_by_label("iDEAL").check()
    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    page.get_by_role("button", name="Betalen").click()
    page.wait_for_url(re.compile(re.escape(cluster.mollie.url) + r"/checkout/tr_\w+$"))
    delivered = len(cluster.mollie.webhooks)
    page.get_by_role("button", name="Paid").click()
    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    # The webhook went to the last web process; the payment was started through nginx.
    assert cluster.mollie.webhooks[delivered:] and cluster.mollie.webhooks[-1][1] == 200, (
        cluster.mollie.webhooks
    )
    heading = page.get_by_role("heading", name=re.compile(r"^Bestelling ")).inner_text()
    return heading.removeprefix("Bestelling ").strip()


def buyer_downloads(page: Page, cluster: Cluster, order_number: str) -> bytes:
    """ "Download PDF": the site records it and answers with a pre-signed URL of the bucket."""
    import requests
    from playwright.sync_api import expect

    page.goto("/mijn-documenten/")
    page.get_by_role("button", name="Online lezen").first.click()
    expect(page.locator("#reader figure.reader-page").first.locator("img")).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name="Download PDF"))
    expect(form).to_be_visible(timeout=120_000)  # the stamped copy is made by the urgent worker
    action = form.get_attribute("action")
    token = form.locator("input[name=csrfmiddlewaretoken]").input_value()
    assert action is not None
    answer = page.context.request.post(
        action, form={"csrfmiddlewaretoken": token}, max_redirects=0, headers={"Referer": page.url}
    )
    assert answer.status == 302, (answer.status, answer.text()[:300])
    location = answer.headers["location"]
    assert location.startswith(cluster.objectstore.url) and "X-Amz-Signature=" in location, location
    pdf = requests.get(location, verify=str(cluster.certificate), timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), (pdf.status_code, pdf.content[:100])
    assert order_number.encode() in pdf.content or b"/Filter" in pdf.content  # stamped text may be compressed
    # Without the signature the object store refuses the buyer's copy.
    bare = requests.get(location.split("?")[0], verify=str(cluster.certificate), timeout=30)
    assert bare.status_code == 403, bare.status_code
    return pdf.content


def buyer_gets_money_back(page: Page) -> None:

    page.goto("/mijn-documenten/")
    page.get_by_role("link", name="Geld terug aanvragen").first.click()
    page.locator("#guarantee").get_by_label("De kwaliteit valt tegen").check()
    page.get_by_role("button", name="Geld terug en toegang stoppen").click()
    page.wait_for_load_state()
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        page.goto("/mijn-documenten/")
        if page.get_by_role("button", name="Online lezen").count() == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError("after the refund the buyer can still read the document")
        time.sleep(1)


def journey(cluster: Cluster, chromium: Browser, title: str) -> dict[str, str]:
    """The whole journey once; the steps' figures for the report."""
    cluster.manage("shell", "-c", COURSE_SEED)
    timings: dict[str, str] = {}
    started = time.monotonic()

    def lap(name: str) -> None:
        nonlocal started
        timings[name] = f"{time.monotonic() - started:.1f} s"
        started = time.monotonic()

    seller = _context(chromium, cluster).new_page()
    listing = seller_publishes(seller, title)
    lap("sign up, upload, processed, published")
    search_finds(seller, title)
    lap("found by the search")
    buyer = _context(chromium, cluster).new_page()
    order = buyer_pays(buyer, cluster, listing)
    lap("paid, webhook on another web process")
    buyer_downloads(buyer, cluster, order)
    lap("downloaded through a pre-signed URL")
    second = _context(chromium, cluster).new_page()
    buyer_pays(second, cluster, listing)
    buyer_gets_money_back(second)
    lap("second buyer paid and got the money back")
    for page in (seller, buyer, second):
        page.context.close()
    return timings
