"""The one fee-and-VAT function (DESIGN.md §1): prices include VAT; the platform's
commission is a percentage of the price excluding VAT. Rounded once, to cents,
half away from zero (core.money.round_half_up)."""

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
