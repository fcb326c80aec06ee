"""'Start met verkopen' for visitors: what selling on studymarket means (what you earn per sale,
the commission, payouts, the guarantee, what may not be sold) before anyone is asked to sign in,
with a price calculator that needs no account (rate-limited per IP)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from studymarket.core.money import Money
from studymarket.core.page_cache import public_page
from studymarket.core.pricing import price_breakdown
from studymarket.core.ratelimits import rate_limited
from studymarket.selling.forms import price_cents_parse

# The example table: a short summary, a full one, a big exam bundle.
EXAMPLE_PRICES_CENTS = (499, 799, 1299)
CALCULATOR_START = "7,99"
_PRICE_TEXT_MAX = 20


def price_line_context(text: str) -> dict[str, Any]:
    """What the price line says for what the seller typed: the breakdown, an error or a hint."""
    if not text.strip():
        return {"hint": _("Vul een prijs in om te zien wat je per verkoop ontvangt.")}
    try:
        cents = price_cents_parse(text)
    except ValidationError as exc:
        return {"error": exc.messages[0]}
    return {"breakdown": price_breakdown(Money(cents))}


def _info_context() -> dict[str, Any]:
    return {
        "examples": [price_breakdown(Money(cents)) for cents in EXAMPLE_PRICES_CENTS],
        "commission_percent": settings.PLATFORM_COMMISSION_PERCENT,
        "vat_percent": settings.VAT_RATES_PERCENT["NL"],
        "guarantee_days": settings.GUARANTEE_WINDOW_DAYS,
        "payout_minimum": Money(settings.PAYOUT_MINIMUM_CENTS),
        "calculator_price": CALCULATOR_START,
        "price_line": price_line_context(CALCULATOR_START),
    }


@require_GET
def sell_info(request: HttpRequest) -> HttpResponse:
    # The same page for every visitor without a session: cached whole (core.page_cache).
    return public_page(request, lambda: render(request, "selling/sell_info.html", _info_context()))


@require_GET
@rate_limited("sell_price_ip")
def sell_info_price(request: HttpRequest) -> HttpResponse:
    """The calculator's line (selling/_price_line.html) for anyone, signed in or not; without
    JavaScript the form comes here and gets the whole page with its answer (never cached)."""
    price = request.GET.get("price", "")[:_PRICE_TEXT_MAX]
    if request.headers.get("HX-Request") == "true":
        return render(request, "selling/_price_line.html", {"price_line": price_line_context(price)})
    context = {**_info_context(), "calculator_price": price, "price_line": price_line_context(price)}
    return render(request, "selling/sell_info.html", context)
