"""The receipt and the order page of an order with a bundle and discount codes (issue 17): the
bundle's documents under its title and price, one discount row per funder to the cent, and the
rows adding up to the total paid."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER
from studymarket.orders.models import Order
from studymarket.orders.services import order_receipt_send
from studymarket.orders.specs import LineSpec
from tests.bundle_purchases import bundle_listings, bundle_make, bundle_specs, order_with_lines
from tests.factories import ListingFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order() -> Order:
    bundle = bundle_make(prices=(499, 799), price_cents=999, seller=SellerFactory(display_name="Lotte"))
    alone = ListingFactory(
        title="Marketing & Sales", price_cents=949, seller=SellerFactory(display_name="Jonas")
    )
    # One code's discount per funder, so both rows show: the bundle's lines paid for by the
    # platform (€ 0,38 + € 0,62), the other document by its seller (€ 1,00).
    lines = [
        *bundle_specs(bundle, discounts=[38, 62], funder=FUNDER_PLATFORM),
        LineSpec(
            listing=alone,
            bundle_id=None,
            list_price_cents=949,
            discount_cents=100,
            discount_funder=FUNDER_SELLER,
        ),
    ]
    return order_with_lines(lines, buyer=UserFactory(first_name="Bram"), discount_code="TENTAMEN10")


def test_the_receipt_groups_the_bundle_and_shows_each_discount_to_the_cent(order):
    first, second = (listing.title for listing in bundle_listings(order.lines.first().bundle))

    assert order_receipt_send(order_id=order.pk) is True

    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    text = message.body
    html = str(message.alternatives[0][0])
    assert (
        "- Bundel Tentamenbundel Marketing: € 9,99\n"
        f"    {first} (van Lotte)\n"
        f"    {second} (van Lotte)\n"
        "- Marketing & Sales (van Jonas): € 9,49\n"
        "- Korting (code TENTAMEN10, gegeven door de verkoper): € -1,00\n"
        "- Korting (code TENTAMEN10, betaald door studymarket): € -1,00\n"
    ) in text
    assert "Totaal (incl. btw): € 17,48" in text  # 9,99 + 9,49 − 1,00 − 1,00
    assert "Waarvan btw: € 3,03" in text  # 0,60 + 0,96 + 1,47: on what was paid
    assert "Bundel Tentamenbundel Marketing" in html
    assert "Korting (code TENTAMEN10, betaald door studymarket)" in html
    assert "Marketing &amp; Sales" in html


def test_the_order_page_shows_the_same_rows(client, order):
    client.force_login(order.buyer)

    html = client.get(reverse("checkout:done", args=[order.number])).content.decode()

    assert "Bundel Tentamenbundel Marketing" in html
    assert "Korting (code TENTAMEN10, gegeven door de verkoper)" in html
    assert '<td class="price">€ -1,00</td>' in html
    assert '<td id="cart-total"><strong>€ 17,48</strong></td>' in html
    assert '<td id="cart-vat" class="muted">€ 3,03</td>' in html


def test_an_order_without_bundle_or_code_reads_as_before(client):
    listing = ListingFactory(title="Account Management", price_cents=949)
    order = order_with_lines([LineSpec(listing=listing, bundle_id=None, list_price_cents=949)])
    client.force_login(order.buyer)

    html = client.get(reverse("checkout:done", args=[order.number])).content.decode()

    assert "Korting" not in html
    assert "Bundel" not in html
    assert '<td class="price">€ 9,49</td>' in html
