"""The one fee-and-VAT function (DESIGN.md §1): prices include VAT; the platform's
commission is a percentage of the price excluding VAT. Rounded once, to cents,
half away from zero (core.money.round_half_up)."""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings

from studymarket.core.money import Money


@dataclass(frozen=True, slots=True)
class PriceBreakdown:
    gross: Money  # what the buyer pays, VAT included
    vat: Money
    vat_rate_percent: int
    net: Money  # gross minus VAT
    commission: Money  # the platform's fee, of the net price
    seller_share: Money  # what the seller receives

    def __post_init__(self) -> None:
        assert self.vat + self.net == self.gross
        assert self.commission + self.seller_share == self.net


def vat_rate_percent(country: str) -> int:
    try:
        return int(settings.VAT_RATES_PERCENT[country])
    except KeyError:
        raise ValueError(f"No VAT rate configured for country {country!r}") from None


def price_breakdown(gross: Money, *, country: str = "NL") -> PriceBreakdown:
    rate = vat_rate_percent(country)
    vat = gross.times(Fraction(rate, 100 + rate))
    net = gross - vat
    commission = net.times(Fraction(settings.PLATFORM_COMMISSION_PERCENT, 100))
    return PriceBreakdown(
        gross=gross,
        vat=vat,
        vat_rate_percent=rate,
        net=net,
        commission=commission,
        seller_share=net - commission,
    )


def split_cents(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_cents`` over items in proportion to ``weights`` (a bundle's price over its
    documents' list prices, ADR 0028) in whole cents that add up exactly: each item gets the
    floor of its exact share, and the cents left over go one each to the largest remainders,
    ties to the earlier item. All weights zero: split evenly the same way."""
    if total_cents < 0:
        raise ValueError(f"Cannot split a negative amount: {total_cents}")
    if not weights:
        raise ValueError("Nothing to split over")
    if any(weight < 0 for weight in weights):
        raise ValueError(f"Cannot split over negative weights: {list(weights)}")
    if sum(weights) == 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    exact = [Fraction(total_cents * weight, whole) for weight in weights]
    shares = [int(share) for share in exact]  # floor: every share is ≥ 0
    left = total_cents - sum(shares)
    # Largest remainder first; on a tie the earlier item (a stable sort keeps their order).
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


# Who pays for a discount on an order line (orders.OrderLine.discount_funder); "" for none.
FUNDER_SELLER = "seller"  # a seller's own code: it comes out of the seller's share
FUNDER_PLATFORM = "platform"  # a campaign code: the platform books it as an expense
FUNDERS = frozenset({FUNDER_SELLER, FUNDER_PLATFORM})


@dataclass(frozen=True, slots=True)
class DiscountedBreakdown:
    """An order line's money when a discount code took ``discount`` off its list price
    (ADR 0028). VAT is on what is paid; the commission stays that of the list price; the
    discount excluding VAT (``discount_net``, Δ) is borne by the seller's share (seller-funded)
    or by the platform as an expense (``platform_cost``, platform-funded)."""

    list_price: Money  # g0: before the code
    gross: Money  # g1 = g0 − discount: what the buyer pays, VAT included
    discount: Money
    vat: Money  # of g1
    vat_rate_percent: int
    net: Money  # g1 − VAT
    commission: Money  # of the list price (B0.commission), whoever funds the discount
    seller_share: Money
    discount_net: Money  # Δ = B0.net − net
    funder: str  # "", FUNDER_SELLER or FUNDER_PLATFORM
    platform_cost: Money  # Δ for a platform-funded discount, else zero

    def __post_init__(self) -> None:
        assert self.list_price - self.discount == self.gross
        assert self.vat + self.net == self.gross
        # What the buyer paid (net) plus what the platform adds covers commission and share.
        assert self.commission + self.seller_share == self.net + self.platform_cost
        assert self.seller_share.cents >= 0
        assert self.platform_cost.cents >= 0


def discounted_breakdown(
    gross: Money, *, discount_cents: int, funder: str, country: str = "NL"
) -> DiscountedBreakdown:
    """The breakdown of a line whose list price ``gross`` (g0) is lowered by ``discount_cents``.
    ``funder`` is "" only with no discount. Raises ValueError for a discount below zero or
    above the cap (max_discount_cents): the caller caps each line before it gets here."""
    if discount_cents and funder not in FUNDERS:
        raise ValueError(f"A discount needs a funder, not {funder!r}")
    if discount_cents < 0:
        raise ValueError(f"A discount cannot be negative: {discount_cents}")
    if discount_cents > max_discount_cents(gross, funder=funder or FUNDER_PLATFORM, country=country):
        raise ValueError(f"A discount of {discount_cents} cents exceeds the cap on {gross}")
    if not discount_cents:
        funder = ""
    before = price_breakdown(gross, country=country)
    discount = Money(discount_cents, gross.currency)
    paid = price_breakdown(gross - discount, country=country)
    delta = before.net - paid.net
    platform_funded = funder == FUNDER_PLATFORM
    return DiscountedBreakdown(
        list_price=gross,
        gross=paid.gross,
        discount=discount,
        vat=paid.vat,
        vat_rate_percent=paid.vat_rate_percent,
        net=paid.net,
        commission=before.commission,
        seller_share=before.seller_share if platform_funded else before.seller_share - delta,
        discount_net=delta,
        funder=funder,
        platform_cost=delta if platform_funded else Money.zero(gross.currency),
    )


def _discount_net(gross: Money, discount_cents: int, country: str) -> int:
    before = price_breakdown(gross, country=country)
    return (
        before.net - price_breakdown(gross - Money(discount_cents, gross.currency), country=country).net
    ).cents


def max_discount_cents(gross: Money, *, funder: str, country: str = "NL") -> int:
    """The largest discount one line of list price ``gross`` may get. Platform-funded: all but
    one cent (a payment of € 0,00 cannot be taken by the provider, and a free order has no path
    of its own). Seller-funded: as much as keeps the seller's share at zero or above, i.e.
    Δ ≤ B0.seller_share (Δ grows with the discount, one cent at most per cent, so the largest
    such discount is found by bisection)."""
    if gross.cents <= 0:
        return 0
    if funder == FUNDER_PLATFORM:
        return gross.cents - 1
    if funder != FUNDER_SELLER:
        raise ValueError(f"Unknown discount funder {funder!r}")
    share = price_breakdown(gross, country=country).seller_share.cents
    low, high = 0, gross.cents  # Δ(low) ≤ share always holds (Δ(0) = 0)
    while low < high:
        middle = (low + high + 1) // 2
        if _discount_net(gross, middle, country) <= share:
            low = middle
        else:
            high = middle - 1
    return low
