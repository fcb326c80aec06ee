"""What checkout hands discount_quote, and what it gets back (ADR 0028): plain values, so the
cart, checkout and the API can ask for a quote without promotions knowing their models."""

from dataclasses import dataclass
from typing import Literal

Funder = Literal["seller", "platform"]


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One line the order would have: a listing at its own price, or one document of a bundle at
    its share of the bundle price (``bundle_id`` set)."""

    listing_id: int
    bundle_id: int | None
    seller_id: int
    list_price_cents: int


@dataclass(frozen=True, slots=True)
class DiscountQuote:
    """The discount a code gives on the lines asked about: ``per_line`` is aligned with them (0
    for a line the code does not cover), each line already capped (core.pricing.max_discount_cents);
    ``total_cents`` is their sum. ``funder`` pays for every discounted line."""

    code_id: int
    code: str
    funder: Funder
    per_line: tuple[int, ...]
    total_cents: int

    def __post_init__(self) -> None:
        assert sum(self.per_line) == self.total_cents
        assert all(cents >= 0 for cents in self.per_line)
