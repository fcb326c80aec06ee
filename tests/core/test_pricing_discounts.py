"""Bundle splits and discounts (ADR 0028): core.pricing.split_cents, discounted_breakdown and
max_discount_cents, by example and by property."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from studymarket.core.money import Money
from studymarket.core.pricing import (
    FUNDER_PLATFORM,
    FUNDER_SELLER,
    discounted_breakdown,
    max_discount_cents,
    price_breakdown,
    split_cents,
)

countries = st.sampled_from(["NL", "BE"])
funders = st.sampled_from([FUNDER_SELLER, FUNDER_PLATFORM])


def test_a_bundle_of_4_99_and_7_99_at_9_99() -> None:
    # 999 × 499/1298 = 384.03…, 999 × 799/1298 = 614.96…: the cent left goes to the larger remainder.
    assert split_cents(999, [499, 799]) == [384, 615]


def test_ties_go_to_the_earlier_item() -> None:
    assert split_cents(100, [1, 1, 1]) == [34, 33, 33]
    assert split_cents(101, [1, 1, 1]) == [34, 34, 33]


def test_all_weights_zero_split_evenly() -> None:
    assert split_cents(5, [0, 0]) == [3, 2]


@pytest.mark.parametrize(("total", "weights"), [(-1, [1]), (10, []), (10, [1, -1])])
def test_split_refuses_nonsense(total: int, weights: list[int]) -> None:
    with pytest.raises(ValueError, match="split|negative"):
        split_cents(total, weights)


@given(
    total=st.integers(min_value=0, max_value=1_000_000),
    weights=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=12),
)
@hypothesis_settings(max_examples=400, deadline=None)
def test_shares_add_up_exactly_never_negative_and_within_a_cent(total: int, weights: list[int]) -> None:
    shares = split_cents(total, weights)

    assert sum(shares) == total
    assert all(share >= 0 for share in shares)
    whole = sum(weights) or len(weights)
    for share, weight in zip(shares, weights or [], strict=True):
        exact = Fraction(total * (weight if sum(weights) else 1), whole)
        assert abs(share - exact) < 1


def test_seller_funded_discount_comes_out_of_the_seller_share() -> None:
    before = price_breakdown(Money(949))  # VAT 165, net 784, commission 157, share 627
    line = discounted_breakdown(Money(949), discount_cents=100, funder=FUNDER_SELLER, country="NL")

    assert line.gross == Money(849)
    assert line.vat == Money(147)  # 849 × 21/121 = 147.3…
    assert line.net == Money(702)
    assert line.discount_net == Money(82)  # 784 − 702
    assert line.commission == before.commission == Money(157)
    assert line.seller_share == Money(545)  # 627 − 82
    assert line.platform_cost == Money(0)


def test_platform_funded_discount_is_the_platforms_expense() -> None:
    line = discounted_breakdown(Money(949), discount_cents=100, funder=FUNDER_PLATFORM, country="NL")

    assert (line.gross, line.vat, line.net) == (Money(849), Money(147), Money(702))
    assert line.commission == Money(157)
    assert line.seller_share == Money(627)  # untouched
    assert line.platform_cost == line.discount_net == Money(82)


def test_no_discount_is_the_plain_breakdown() -> None:
    line = discounted_breakdown(Money(949), discount_cents=0, funder="", country="BE")
    plain = price_breakdown(Money(949), country="BE")

    assert (line.gross, line.vat, line.commission, line.seller_share) == (
        plain.gross,
        plain.vat,
        plain.commission,
        plain.seller_share,
    )
    assert line.funder == ""
    assert line.discount_net == Money(0)


def test_the_seller_funded_cap_keeps_the_share_at_zero_or_above() -> None:
    cap = max_discount_cents(Money(949), funder=FUNDER_SELLER)

    at_cap = discounted_breakdown(Money(949), discount_cents=cap, funder=FUNDER_SELLER)
    assert at_cap.seller_share.cents >= 0
    with pytest.raises(ValueError, match="exceeds the cap"):
        discounted_breakdown(Money(949), discount_cents=cap + 1, funder=FUNDER_SELLER)
    assert max_discount_cents(Money(949), funder=FUNDER_PLATFORM) == 948  # a cent is always paid


def test_a_discount_needs_a_funder() -> None:
    with pytest.raises(ValueError, match="needs a funder"):
        discounted_breakdown(Money(949), discount_cents=100, funder="")


@given(
    gross=st.integers(min_value=0, max_value=100_000),
    fraction=st.fractions(min_value=0, max_value=1),
    funder=funders,
    country=countries,
)
@hypothesis_settings(max_examples=400, deadline=None)
def test_the_funding_rule_always_holds(gross: int, fraction: Fraction, funder: str, country: str) -> None:
    cap = max_discount_cents(Money(gross), funder=funder, country=country)
    discount = int(cap * fraction)
    before = price_breakdown(Money(gross), country=country)

    line = discounted_breakdown(Money(gross), discount_cents=discount, funder=funder, country=country)

    assert line.vat + line.net == line.gross == Money(gross - discount)
    assert line.vat == price_breakdown(line.gross, country=country).vat  # VAT on what is paid
    assert line.discount_net == before.net - line.net
    assert line.commission == before.commission
    assert line.seller_share.cents >= 0
    assert line.discount_net.cents >= 0
    if funder == FUNDER_SELLER:
        assert line.seller_share == before.seller_share - line.discount_net
        assert line.platform_cost == Money(0)
    else:
        assert line.seller_share == before.seller_share
        assert line.platform_cost == line.discount_net
    # The journal balances: paid + the platform's expense = VAT + commission + the seller's share.
    assert line.gross + line.platform_cost == line.vat + line.commission + line.seller_share


@given(gross=st.integers(min_value=1, max_value=100_000), country=countries)
@hypothesis_settings(max_examples=300, deadline=None)
def test_the_seller_cap_is_the_largest_allowed(gross: int, country: str) -> None:
    cap = max_discount_cents(Money(gross), funder=FUNDER_SELLER, country=country)

    assert 0 <= cap < gross or price_breakdown(Money(gross), country=country).commission.cents == 0
    if cap < gross:
        with pytest.raises(ValueError, match="exceeds the cap"):
            discounted_breakdown(Money(gross), discount_cents=cap + 1, funder=FUNDER_SELLER, country=country)
