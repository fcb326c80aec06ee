"""The one money type: integer minor units plus a currency. Never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings


class CurrencyMismatch(ValueError):
    pass


def round_half_up(value: Fraction) -> int:
    """The project's single rounding rule: to whole cents, halves away from zero."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    if remainder * 2 >= magnitude.denominator:
        whole += 1
    return sign * whole


@dataclass(frozen=True, slots=True)
class Money:
    cents: int
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not isinstance(self.cents, int) or isinstance(self.cents, bool):
            raise TypeError(f"Money needs integer cents, got {type(self.cents).__name__}")

    @classmethod
    def zero(cls, currency: str | None = None) -> Money:
        return cls(0, currency or settings.CURRENCY)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money only combines with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} do not mix")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.cents < other.cents

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.cents <= other.cents

    def times(self, factor: Fraction | int) -> Money:
        """Multiply by an exact factor, rounding once with the project's rule."""
        if not isinstance(factor, Fraction | int) or isinstance(factor, bool):
            raise TypeError(f"Money multiplies by int or Fraction only, got {type(factor).__name__}")
        return Money(round_half_up(Fraction(self.cents) * Fraction(factor)), self.currency)

    def to_decimal(self) -> Decimal:
        """For display and provider adapters only (e.g. Mollie wants "9.49")."""
        return (Decimal(self.cents) / 100).quantize(Decimal("0.01"))
