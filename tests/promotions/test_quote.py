"""discount_quote: what a code takes off each line, capped per line, for whom, and the answers
a buyer gets when it takes nothing off (ADR 0028)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studymarket.core import clock
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.core.pricing import discounted_breakdown, max_discount_cents, price_breakdown
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.promotions.models import DiscountCode
from studymarket.promotions.services import discount_quote, discount_redeem
from tests.factories import ListingFactory, UserFactory
from tests.promotions.promotion_helpers import bundle_of, code_make, days, line_of

UNKNOWN = "Deze kortingscode kennen we niet of hij is niet (meer) geldig."
TOO_MANY = "Te veel onjuiste codes geprobeerd. Probeer het over een uur opnieuw."


def _refusal(**kwargs) -> str:
    with pytest.raises(ApplicationError) as refused:
        discount_quote(**kwargs)
    return refused.value.message


# --- Amounts ----------------------------------------------------------------------------------


def test_a_percentage_is_taken_off_and_rounded_half_up_to_the_cent(seller, listing, buyer):
    code_make(seller=seller, code="TENTAMEN10", percent=10)

    quote = discount_quote(code="tentamen10", buyer=buyer, lines=[line_of(listing)])

    # 10 % of € 9,49 is 94,9 cents.
    assert quote.per_line == (95,)
    assert quote.total_cents == 95
    assert quote.funder == "seller"
    assert quote.code == "TENTAMEN10"


def test_a_percentage_is_rounded_per_line(seller, buyer):
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    code_make(seller=seller, code="VIJFTIEN15", percent=15)

    quote = discount_quote(code="VIJFTIEN15", buyer=buyer, lines=[line_of(a), line_of(b)])

    assert quote.per_line == (75, 120)  # 74,85 and 119,85 cents
    assert quote.total_cents == 195


def test_an_amount_is_split_over_the_lines_by_their_prices_and_adds_up(seller, buyer):
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    code_make(seller=seller, code="DRIEEURO", kind="amount", amount_cents=300)

    quote = discount_quote(code="DRIEEURO", buyer=buyer, lines=[line_of(a), line_of(b)])

    # 300 × 499/1298 = 115,3 and 300 × 799/1298 = 184,7: the spare cent to the larger remainder.
    assert quote.per_line == (115, 185)
    assert quote.total_cents == 300


def test_a_seller_code_is_capped_per_line_so_the_seller_never_gets_less_than_nothing(seller, listing, buyer):
    code_make(seller=seller, code="NEGENTIG90", percent=90)

    quote = discount_quote(code="NEGENTIG90", buyer=buyer, lines=[line_of(listing)])

    price = Money(949)
    cap = max_discount_cents(price, funder="seller")
    assert cap == 759  # not 854 (90 %)
    assert quote.per_line == (759,)
    after = discounted_breakdown(price, discount_cents=cap, funder="seller")
    assert after.seller_share.cents >= 0
    # One cent more and the discount excluding VAT would pass what the seller earns.
    one_more = price_breakdown(price).net - price_breakdown(price - Money(cap + 1)).net
    assert one_more.cents > price_breakdown(price).seller_share.cents


def test_an_amount_larger_than_the_caps_is_capped_per_line(seller, buyer):
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    code_make(seller=seller, code="TWINTIGEURO", kind="amount", amount_cents=2000)

    quote = discount_quote(code="TWINTIGEURO", buyer=buyer, lines=[line_of(a), line_of(b)])

    assert quote.per_line == (400, 639)  # the caps of € 4,99 and € 7,99
    assert quote.total_cents == 1039


def test_a_platform_campaign_covers_every_seller_and_is_not_capped_by_their_share(buyer):
    a = ListingFactory(price_cents=949)
    b = ListingFactory(price_cents=949)
    code_make(seller=None, code="WELKOM90", percent=90)

    quote = discount_quote(code="WELKOM90", buyer=buyer, lines=[line_of(a), line_of(b)])

    assert quote.funder == "platform"
    assert quote.per_line == (854, 854)  # 90 % of € 9,49, the platform pays the rest


# --- Which lines a code covers ----------------------------------------------------------------


def test_a_seller_code_discounts_only_that_sellers_lines(seller, listing, buyer):
    other = ListingFactory(price_cents=949)
    code_make(seller=seller, code="ALLEENIK10")

    quote = discount_quote(code="ALLEENIK10", buyer=buyer, lines=[line_of(other), line_of(listing)])

    assert quote.per_line == (0, 95)


def test_a_code_limited_to_some_listings_discounts_only_those(seller, listing, buyer):
    b = ListingFactory(seller=seller, price_cents=949)
    code_make(seller=seller, code="ALLEENDEZE", listing_ids=[listing.pk])

    quote = discount_quote(code="ALLEENDEZE", buyer=buyer, lines=[line_of(listing), line_of(b)])

    assert quote.per_line == (95, 0)


def test_bundle_documents_count_when_the_bundle_is_named(seller, buyer):
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    bundle = bundle_of([a, b], price_cents=999)
    code_make(seller=seller, code="BUNDEL10", bundle_ids=[bundle.pk])
    lines = [line_of(a, bundle=bundle, price=384), line_of(b, bundle=bundle, price=615)]

    quote = discount_quote(code="BUNDEL10", buyer=buyer, lines=lines)

    assert quote.per_line == (38, 62)  # 10 % of the bundle shares


def test_bundle_documents_count_when_every_document_of_the_bundle_is_named(seller, buyer):
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    bundle = bundle_of([a, b], price_cents=999)
    code_make(seller=seller, code="BEIDEN10", listing_ids=[a.pk, b.pk])
    code_make(seller=seller, code="EENVAN10", listing_ids=[a.pk])
    lines = [line_of(a, bundle=bundle, price=384), line_of(b, bundle=bundle, price=615)]

    assert discount_quote(code="BEIDEN10", buyer=buyer, lines=lines).per_line == (38, 62)
    # One document of the bundle named: the bundle is not covered.
    assert _refusal(code="EENVAN10", buyer=buyer, lines=lines).startswith(
        "Deze kortingscode geldt alleen voor documenten van één verkoper"
    )


def test_an_unlimited_seller_code_covers_their_bundles_too(seller, buyer):
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    bundle = bundle_of([a, b], price_cents=999)
    code_make(seller=seller, code="ALLES10")

    quote = discount_quote(
        code="ALLES10",
        buyer=buyer,
        lines=[line_of(a, bundle=bundle, price=384), line_of(b, bundle=bundle, price=615)],
    )

    assert quote.total_cents == 100


def test_a_code_for_other_documents_says_so(seller, buyer):
    code_make(seller=seller, code="ANDEREN10")

    message = _refusal(code="ANDEREN10", buyer=buyer, lines=[line_of(ListingFactory())])

    assert message == (
        "Deze kortingscode geldt alleen voor documenten van één verkoper, en die zitten niet "
        "in je winkelwagen."
    )


def test_a_seller_cannot_use_their_own_code(seller, listing):
    code_make(seller=seller, code="MIJNEIGEN1")

    message = _refusal(code="MIJNEIGEN1", buyer=seller.user, lines=[line_of(listing)])

    assert message == "Je eigen kortingscode is voor je kopers; je kunt hem zelf niet gebruiken."


# --- No enumeration ---------------------------------------------------------------------------


def test_unknown_expired_not_yet_valid_switched_off_and_malformed_codes_get_one_answer(
    seller, listing, buyer
):
    code_make(seller=seller, code="VERLOPEN1", valid_from=days(0), valid_until=days(0))
    DiscountCode.objects.filter(code="VERLOPEN1").update(valid_from=days(-10), valid_until=days(-1))
    code_make(seller=seller, code="STRAKS123", valid_from=days(1))
    off = code_make(seller=seller, code="UITGEZET1")
    DiscountCode.objects.filter(pk=off.pk).update(disabled_at=timezone.now())
    lines = [line_of(listing)]

    answers = {
        _refusal(code=c, buyer=buyer, lines=lines)
        for c in ("ONBEKEND1", "VERLOPEN1", "STRAKS123", "UITGEZET1", "x")
    }

    assert answers == {UNKNOWN}


def test_a_code_is_valid_on_its_first_and_its_last_day(seller, listing, buyer):
    code_make(seller=seller, code="VANDAAG10", valid_from=days(0), valid_until=days(0))

    assert discount_quote(code="VANDAAG10", buyer=buyer, lines=[line_of(listing)]).total_cents == 95


def test_ten_wrong_codes_per_account_then_even_a_right_code_is_refused_for_an_hour(seller, listing, buyer):
    code_make(seller=seller, code="GOED12345")
    lines = [line_of(listing)]
    for n in range(10):
        assert _refusal(code=f"FOUT{n:04d}", buyer=buyer, lines=lines, ip=f"10.0.0.{n}") == UNKNOWN

    assert _refusal(code="GOED12345", buyer=buyer, lines=lines, ip="10.0.1.1") == TOO_MANY
    # Another buyer is not held up.
    assert discount_quote(code="GOED12345", buyer=UserFactory(), lines=lines).total_cents == 95


def test_a_code_that_expired_is_no_guess_and_costs_no_attempt(seller, listing, buyer):
    """A cart keeps its code and asks again on every visit: one that expired meanwhile must
    not lock the buyer out."""
    code_make(seller=seller, code="VERLOPEN1")
    DiscountCode.objects.filter(code="VERLOPEN1").update(valid_from=days(-10), valid_until=days(-1))
    code_make(seller=seller, code="GOED12345")
    lines = [line_of(listing)]
    for _ in range(15):
        assert _refusal(code="VERLOPEN1", buyer=buyer, lines=lines, ip="192.0.2.7") == UNKNOWN

    assert discount_quote(code="GOED12345", buyer=buyer, lines=lines, ip="192.0.2.7").total_cents == 95


def test_ten_wrong_codes_per_ip_stop_every_account_behind_it(seller, listing):
    code_make(seller=seller, code="GOED12345")
    lines = [line_of(listing)]
    for n in range(10):
        _refusal(code=f"FOUT{n:04d}", buyer=UserFactory(), lines=lines, ip="192.0.2.7")

    assert _refusal(code="GOED12345", buyer=UserFactory(), lines=lines, ip="192.0.2.7") == TOO_MANY
    assert _refusal(code="GOED12345", buyer=None, lines=lines, ip="192.0.2.7") == TOO_MANY
    assert (
        discount_quote(code="GOED12345", buyer=UserFactory(), lines=lines, ip="192.0.2.8").total_cents == 95
    )


def test_only_wrong_codes_count(seller, listing, buyer):
    code_make(seller=seller, code="GOED12345")
    lines = [line_of(listing)]
    for _ in range(20):
        discount_quote(code="GOED12345", buyer=buyer, lines=lines, ip="192.0.2.7")
    for n in range(9):
        _refusal(code=f"FOUT{n:04d}", buyer=buyer, lines=lines, ip="192.0.2.7")

    assert discount_quote(code="GOED12345", buyer=buyer, lines=lines, ip="192.0.2.7").total_cents == 95


# --- Uses -------------------------------------------------------------------------------------


def _redeemed(code: DiscountCode, *, buyer, listing, paid: bool = False):
    order = order_create(buyer=buyer, listings=[listing])
    discount_redeem(code_id=code.pk, buyer=buyer, order_id=order.pk, total_cents=95)
    return order_mark_paid(order_id=order.pk, send_receipt=False) if paid else order


def test_a_code_used_up_says_it_is_used_up(seller, listing, buyer):
    code = code_make(seller=seller, code="EENKEER01", max_uses=1)
    _redeemed(code, buyer=UserFactory(), listing=listing)

    message = _refusal(code="EENKEER01", buyer=buyer, lines=[line_of(listing)])

    assert message == "Deze kortingscode is op: hij is al zo vaak gebruikt als kan."


def test_a_buyer_who_used_the_code_is_told_so(seller, listing, buyer):
    code = code_make(seller=seller, code="PERKOPER1")
    _redeemed(code, buyer=buyer, listing=listing, paid=True)

    message = _refusal(code="PERKOPER1", buyer=buyer, lines=[line_of(ListingFactory(seller=seller))])

    assert message == "Je hebt deze kortingscode al gebruikt. Elke koper kan hem één keer gebruiken."


def test_a_buyer_whose_order_with_the_code_waits_for_payment_is_told_which_order(seller, listing, buyer):
    code = code_make(seller=seller, code="PERKOPER1")
    order = _redeemed(code, buyer=buyer, listing=listing)

    message = _refusal(code="PERKOPER1", buyer=buyer, lines=[line_of(listing)])

    assert message == (
        f"Je hebt deze kortingscode al gebruikt voor bestelling {order.number}, die nog op je betaling "
        "wacht. Rond die bestelling af, of wacht tot hij verloopt."
    )


def test_a_valid_code_that_cannot_be_used_is_not_counted_as_a_wrong_guess(seller, listing, buyer):
    code_make(seller=seller, code="ANDEREN10")
    for _ in range(12):
        _refusal(code="ANDEREN10", buyer=buyer, lines=[line_of(ListingFactory())])

    assert discount_quote(code="ANDEREN10", buyer=buyer, lines=[line_of(listing)]).total_cents == 95


def test_the_day_follows_the_application_clock(seller, listing, buyer, settings):
    settings.CLOCK_ADJUSTABLE = True
    code_make(seller=seller, code="DEZEWEEK1", valid_until=days(6))
    clock.advance(timedelta(days=8))
    try:
        assert _refusal(code="DEZEWEEK1", buyer=buyer, lines=[line_of(listing)]) == UNKNOWN
    finally:
        clock.reset()
