"""Issue 5's "Done when", in Chromium, three people in three browsers: a new buyer buys the
reference listing; its seller sees the share pending with its release date; the buyer asks for
the money back before downloading and gets it at once (access gone, the seller's pending gone);
buys again; two weeks pass (the application's clock) and the release runs; the seller asks for a
payout; staff make the SEPA file in the back office, download it (valid pain.001.001.03, the
schema shipped with sepaxml) and mark the payout paid. `ledger_check` says "ledger balanced"
after every step.
"""

import json
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
import sepaxml  # type: ignore[import-untyped]  # no type information shipped
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation
from lxml import etree  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.core.pricing import price_breakdown
from studymarket.ledger.models import Journal, JournalSource, Payout, PayoutStatus
from studymarket.ledger.selectors import seller_balance
from studymarket.ledger.tasks import earnings_release_task
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine
from studymarket.storefront.demo.listings import REFERENCE_JSON
from studymarket.storefront.demo.people import DEMO_PASSWORD, REFERENCE_SELLER
from tests.browser.demo import demo_data_loaded
from tests.factories import UserFactory
from tests.logins import totp_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["listing"]
EMAIL = "lotte.jansen@example.nl"
PASSWORD = "een lang en geheim wachtwoord"
STAFF_EMAIL = "medewerker@studymarket.test"
STAFF_PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
PAIN_001 = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def ledger_balanced() -> None:
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert out.getvalue().strip() == "ledger balanced"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"money-{name}.png"), full_page=True)


def nl(amount_cents: int) -> str:
    with translation.override("nl"):
        return money_display(Money(amount_cents))


def nl_date(moment: datetime) -> str:
    with translation.override("nl"):
        return formats.date_format(timezone.localtime(moment), "j F Y")


@pytest.fixture
def site(settings, live_server: LiveServer) -> LiveServer:
    settings.SITE_URL = live_server.url
    demo_data_loaded()
    return live_server


