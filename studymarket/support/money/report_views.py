"""The back office's reports as pages and as CSV downloads (support.money.reports computes them)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.core import clock
from studymarket.core.spreadsheets import csv_amount, csv_document, csv_text
from studymarket.support.money import reports
from studymarket.support.money.views import staff_only


def _year(request: HttpRequest) -> int:
    """?jaar=2026; this year (by the application's clock) when absent or not a year."""
    text = request.GET.get("jaar", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localtime(clock.now()).year


def _csv(name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_only
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "support/money/reports.html", {"years": reports.report_years()})


@staff_only
def report_vat(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {"report": reports.vat_report(year=year), "years": reports.report_years(), "year": year}
    return render(request, "support/money/report_vat.html", context)


@staff_only
def report_vat_csv(request: HttpRequest) -> HttpResponse:
    report = reports.vat_report(year=_year(request))
    header = [
        _("Jaar"),
        _("Kwartaal"),
        _("Land"),
        _("Tarief (%)"),
        _("Omzet incl. btw"),
        _("Grondslag"),
        _("Btw"),
    ]
    rows = [
        [
            report.year,
            row.quarter,
            row.country,
            "" if row.rate_percent is None else row.rate_percent,
            csv_amount(row.sales),
            csv_amount(row.taxable),
            csv_amount(row.vat),
        ]
        for row in report.rows
    ]
    return _csv(f"btw-{report.year}.csv", csv_document(header, rows))


@staff_only
def report_revenue(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {"report": reports.revenue_report(year=year), "years": reports.report_years(), "year": year}
    return render(request, "support/money/report_revenue.html", context)


@staff_only
def report_revenue_csv(request: HttpRequest) -> HttpResponse:
    report = reports.revenue_report(year=_year(request))
    header = [_("Maand"), _("Commissie"), _("Teruggegeven"), _("Correcties"), _("Netto")]
    rows = [
        [
            row.month.strftime("%Y-%m"),
            csv_amount(row.commission),
            csv_amount(row.reversed),
            csv_amount(row.adjusted),
            csv_amount(row.net),
        ]
        for row in report.rows
    ]
    return _csv(f"omzet-{report.year}.csv", csv_document(header, rows))


@staff_only
def report_payables(request: HttpRequest) -> HttpResponse:
    return render(request, "support/money/report_payables.html", {"report": reports.payables_report()})


@staff_only
def report_payables_csv(request: HttpRequest) -> HttpResponse:
    report = reports.payables_report()
    header = [
        _("Verkoper"),
        _("E-mailadres"),
        _("In garantietermijn"),
        _("Beschikbaar"),
        _("Onderweg"),
        _("Te verrekenen"),
        _("Te betalen"),
    ]
    rows = [
        [
            csv_text(row.seller),
            csv_text(row.email),
            csv_amount(row.held),
            csv_amount(row.available),
            csv_amount(row.in_transit),
            csv_amount(row.debt),
            csv_amount(row.payable),
        ]
        for row in report.rows
    ]
    stamp = clock.now().strftime("%Y-%m-%d")
    return _csv(f"verkopers-{stamp}.csv", csv_document(header, rows))
