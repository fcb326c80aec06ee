"""The back office's reports as pages and as CSV downloads (support.money.reports computes them)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.core import clock
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
            reports.csv_amount(row.sales),
            reports.csv_amount(row.taxable),
            reports.csv_amount(row.vat),
        ]
        for row in report.rows
    ]
    return _csv(f"btw-{report.year}.csv", reports.csv_document(header, rows))


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
            reports.csv_amount(row.commission),
            reports.csv_amount(row.reversed),
            reports.csv_amount(row.adjusted),
            reports.csv_amount(row.net),
        ]
        for row in report.rows
    ]
    return _csv(f"omzet-{report.year}.csv", reports.csv_document(header, rows))


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
            reports.csv_text(row.seller),
            reports.csv_text(row.email),
            reports.csv_amount(row.held),
            reports.csv_amount(row.available),
            reports.csv_amount(row.in_transit),
            reports.csv_amount(row.debt),
            reports.csv_amount(row.payable),
        ]
        for row in report.rows
    ]
    stamp = clock.now().strftime("%Y-%m-%d")
    return _csv(f"verkopers-{stamp}.csv", reports.csv_document(header, rows))
