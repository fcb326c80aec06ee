""" "Jaaroverzicht": the seller's yearly earnings statement (selling.earnings_statement) on a
page with a year picker, and as a PDF and a CSV to download. Only ever the signed-in seller's
own: the URLs carry a year, never a seller, and a year without activity answers 404."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studymarket.accounts.decorators import HtmxHttpRequest, seller_required
from studymarket.accounts.models import SellerProfile
from studymarket.selling.earnings_statement import (
    EarningsStatement,
    earnings_statement_get,
    earnings_statement_years,
)
from studymarket.selling.earnings_statement_csv import earnings_statement_csv


def _statement(seller: SellerProfile, year: int) -> EarningsStatement:
    if year not in earnings_statement_years(seller_id=seller.pk):
        raise Http404
    return earnings_statement_get(seller=seller, year=year)


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
@seller_required
def statement(request: HtmxHttpRequest, seller: SellerProfile) -> HttpResponse:
    years = earnings_statement_years(seller_id=seller.pk)
    try:
        year = int(request.GET.get("jaar", ""))
    except ValueError:
        year = years[0] if years else 0
    if year not in years:
        year = years[0] if years else 0
    context = {
        "years": years,
        "year": year,
        "statement": earnings_statement_get(seller=seller, year=year) if year else None,
    }
    return render(request, "selling/earnings_statement.html", context)


@require_GET
@never_cache
@seller_required
def statement_pdf(request: HtmxHttpRequest, seller: SellerProfile, year: int) -> HttpResponse:
    # reportlab (and Pillow) load on the first statement asked for, not in every web process.
    from studymarket.selling.earnings_statement_pdf import earnings_statement_pdf

    content = earnings_statement_pdf(_statement(seller, year))
    return _download(
        content, content_type="application/pdf", filename=f"jaaroverzicht-{year}-studymarket.pdf"
    )


@require_GET
@never_cache
@seller_required
def statement_csv(request: HtmxHttpRequest, seller: SellerProfile, year: int) -> HttpResponse:
    content = earnings_statement_csv(_statement(seller, year))
    return _download(
        content, content_type="text/csv; charset=utf-8", filename=f"jaaroverzicht-{year}-studymarket.csv"
    )
