"""order_create with LineSpecs (issue 17): bundle lines at their split of the bundle's price,
discounts per line with VAT on what is paid, and listings= as before."""

import pytest

from studymarket.core.money import Money
from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER, price_breakdown
from studymarket.ledger.models import AccountKind, Journal, JournalSource
from studymarket.orders.models import SELLER_SHARE_CENTS, OrderLine
from studymarket.orders.services import order_create
from studymarket.orders.specs import LineSpec
from studymarket.payments.ledger_facts import ledger_check
from tests.bundle_purchases import bundle_make, bundle_specs, order_with_lines
from tests.factories import ListingFactory, UserFactory


def _lines(order) -> list[OrderLine]:
    return list(order.lines.order_by("pk"))


def _row(line: OrderLine) -> tuple[int, ...]:
    return (
        line.list_price_cents,
        line.discount_cents,
        line.price_cents,
        line.vat_cents,
        line.commission_cents,
        line.seller_share.cents,
    )


@pytest.mark.django_db
def test_a_bundle_of_4_99_and_7_99_at_9_99_splits_to_lines_that_add_up():
    bundle = bundle_make(prices=(499, 799), price_cents=999)

    order = order_with_lines(bundle_specs(bundle), paid=False)

    lines = _lines(order)
    assert order.total_cents == 999
    assert [line.bundle_id for line in lines] == [bundle.pk, bundle.pk]
    # 384 + 615 = 999; VAT, commission and share of each share as if it were its price.
    assert [_row(line) for line in lines] == [(384, 0, 384, 67, 63, 254), (615, 0, 615, 107, 102, 406)]
    for line in lines:
        plain = price_breakdown(line.price)
        assert (line.vat, line.commission, line.seller_share) == (
            plain.vat,
            plain.commission,
            plain.seller_share,
        )
    assert sum(line.price_cents for line in lines) == 999


@pytest.mark.django_db
def test_listings_keep_working_at_their_own_price():
    listings = [ListingFactory(price_cents=949), ListingFactory(price_cents=1250)]

    order = order_create(buyer=UserFactory(), listings=listings)

    assert order.total_cents == 2199
    assert (order.discount_code, order.discount_cents) == ("", 0)
    assert [
        (line.bundle_id, line.list_price_cents, line.discount_cents, line.discount_funder)
        for line in _lines(order)
    ] == [
        (None, 949, 0, ""),
        (None, 1250, 0, ""),
    ]


@pytest.mark.django_db
def test_a_seller_funded_code_lowers_the_lines_price_vat_and_the_sellers_share():
    listing = ListingFactory(price_cents=949)
    spec = LineSpec(
        listing=listing,
        bundle_id=None,
        list_price_cents=949,
        discount_cents=100,
        discount_funder=FUNDER_SELLER,
    )

    order = order_with_lines([spec], paid=False, discount_code="TENTAMEN10")

    (line,) = _lines(order)
    assert (order.total_cents, order.discount_code, order.discount_cents) == (849, "TENTAMEN10", 100)
    # 849 paid: VAT 147, net 702; Δ = 784 − 702 = 82; commission of 949 (157); share 627 − 82.
    assert _row(line) == (949, 100, 849, 147, 157, 545)
    assert (line.discount_net_cents, line.discount_funder) == (82, FUNDER_SELLER)


@pytest.mark.django_db
def test_a_platform_funded_code_keeps_the_sellers_share():
    bundle = bundle_make(prices=(499, 799), price_cents=999)

    order = order_with_lines(bundle_specs(bundle, discounts=[38, 62], funder=FUNDER_PLATFORM), paid=False)

    lines = _lines(order)
    assert (order.total_cents, order.discount_cents) == (899, 100)
    assert [_row(line) for line in lines] == [(384, 38, 346, 60, 63, 254), (615, 62, 553, 96, 102, 406)]
    assert [line.discount_net_cents for line in lines] == [31, 51]  # 317 − 286, 508 − 457


@pytest.mark.django_db
def test_a_discount_above_the_cap_or_a_listing_twice_is_a_programming_error():
    listing = ListingFactory(price_cents=949)
    too_much = LineSpec(
        listing=listing,
        bundle_id=None,
        list_price_cents=949,
        discount_cents=900,
        discount_funder=FUNDER_SELLER,
    )
    plain = LineSpec(listing=listing, bundle_id=None, list_price_cents=949)

    with pytest.raises(ValueError, match="exceeds the cap"):
        order_create(buyer=UserFactory(), lines=[too_much])
    with pytest.raises(ValueError, match="one line per listing"):
        order_create(buyer=UserFactory(), lines=[plain, plain])
    with pytest.raises(ValueError, match="either lines or listings"):
        order_create(buyer=UserFactory(), lines=[plain], listings=[listing])
    assert not OrderLine.objects.exists()


@pytest.mark.django_db
def test_paying_a_discounted_bundle_posts_each_lines_sale_and_the_ledger_balances():
    bundle = bundle_make(prices=(499, 799), price_cents=999)

    order = order_with_lines(bundle_specs(bundle, discounts=[38, 62], funder=FUNDER_PLATFORM))

    sales = Journal.objects.filter(
        source=JournalSource.SALE, order_line_id__in=[line.pk for line in _lines(order)]
    )
    clearing = sum(
        e.amount_cents
        for j in sales
        for e in j.entries.all()
        if e.account.kind == AccountKind.PROVIDER_CLEARING
    )
    discounts = sum(
        e.amount_cents
        for j in sales
        for e in j.entries.all()
        if e.account.kind == AccountKind.PLATFORM_DISCOUNTS
    )
    assert (sales.count(), clearing, discounts) == (2, 899, 82)
    assert ledger_check(record=False) == []
    assert sum(line.seller_share.cents for line in _lines(order)) == Money(660).cents


@pytest.mark.django_db
def test_the_seller_share_in_a_query_matches_the_lines():
    bundle = bundle_make(prices=(499, 799), price_cents=999)
    seller_funded = LineSpec(
        listing=ListingFactory(price_cents=949),
        bundle_id=None,
        list_price_cents=949,
        discount_cents=100,
        discount_funder=FUNDER_SELLER,
    )
    order_with_lines([*bundle_specs(bundle, discounts=[38, 62], funder=FUNDER_PLATFORM), seller_funded])

    by_query = dict(OrderLine.objects.annotate(share=SELLER_SHARE_CENTS).values_list("pk", "share"))

    assert by_query == {
        line.pk: line.seller_share.cents for line in OrderLine.objects.select_related("order")
    }
    assert sorted(by_query.values()) == [254, 406, 545]
