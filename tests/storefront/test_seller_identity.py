"""Who the buyer buys from: a business seller's trader information on the listing and on the
seller's page (DSA art. 30(7)); a private seller's listing says EU consumer law does not apply
while studymarket's satisfaction guarantee does (Consumer Rights Directive art. 6a)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from studymarket.accounts.models import SellerProfile
from tests.accounts.trader_data import make_business
from tests.factories import ListingFactory, SellerFactory

pytestmark = pytest.mark.django_db

PRIVATE_LINE = (
    "Je koopt van een particulier. Het Europese consumentenrecht geldt niet voor een aankoop bij een "
    "particulier; de tevredenheidsgarantie van studymarket geldt wel."
)
TRADER_LINE = (
    "Je koopt van een handelaar: het Europese consumentenrecht is van toepassing. De "
    "tevredenheidsgarantie van studymarket geldt daarbovenop."
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(html: str) -> str:
    match = re.search(r'<section id="seller-identity-section".*?</section>', html, re.S)
    assert match, "no seller identity section"
    return _text(match.group(0))


def _business_seller() -> SellerProfile:
    seller = SellerFactory()
    make_business(seller)
    # A fixed moment, so the page's date can be compared exactly.
    SellerProfile.objects.filter(pk=seller.pk).update(
        trader_self_certified_at=datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
    )
    return SellerProfile.objects.get(pk=seller.pk)


def test_a_business_sellers_listing_shows_the_trader_information(client):
    listing = ListingFactory(seller=_business_seller())

    response = client.get(listing.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert _section(html) == (
        "Wie verkoopt dit? Zakelijke verkoper "
        "Naam Samenvattingen Janssens BV "
        "Adres Kerkstraat 12 9000 Gent België "
        "E-mail info@janssens.example "
        "Telefoon +32 9 123 45 67 "
        "Ondernemingsnummer (KBO) 0403.170.701 "
        "Deze verkoper heeft op 2 maart 2026 verklaard alleen producten aan te bieden die voldoen aan "
        f"het EU-recht. {TRADER_LINE}"
    )
    assert 'data-seller-kind="business"' in html
    assert "Kerkstraat 12<br>9000 Gent<br>België" in html
    assert '<a href="mailto:info@janssens.example">info@janssens.example</a>' in html
    assert "BE0403170701" not in html  # the VAT number is ours to know, not shown
    assert PRIVATE_LINE not in _text(html)


def test_a_private_sellers_listing_says_consumer_law_does_not_apply(client):
    listing = ListingFactory(seller=SellerFactory())

    html = client.get(listing.get_absolute_url()).content.decode()

    assert _section(html) == f"Wie verkoopt dit? Particuliere verkoper {PRIVATE_LINE}"
    assert 'data-seller-kind="private"' in html
    assert "Zakelijke verkoper" not in html


def test_a_former_business_sellers_details_are_no_longer_shown(client):
    seller = _business_seller()
    SellerProfile.objects.filter(pk=seller.pk).update(seller_kind="private")
    listing = ListingFactory(seller=seller)

    html = client.get(listing.get_absolute_url()).content.decode()

    assert "Particuliere verkoper" in html
    assert "Janssens" not in html
    assert "0403.170.701" not in html


def test_the_sellers_page_shows_it_too(client):
    business = _business_seller()
    ListingFactory(seller=business)

    html = client.get(business.get_absolute_url()).content.decode()

    section = _section(html)
    assert section.startswith("Particulier of zakelijk Zakelijke verkoper Naam Samenvattingen Janssens BV")
    assert "Ondernemingsnummer (KBO) 0403.170.701" in section
    assert "+32 9 123 45 67" in section

    private = SellerFactory()
    html = client.get(private.get_absolute_url()).content.decode()
    assert _section(html) == f"Particulier of zakelijk Particuliere verkoper {PRIVATE_LINE}"


def test_a_dutch_business_shows_its_kvk_number(client):
    seller = _business_seller()
    SellerProfile.objects.filter(pk=seller.pk).update(trader_registration_number="12345678")
    listing = ListingFactory(seller=seller)

    section = _section(client.get(listing.get_absolute_url()).content.decode())

    assert "KvK-nummer 12345678" in section
