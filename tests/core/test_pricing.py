from fractions import Fraction

import pytest
from pytest_django import Settings

from studymarket.core.money import Money, round_half_up
from studymarket.core.pricing import price_breakdown


def test_reference_price_in_the_netherlands() -> None:
    breakdown = price_breakdown(Money(949), country="NL")

    assert breakdown.gross == Money(949)
    assert breakdown.vat_rate_percent == 21
    assert breakdown.vat == Money(165)  # 949 * 21/121 = 164.70...
    assert breakdown.net == Money(784)
    assert breakdown.commission == Money(157)  # 20% of 784 = 156.8
    assert breakdown.seller_share == Money(627)
    assert breakdown.vat + breakdown.net == breakdown.gross
    assert breakdown.commission + breakdown.seller_share == breakdown.net


def test_the_netherlands_is_the_default_country() -> None:
    assert price_breakdown(Money(949)) == price_breakdown(Money(949), country="NL")


def test_belgium() -> None:
    breakdown = price_breakdown(Money(1250), country="BE")

    assert breakdown.vat == Money(217)  # 1250 * 21/121 = 216.94...
    assert breakdown.net == Money(1033)
    assert breakdown.commission == Money(207)  # 206.6
    assert breakdown.seller_share == Money(826)


def test_a_refund_mirrors_the_sale() -> None:
    breakdown = price_breakdown(Money(-949))

    assert (breakdown.vat, breakdown.net, breakdown.commission, breakdown.seller_share) == (
        Money(-165),
        Money(-784),
        Money(-157),
        Money(-627),
    )


def test_free_document() -> None:
    breakdown = price_breakdown(Money(0))

    assert (breakdown.vat, breakdown.net, breakdown.commission, breakdown.seller_share) == (
        Money(0),
        Money(0),
        Money(0),
        Money(0),
    )


def test_parts_always_add_up_and_round_once() -> None:
    for gross in range(-2000, 10001):
        breakdown = price_breakdown(Money(gross))

        assert breakdown.vat == Money(round_half_up(Fraction(gross * 21, 121))), gross
        assert breakdown.commission == Money(round_half_up(Fraction(breakdown.net.cents * 20, 100))), gross
        assert breakdown.vat + breakdown.net == Money(gross), gross
        assert breakdown.commission + breakdown.seller_share == breakdown.net, gross


def test_commission_comes_from_settings(settings: Settings) -> None:
    settings.PLATFORM_COMMISSION_PERCENT = 10

    breakdown = price_breakdown(Money(949))

    assert breakdown.commission == Money(78)  # 10% of 784 = 78.4
    assert breakdown.seller_share == Money(706)


def test_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="No VAT rate configured for country 'DE'"):
        price_breakdown(Money(949), country="DE")
