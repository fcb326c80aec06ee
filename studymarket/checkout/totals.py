"""The cart priced as the order will be: each line's list price, the discount the applied code
gives it (promotions.services.discount_quote), VAT on what is paid (ADR 0028). Also which
pending order of the buyer is "this cart" (checking it out again continues that order)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.checkout.contents import CartBundle, CartContents, PlannedLine
from studymarket.checkout.selectors import claim_refusal, open_order_claims
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.core.pricing import price_breakdown
from studymarket.orders.models import Order, OrderStatus
from studymarket.promotions.quotes import DiscountQuote
from studymarket.promotions.services import discount_quote

# How many of a buyer's newest unpaid orders a checkout compares its cart with.
PENDING_ORDERS_COMPARED = 5


def order_pending_for(*, buyer: User, lines: Sequence[PlannedLine], discount_code: str) -> Order | None:
    """The buyer's unpaid order for exactly these lines (listing, bundle, list price at today's
    prices) with this code, if there is one: checking the same cart out again continues it
    instead of making a second order (and a second payment that could be paid too). A
    changed price, bundle or code is another order."""
    if not lines:
        return None
    wanted = {(line.listing.pk, line.bundle_id, line.list_price_cents) for line in lines}
    pending = Order.objects.filter(
        buyer=buyer, status=OrderStatus.PENDING, discount_code=discount_code
    ).prefetch_related("lines")
    for order in pending.order_by("-created_at", "-pk")[:PENDING_ORDERS_COMPARED]:
        if {(line.listing_id, line.bundle_id, line.list_price_cents) for line in order.lines.all()} == wanted:
            return order
    return None


@dataclass(frozen=True, slots=True)
class Discounts:
    """What a code takes off each planned line (aligned with them)."""

    per_line: tuple[int, ...]
    funder: str  # "", "seller" or "platform"
    quote: DiscountQuote | None  # a fresh quote; None when continuing ``pending`` (or no code)
    pending: Order | None  # the buyer's unpaid order for this very cart and code

    @property
    def total_cents(self) -> int:
        return sum(self.per_line)


def lines_discounted(
    *, user: User | None, lines: Sequence[PlannedLine], code: str, ip: str | None = None
) -> Discounts:
    """The discounts ``code`` ("" for none) gives these lines, and the buyer's unpaid order for
    this very cart and code if there is one; raises ApplicationError (the reason, for the
    buyer) when the code does not apply. Such an order already holds its use of the code (one
    per buyer): its discounts stand and the code is not asked again."""
    if not lines:
        return Discounts(per_line=(), funder="", quote=None, pending=None)
    pending = order_pending_for(buyer=user, lines=lines, discount_code=code) if user is not None else None
    if pending is not None:
        by_listing = {line.listing_id: line for line in pending.lines.all()}
        per_line = tuple(by_listing[line.listing.pk].discount_cents for line in lines)
        funders = {line.discount_funder for line in by_listing.values() if line.discount_funder}
        return Discounts(
            per_line=per_line, funder=funders.pop() if funders else "", quote=None, pending=pending
        )
    if not code:
        return Discounts(per_line=(0,) * len(lines), funder="", quote=None, pending=None)
    quote = discount_quote(code=code, buyer=user, lines=[line.quote_line() for line in lines], ip=ip)
    return Discounts(per_line=quote.per_line, funder=quote.funder, quote=quote, pending=None)


@dataclass(frozen=True)
class CartSummary:
    contents: CartContents
    lines: list[PlannedLine]
    discounts: Discounts
    code: str  # the code the buyer applied, "" for none
    code_error: str  # why that code does not apply (now), "" when it does
    total: Money  # VAT included, after the discount
    vat: Money
    discount: Money

    def __bool__(self) -> bool:
        return bool(self.contents)

    @property
    def listings(self) -> list[Listing]:
        return self.contents.listings

    @property
    def bundles(self) -> list[CartBundle]:
        return self.contents.bundles

    @property
    def subtotal(self) -> Money:
        return self.total + self.discount

    def _discount_of(self, *, listing_id: int | None = None, bundle_id: int | None = None) -> Money:
        cents = sum(
            discount
            for line, discount in zip(self.lines, self.discounts.per_line, strict=True)
            if (line.bundle_id is None and line.listing.pk == listing_id)
            or (bundle_id is not None and line.bundle_id == bundle_id)
        )
        return Money(cents, settings.CURRENCY)

    @property
    def listing_rows(self) -> list["ListingRow"]:
        return [
            ListingRow(
                listing=listing, price=listing.price, discount=self._discount_of(listing_id=listing.pk)
            )
            for listing in self.listings
        ]

    @property
    def bundle_rows(self) -> list["BundleRow"]:
        return [
            BundleRow(item=item, price=item.price, discount=self._discount_of(bundle_id=item.pk))
            for item in self.bundles
        ]


@dataclass(frozen=True, slots=True)
class _Priced:
    price: Money  # before the code
    discount: Money

    @property
    def paid(self) -> Money:
        return self.price - self.discount


@dataclass(frozen=True, slots=True)
class ListingRow(_Priced):
    listing: Listing

    @property
    def pk(self) -> int:
        return self.listing.pk


@dataclass(frozen=True, slots=True)
class BundleRow(_Priced):
    item: CartBundle

    @property
    def pk(self) -> int:
        return self.item.pk


def cart_summary(
    *,
    contents: CartContents,
    user: User | None = None,
    code: str = "",
    ip: str | None = None,
    country: str = "NL",
) -> CartSummary:
    """Totals as the order will snapshot them (one breakdown per line, VAT on what is paid,
    then summed). A code that does not apply is left out of the totals, with its reason."""
    lines = contents.lines()
    discounts = Discounts(per_line=(0,) * len(lines), funder="", quote=None, pending=None)
    code_error = ""
    if code and lines:
        try:
            discounts = lines_discounted(user=user, lines=lines, code=code, ip=ip)
        except ApplicationError as exc:
            code_error = exc.message
    paid = [
        price_breakdown(Money(line.list_price_cents - d, settings.CURRENCY), country=country)
        for line, d in zip(lines, discounts.per_line, strict=True)
    ]
    return CartSummary(
        contents=contents,
        lines=lines,
        discounts=discounts,
        code=code,
        code_error=code_error,
        total=sum((b.gross for b in paid), Money.zero()),
        vat=sum((b.vat for b in paid), Money.zero()),
        discount=Money(discounts.total_cents, settings.CURRENCY),
    )


def open_order_refusals(*, user: User, summary: CartSummary) -> dict[int, str]:
    """listing id → why the cart cannot be checked out now, for those another open order of
    the buyer still may be paid for (the cart and the checkout page mark them). An order for
    exactly this cart is no other order: checking out continues it."""
    same = order_pending_for(
        buyer=user, lines=summary.lines, discount_code=summary.code if not summary.code_error else ""
    )
    listings = [line.listing for line in summary.lines]
    refusals: dict[int, str] = {}
    for claim in open_order_claims(user=user, listings=listings, exclude_order_id=same.pk if same else None):
        if claim.payable:
            refusals.setdefault(claim.listing_id, claim_refusal(claim))
    return refusals
