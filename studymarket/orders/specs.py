"""What checkout asks an order to contain: one LineSpec per line (ADR 0028).

The caller above (checkout) has priced each line already: a listing at its own price, or its
share of a bundle's price (core.pricing.split_cents), and what a discount code takes off it
(promotions' quote, within core.pricing.max_discount_cents). orders.services.order_create
turns each into a snapshot line with its VAT and commission."""

from dataclasses import dataclass

from studymarket.catalog.models import Listing


@dataclass(frozen=True)
class LineSpec:
    listing: Listing
    bundle_id: int | None  # bought as part of this bundle, or None
    list_price_cents: int  # before the code: the listing's price, or its bundle share
    discount_cents: int = 0
    discount_funder: str = ""  # "", core.pricing.FUNDER_SELLER or FUNDER_PLATFORM

    def __post_init__(self) -> None:
        if self.list_price_cents < 0 or self.discount_cents < 0:
            raise ValueError(f"A line cannot cost or take off a negative amount: {self}")
        if self.discount_cents > self.list_price_cents:
            raise ValueError(f"A discount larger than the line's price: {self}")
