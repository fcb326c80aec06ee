"""Sales bought with a discount code (ADR 0028): a seller-funded code comes out of the seller's
share, a platform-funded one is the platform's expense on ``platform_discounts``; refunds undo
each exactly, and ledger_check stays balanced and notices a sale booked otherwise."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from studymarket.core import clock
from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER
from studymarket.ledger.models import Account, AccountKind, Entry, Journal, JournalSource
from studymarket.ledger.postings import earnings_release_due
from studymarket.orders.models import OrderLine
from studymarket.orders.specs import LineSpec
from studymarket.payments.ledger_facts import ledger_check
from tests.bundle_purchases import bundle_make, bundle_specs, order_with_lines
from tests.factories import ListingFactory
from tests.ledger.ledger_helpers import refund_line, seller_cents

WINDOW = timedelta(days=settings.GUARANTEE_WINDOW_DAYS, minutes=1)


def _discounted_line(funder: str, *, discount: int = 100) -> OrderLine:
    spec = LineSpec(
        listing=ListingFactory(price_cents=949),
        bundle_id=None,
        list_price_cents=949,
        discount_cents=discount,
        discount_funder=funder,
    )
    order = order_with_lines([spec], discount_code="TENTAMEN10")
    return OrderLine.objects.select_related("order", "seller").get(order=order)


def _entries(journal: Journal) -> dict[str, int]:
    rows = Entry.objects.filter(journal=journal).values_list("account__kind", "amount_cents")
    return dict(sorted(rows))


def _journal(source: str, line: OrderLine) -> Journal:
    return Journal.objects.get(source=source, order_line_id=line.pk)


@pytest.mark.django_db
def test_a_seller_funded_sale_books_the_lower_share_and_the_full_commission():
    line = _discounted_line(FUNDER_SELLER)

    # List price 949 (VAT 165, net 784, commission 157, share 627); paid 849 (VAT 147, net 702):
    # Δ = 82 comes out of the seller's share, the commission stays 157.
    assert _entries(_journal(JournalSource.SALE, line)) == {
        "platform_revenue": -157,
        "provider_clearing": 849,
        "seller_held": -545,
        "vat_payable": -147,
    }
    assert seller_cents(line.seller) == (545, 0, 0)
    assert ledger_check(record=False) == []


@pytest.mark.django_db
def test_a_platform_funded_sale_books_the_discount_as_the_platforms_expense():
    line = _discounted_line(FUNDER_PLATFORM)

    assert _entries(_journal(JournalSource.SALE, line)) == {
        "platform_discounts": 82,
        "platform_revenue": -157,
        "provider_clearing": 849,
        "seller_held": -627,
        "vat_payable": -147,
    }
    assert seller_cents(line.seller) == (627, 0, 0)
    assert ledger_check(record=False) == []


@pytest.mark.django_db
@pytest.mark.parametrize("funder", [FUNDER_SELLER, FUNDER_PLATFORM])
def test_a_refund_undoes_the_discounted_sale_exactly(funder):
    line = _discounted_line(funder)
    sale = _entries(_journal(JournalSource.SALE, line))

    refund_line(line)

    back = _entries(_journal(JournalSource.REFUND, line))
    assert back == {
        **{kind: -cents for kind, cents in sale.items() if kind != "provider_clearing"},
        "refunds": -849,
    }
    assert seller_cents(line.seller) == (0, 0, 0)
    assert ledger_check(record=False) == []


@pytest.mark.django_db
def test_a_refund_after_the_release_takes_the_share_from_available_and_the_discount_back():
    line = _discounted_line(FUNDER_PLATFORM)
    clock.advance(WINDOW)
    assert earnings_release_due() == 1
    assert seller_cents(line.seller) == (0, 627, 0)

    refund_line(line)

    back = _entries(_journal(JournalSource.REFUND, line))
    assert (back["platform_discounts"], back["seller_available"]) == (-82, 627)
    assert seller_cents(line.seller) == (0, 0, 0)
    assert ledger_check(record=False) == []


@pytest.mark.django_db
def test_a_sale_booked_without_the_platforms_discount_is_reported():
    line = _discounted_line(FUNDER_PLATFORM)
    # As if the line had been booked as seller-funded: the check compares with the line.
    OrderLine.objects.filter(pk=line.pk).update(discount_funder=FUNDER_SELLER)

    violations = ledger_check(record=False)

    assert len(violations) == 1
    assert violations[0].startswith(f"Verkoop van orderregel {line.pk} van bestelling {line.order.number}")
    assert "(849, 147, 157, 627, 82)" in violations[0]
    assert "(849, 147, 157, 545, 0)" in violations[0]


@pytest.mark.django_db
def test_the_earnings_page_says_who_gave_the_discount_and_which_bundle(client):
    seller_line = _discounted_line(FUNDER_SELLER)
    seller = seller_line.seller
    bundle = bundle_make(prices=(499, 799), price_cents=999, seller=seller)
    order_with_lines(bundle_specs(bundle, discounts=[38, 62], funder=FUNDER_PLATFORM), discount_code="ZOMER")
    client.force_login(seller.user, backend="django.contrib.auth.backends.ModelBackend")

    page = " ".join(re.sub(r"<[^>]+>", " ", client.get(reverse("ledger:earnings")).content.decode()).split())

    assert f"{seller_line.title} Korting € 1,00 (door jou gegeven)" in page
    assert "uit bundel Tentamenbundel Marketing Korting € 0,38 (betaald door studymarket)" in page
    assert "uit bundel Tentamenbundel Marketing Korting € 0,62 (betaald door studymarket)" in page
    # The seller receives the full share of a platform-funded line: 254 + 406.
    assert seller_cents(seller) == (545 + 254 + 406, 0, 0)


@pytest.mark.django_db
def test_more_discount_reversed_than_given_is_reported():
    line = _discounted_line(FUNDER_PLATFORM)
    account = Account.objects.get(kind=AccountKind.PLATFORM_DISCOUNTS)
    sale = _journal(JournalSource.SALE, line)
    # A hand-made entry that takes back more than was given (not through any service).
    Entry.objects.create(journal=sale, account=account, amount_cents=-100)
    Account.objects.filter(pk=account.pk).update(balance_cents=-18)

    violations = ledger_check(record=False)

    assert (
        "Rekening platform_discounts: er is meer korting teruggedraaid dan er ooit gegeven werd."
        in violations
    )