def new_page(browser: Browser, site: LiveServer) -> Page:
    context = browser.new_context(base_url=site.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def log_in(page: Page, email: str, password: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def buy(page: Page, listing: Listing, *, sign_up: bool) -> OrderLine:
    page.goto(listing.get_absolute_url())
    page.get_by_role("button", name="In winkelwagen").click()
    expect(page.get_by_role("button", name="Toegevoegd")).to_be_disabled()
    page.get_by_role("link", name="Bekijk winkelwagen").click()
    expect(page.locator("#cart-total")).to_have_text("€ 9,49")
    page.get_by_role("button", name="Afrekenen").click()
    expect(page.locator("h1")).to_have_text("Afrekenen")
    if sign_up:
        signup = page.locator("article", has=page.get_by_role("heading", name="Nieuw bij studymarket?"))
        signup.get_by_label("E-mailadres").fill(EMAIL)
        signup.get_by_label("Voornaam").fill("Lotte")
        signup.get_by_label("Achternaam").fill("Jansen")
        signup.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
        signup.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
        signup.get_by_role("button", name="Account aanmaken").click()
        expect(page.get_by_text("Welkom bij studymarket! Je account is aangemaakt.")).to_be_visible()
    page.get_by_label("iDEAL").check()
    # The two boxes before "Betalen": consent to delivery at once, the right of withdrawal ending.
    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    page.get_by_role("button", name="Betalen").click()
    expect(page.locator("#demo-banner")).to_be_visible()
    page.get_by_role("button", name="Betaald").click()
    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    line = OrderLine.objects.select_related("order").filter(order__buyer__email=EMAIL).latest("pk")
    assert line.listing_id == listing.pk
    return line


def test_money_from_sale_to_the_sellers_bank(site, browser_page, browser):
    listing = Listing.objects.get(title=REFERENCE["title"])
    seller = SellerProfile.objects.get(user__email=REFERENCE_SELLER.email)
    share = price_breakdown(Money(REFERENCE["price"]["amount_cents"])).seller_share
    assert share == Money(627)  # € 9,49: VAT € 1,65, commission € 1,57 (20 % of € 7,84)
    before = seller_balance(seller_id=seller.pk)
    ledger_balanced()

    # 1. A new buyer buys the reference listing.
    buyer_page = browser_page
    line = buy(buyer_page, listing, sign_up=True)
    ledger_balanced()

    # 2. The seller's "Mijn verdiensten": the share pending, with its release date.
    seller_page = new_page(browser, site)
    log_in(seller_page, REFERENCE_SELLER.email, DEMO_PASSWORD)
    seller_page.goto("/verkopen/verdiensten/")
    expect(seller_page.locator("h1")).to_have_text("Mijn verdiensten")
    expect(seller_page.locator("#balance-pending strong")).to_have_text(
        nl(before.pending.cents + share.cents)
    )
    sale = Journal.objects.get(source=JournalSource.SALE, order_line_id=line.pk)
    assert sale.hold_until is not None
    row = seller_page.locator("#pending-lines tbody tr", has_text=nl_date(sale.hold_until))
    expect(row).to_contain_text(REFERENCE["title"])
    expect(row).to_contain_text("€ 6,27")
    shot(seller_page, "seller-pending")

    # 3. The buyer asks for the money back before downloading: approved at once, access gone.
    buyer_page.goto("/mijn-documenten/")
    buyer_page.get_by_role("link", name="Geld terug aanvragen").click()
    expect(buyer_page.locator("h1")).to_have_text("Tevredenheidsgarantie")
    buyer_page.locator("#guarantee").get_by_label("De kwaliteit valt tegen").check()
    shot(buyer_page, "guarantee")
    buyer_page.get_by_role("button", name="Geld terug en toegang stoppen").click()
    expect(buyer_page.locator("#guarantee-status h2")).to_have_text("Goedgekeurd")
    expect(buyer_page.get_by_text("Je hebt geen toegang meer tot dit document.", exact=True)).to_be_visible()
    entitlement = Entitlement.objects.get(order_line=line)
    assert entitlement.revoked_at is not None
    # The reader says why access ended, with a 403 (asked with the buyer's own session; a page
    # load of an error page would count as a console error in this browser).
    reader = buyer_page.context.request.get(f"/mijn-documenten/{entitlement.document_id}/lezen/")
    assert reader.status == 403
    assert "Je hebt geen toegang meer tot dit document" in reader.text()
    ledger_balanced()
    seller_page.reload()
    expect(seller_page.locator("#balance-pending strong")).to_have_text(nl(before.pending.cents))
    expect(seller_page.locator("#pending-lines tbody tr", has_text=nl_date(sale.hold_until))).to_have_count(0)

    # 4. The buyer buys it again.
    second = buy(buyer_page, listing, sign_up=False)
    assert second.pk != line.pk
    ledger_balanced()

    # 5. Two weeks and a day pass; the periodic release runs.
    call_command("clock_advance", days=15, stdout=StringIO())
    earnings_release_task.enqueue()
    assert Journal.objects.filter(source=JournalSource.RELEASE, order_line_id=second.pk).exists()
    ledger_balanced()

    # 6. The seller asks for a payout of the whole available balance.
    available = seller_balance(seller_id=seller.pk).available
    assert available >= Money(1000)
    seller_page.goto("/verkopen/verdiensten/")
    expect(seller_page.locator("#balance-available strong")).to_have_text(nl(available.cents))
    # Where the money goes (validated by schwifty), then the request.
    details = seller_page.locator("#details")
    details.get_by_label("Naam rekeninghouder").fill("Demo Verkoper")
    details.get_by_label("IBAN").fill("NL20 INGB 0001 2345 67")
    details.get_by_role("button", name="Opslaan").click()
    expect(seller_page.get_by_text("Je rekeninggegevens zijn opgeslagen.")).to_be_visible()
    seller.refresh_from_db()
    assert seller.payout_iban == "NL20INGB0001234567"
    seller_page.get_by_role("button", name="Uitbetaling aanvragen").click()
    expect(seller_page.locator("#payout")).to_contain_text("onderweg naar je bank")
    payout = Payout.objects.get(seller=seller, status=PayoutStatus.CREATED)
    assert payout.amount_cents == available.cents
    shot(seller_page, "seller-payout-requested")
    ledger_balanced()

    # 7. Staff make the SEPA file, download it, and mark the payout paid.
    device = totp_device(UserFactory(email=STAFF_EMAIL, is_staff=True))
    staff_page = new_page(browser, site)
    log_in(staff_page, STAFF_EMAIL, STAFF_PASSWORD)
    staff_page.goto("/beheer/")
    # After the password, staff type the code from their authenticator app (accounts/twofactor.py).
    staff_page.get_by_label("Code uit je app").fill(totp_code(device))
    staff_page.get_by_role("button", name="Bevestigen").click()
    expect(staff_page.locator('[data-count="payouts_to_send"]')).to_have_text("1")
    staff_page.get_by_role("link", name="Uitbetalingen klaar voor een SEPA-bestand").click()
    expect(staff_page.locator("#payouts-to-send")).to_contain_text(nl(payout.amount_cents))
    staff_page.get_by_role("button", name="SEPA-bestand maken").click()
    expect(staff_page.get_by_role("status")).to_contain_text("SEPA-bestand")
    shot(staff_page, "staff-payouts")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SENT
    assert payout.batch is not None
    ledger_balanced()

    with staff_page.expect_download() as download_info:
        staff_page.get_by_role("link", name=f"{payout.batch.message_id}.xml downloaden").click()
    download = download_info.value
    assert download.suggested_filename == f"{payout.batch.message_id}.xml"
    document = etree.fromstring(Path(download.path()).read_bytes())
    etree.XMLSchema(etree.parse(str(PAIN_001))).assertValid(document)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert document.findtext(".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) == seller.payout_iban
    assert document.findtext(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=ns) == str(
        Money(payout.amount_cents).to_decimal()
    )

    staff_page.locator(f"#payout-{payout.pk}").get_by_role("button", name="Betaald").click()
    expect(staff_page.get_by_role("status")).to_contain_text("is gemarkeerd als betaald")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    ledger_balanced()

    # The back office's own check agrees, and the seller sees the money paid out.
    staff_page.goto("/beheer/grootboek/")
    staff_page.get_by_role("button", name="Nu controleren").click()
    expect(staff_page.get_by_role("status")).to_have_text("Het grootboek klopt.")
    shot(staff_page, "staff-ledger")
    seller_page.goto("/verkopen/verdiensten/")
    expect(seller_page.locator("#balance-paid-out strong")).to_have_text(
        nl(before.paid_out.cents + payout.amount_cents)
    )
    shot(seller_page, "seller-paid-out")
    for page in (seller_page, staff_page):
        page.context.close()
