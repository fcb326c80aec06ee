from dataclasses import FrozenInstanceError
from decimal import Decimal
from fractions import Fraction

import pytest

from studymarket.core.money import CurrencyMismatch, Money, round_half_up


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(5, 2), 3),
        (Fraction(3, 2), 2),
        (Fraction(1, 2), 1),
        (Fraction(-1, 2), -1),
        (Fraction(-5, 2), -3),
        (Fraction(1568, 10), 157),
        (Fraction(1564, 10), 156),
        (Fraction(-1568, 10), -157),
        (Fraction(-1564, 10), -156),
        (Fraction(1, 3), 0),
        (Fraction(-1, 3), 0),
        (Fraction(2, 3), 1),
        (Fraction(-2, 3), -1),
        (Fraction(0), 0),
        (Fraction(7), 7),
        (Fraction(-7), -7),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


def test_adding_and_subtracting_keeps_cents_and_currency() -> None:
    assert Money(949) + Money(51) == Money(1000, "EUR")
    assert Money(949) - Money(1000) == Money(-51, "EUR")
    assert -Money(949) == Money(-949, "EUR")


def test_comparisons() -> None:
    assert Money(100) < Money(101)
    assert Money(100) <= Money(100)
    assert Money(101) > Money(100)
    assert Money(100) >= Money(100)
    assert Money(100, "EUR") != Money(100, "GBP")


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
    ],
    ids=["add", "subtract", "less", "less-or-equal"],
)
def test_mixing_currencies_raises(combine) -> None:
    with pytest.raises(CurrencyMismatch, match="EUR and GBP do not mix"):
        combine(Money(100, "EUR"), Money(100, "GBP"))


@pytest.mark.parametrize("other", [1, 1.0, Decimal("1.00")], ids=["int", "float", "decimal"])
def test_money_combines_only_with_money(other: object) -> None:
    with pytest.raises(TypeError, match="Money only combines with Money"):
        Money(100) + other  # type: ignore[operator]


@pytest.mark.parametrize("cents", [9.49, 949.0, Decimal("949"), "949", True, None])
def test_cents_must_be_an_integer(cents: object) -> None:
    with pytest.raises(TypeError, match="Money needs integer cents"):
        Money(cents)  # type: ignore[arg-type]


def test_money_is_immutable() -> None:
    price = Money(949)
    with pytest.raises(FrozenInstanceError):
        price.cents = 1  # type: ignore[misc]


def test_times_rounds_once_half_up() -> None:
    assert Money(784).times(Fraction(20, 100)) == Money(157)
    assert Money(5).times(Fraction(1, 2)) == Money(3)
    assert Money(-5).times(Fraction(1, 2)) == Money(-3)
    assert Money(949).times(3) == Money(2847)


@pytest.mark.parametrize("factor", [0.2, Decimal("0.2"), True], ids=["float", "decimal", "bool"])
def test_times_takes_only_exact_factors(factor: object) -> None:
    with pytest.raises(TypeError, match="Money multiplies by int or Fraction only"):
        Money(949).times(factor)  # type: ignore[arg-type]


def test_zero_uses_the_configured_currency() -> None:
    assert Money.zero() == Money(0, "EUR")
    assert Money.zero("GBP") == Money(0, "GBP")


def test_to_decimal_gives_whole_cents() -> None:
    assert Money(949).to_decimal() == Decimal("9.49")
    assert str(Money(5).to_decimal()) == "0.05"
    assert str(Money(-1000).to_decimal()) == "-10.00"
