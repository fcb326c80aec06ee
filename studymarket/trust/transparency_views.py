"""The yearly transparency figures in the back office (DSA arts 15, 24): a page and a CSV file."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from studymarket.accounts.decorators import staff_only
from studymarket.core import clock
from studymarket.trust.transparency import transparency_csv as report_csv
from studymarket.trust.transparency import transparency_report, transparency_years


def _year(request: HttpRequest) -> int:
    """?jaar=2026; this year (by the application's clock) when absent or not a year."""
    text = request.GET.get("jaar", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localtime(clock.now()).year


@staff_only
def transparency(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {"report": transparency_report(year=year), "years": transparency_years(), "year": year}
    return render(request, "trust/transparency.html", context)


@staff_only
def transparency_csv(request: HttpRequest) -> HttpResponse:
    report = transparency_report(year=_year(request))
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transparantie-{report.year}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
