"""Issue 17's "Done when", in Chromium as people would do it: a demo seller makes a bundle of two
of their listings at a discount and a discount code of their own; a new buyer finds the bundle
in search, puts it in the cart, applies the code, signs up and pays; both documents are in "Mijn
documenten"; the buyer asks for the money back before downloading and gets the whole price paid
for the bundle back; the ledger is balanced."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from studymarket.catalog.models import Bundle, Listing, ListingStatus
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.library.models import Entitlement
from studymarket.orders.models import Order, OrderStatus
from studymarket.payments.models import Refund
from studymarket.storefront.demo.people import DEMO_PASSWORD
from tests.browser.demo import demo_data_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
EMAIL = "noor.bakker@example.nl"
PASSWORD = "een lang en geheim wachtwoord"
CODE = "TENTAMEN10"
TITLE = "Twee documenten, één prijs"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bundle-{name}.png"), full_page=True)


def _two_listings_of_one_course() -> tuple[Listing, Listing]:
    """Two published listings of one demo seller and one course, in no bundle yet."""
    pair = (
        Listing.objects.filter(status=ListingStatus.PUBLISHED, bundle_items__isnull=True)
        .values("seller_id", "course_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("seller_id", "course_id")
        .first()
    )
    assert pair is not None, "the demo has a seller with two listings of one course"
    first, second = Listing.objects.filter(
        status=ListingStatus.PUBLISHED,
        bundle_items__isnull=True,
        seller_id=pair["seller_id"],
        course_id=pair["course_id"],
    ).order_by("pk")[:2]
    return first, second


def _new_page(browser: Browser, site: LiveServer) -> Page:
    context = browser.new_context(base_url=site.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _seller_makes_bundle_and_code(page: Page, first: Listing, second: Listing, price: str) -> None:
    page.goto("/account/inloggen/")
    page.get_by_label("E-mailadres").fill(first.seller.user.email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.goto("/verkopen/")
    page.get_by_role("button", name="Bundels").click()
    expect(page.locator("h1")).to_have_text("Mijn bundels")
    page.get_by_role("button", name="Nieuwe bundel").click()
    page.get_by_label("Titel van de bundel").fill(TITLE)
    page.get_by_label("Beschrijving").fill("De samenvatting en de oefenvragen samen, voor het tentamen.")
    page.get_by_label(first.title, exact=False).first.check()
    page.get_by_label(second.title, exact=False).first.check()
    page.get_by_label("Bundelprijs (incl. btw)").fill(price)
    _shot(page, "seller-new")
    page.get_by_role("button", name="Opslaan en online zetten").click()
    expect(page.locator("main")).to_contain_text(TITLE)

    page.goto("/verkopen/")
    page.get_by_role("button", name="Kortingscodes").click()
    page.get_by_role("button", name="Nieuwe kortingscode").click()
    page.locator("#id_code").fill(CODE)
    page.get_by_label("Percentage", exact=True).first.check()
    page.locator("input[name=percent]").fill("10")
    page.get_by_role("button", name="Code maken").click()
    expect(page.locator("main")).to_contain_text(CODE)
    _shot(page, "seller-code")


def _buyer_buys_the_bundle_with_the_code(page: Page, bundle: Bundle) -> Order:
    page.goto("/zoeken/?q=" + "+".join(bundle.title.split()[:2]))
    page.get_by_role("link", name=bundle.title).first.click()
    expect(page.locator("h1")).to_have_text(bundle.title)
    _shot(page, "page")
    page.locator("#bundle-add").get_by_role("button", name="In winkelwagen").click()
    expect(page.locator("h1")).to_have_text("Winkelwagen")
    expect(page.locator("main")).to_contain_text(bundle.title)
    page.get_by_role("textbox", name="Kortingscode").fill(CODE.lower())
    page.get_by_role("button", name="Toepassen").click()
    expect(page.locator("#code-applied")).to_contain_text(CODE)
    _shot(page, "cart-with-code")
    page.get_by_role("button", name="Afrekenen").click()
    signup = page.locator("article", has=page.get_by_role("heading", name="Nieuw bij studymarket?"))
    signup.get_by_label("E-mailadres").fill(EMAIL)
    signup.get_by_label("Voornaam").fill("Noor")
    signup.get_by_label("Achternaam").fill("Bakker")
    signup.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    signup.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
    signup.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_text("Welkom bij studymarket! Je account is aangemaakt.")).to_be_visible()
    expect(page.locator("main")).to_contain_text(CODE)  # the code came along into the account
    page.get_by_label("iDEAL").check()
    page.get_by_label("Ik stem ermee in dat de levering").check()
    page.get_by_label("Ik begrijp dat ik daardoor mijn herroepingsrecht verlies").check()
    page.get_by_role("button", name="Betalen").click()
    page.get_by_role("button", name="Betaald").click()
    expect(page.locator("h1")).to_have_text("Betaling gelukt")
    _shot(page, "paid")
    return Order.objects.get(buyer__email=EMAIL)


def test_a_bundle_bought_with_a_sellers_code_then_refunded_whole(settings, live_server, browser):
    settings.SITE_URL = live_server.url
    demo_data_loaded()
    first, second = _two_listings_of_one_course()
    price_cents = (first.price_cents + second.price_cents) * 8 // 10
    price = money_display(Money(price_cents)).replace("€", "").strip()

    seller_page = _new_page(browser, live_server)
    _seller_makes_bundle_and_code(seller_page, first, second, price)
    bundle = Bundle.objects.get(title=TITLE)
    assert bundle.price_cents == price_cents

    buyer_page = _new_page(browser, live_server)
    order = _buyer_buys_the_bundle_with_the_code(buyer_page, bundle)
    assert order.status == OrderStatus.PAID
    assert order.discount_code == CODE
    lines = list(order.lines.order_by("pk"))
    assert {line.listing_id for line in lines} == {first.pk, second.pk}
    assert {line.bundle_id for line in lines} == {bundle.pk}
    assert sum(line.list_price_cents for line in lines) == price_cents
    assert order.total_cents == price_cents - order.discount_cents > 0
    assert {line.discount_funder for line in lines} == {"seller"}

    # "Mijn documenten" has both; the money back before any download covers the whole bundle.
    buyer_page.goto("/mijn-documenten/")
    expect(buyer_page.locator("#library")).to_contain_text(first.title)
    expect(buyer_page.locator("#library")).to_contain_text(second.title)
    _shot(buyer_page, "library")
    buyer_page.get_by_role("link", name="Geld terug aanvragen").first.click()
    expect(buyer_page.locator("h1")).to_have_text("Tevredenheidsgarantie")
    expect(buyer_page.locator("main")).to_contain_text("hele bundel")
    expect(buyer_page.locator("main")).to_contain_text(money_display(order.total))
    buyer_page.locator("#guarantee").get_by_label("De kwaliteit valt tegen").check()
    _shot(buyer_page, "guarantee")
    buyer_page.get_by_role("button", name="Geld terug en toegang stoppen").click()
    expect(buyer_page.locator("#guarantee-status h2")).to_have_text("Goedgekeurd")

    refunds = Refund.objects.filter(order_line__order=order)
    assert sorted(refund.order_line_id for refund in refunds) == [line.pk for line in lines]
    assert sum(refund.amount_cents for refund in refunds) == order.total_cents
    assert not Entitlement.objects.filter(buyer__email=EMAIL, revoked_at__isnull=True).exists()
    out = StringIO()
    call_command("ledger_check", "--no-record", stdout=out)
    assert out.getvalue() == "ledger balanced\n"
