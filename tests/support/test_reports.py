"""The back office's reports, as pages and as CSV for the accountant: VAT per country per quarter
(EU one-stop shop), platform revenue per month, what we owe each seller. Exact amounts from
sales posted by order_mark_paid (core.pricing: € 9,49 → VAT € 1,65, commission € 1,57, seller
€ 6,27), a refund through order_line_reverse, and a staff correction."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Listing
from studymarket.core import clock
from studymarket.core.money import Money
from studymarket.ledger.journals import Line
from studymarket.ledger.models import AccountKind
from studymarket.ledger.payouts.services import payout_request
from studymarket.ledger.postings import adjustment_post
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_create, order_line_reverse, order_mark_paid
from studymarket.payments.models import Payment, PaymentStatus, Refund, RefundOrigin, RefundStatus
from studymarket.support.money import reports
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.support.test_money_views import login, released_sales, seller_with_details

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BOM = "\ufeff"


def sale_at(when: datetime, *, listing: Listing, country: str = "NL") -> OrderLine:
    order = order_create(buyer=UserFactory(), listings=[listing], buyer_country=country)
    order_mark_paid(order_id=order.pk, paid_at=when)
    Payment.objects.create(
        order=order,
        provider="simulated",
        method="ideal",
        amount_cents=order.total_cents,
        status=PaymentStatus.PAID,
        idempotency_key=f"test:{order.number}",
        paid_at=when,
    )
    line: OrderLine = order.lines.get()
    return line


def refunded(line: OrderLine) -> None:
    """The line's money went back (a refund found at the provider): booked today."""
    with transaction.atomic():
        refund = Refund.objects.create(
            payment=line.order.payments.get(),
            order_line=line,
            origin=RefundOrigin.EXTERNAL,
            amount_cents=line.price_cents,
            status=RefundStatus.REFUNDED,
            provider_id=f"re_{line.pk}",
            completed_at=clock.now(),
        )
        assert order_line_reverse(order_line_id=line.pk, source="refund", refund_id=refund.pk, reason="test")


@pytest.fixture
def staff() -> User:
    user: User = UserFactory(is_staff=True)
    return user


@pytest.fixture
def staff_client(client, staff):
    login(client, staff)
    return client


@pytest.fixture
def year_of_sales(staff) -> int:
    """2026 (the clock's year in these tests is the real one, so it is pinned here): NL and BE in
    Q1, a € 20,00 sale in Q3, the first NL sale refunded in Q4, a correction of +€ 1,00 revenue
    in Q4, and a sale in 2025 that no 2026 report counts."""
    year = clock.now().astimezone(AMSTERDAM).year
    listing = ListingFactory()
    dear = ListingFactory(price_cents=2000)
    first = sale_at(datetime(year, 2, 10, 12, tzinfo=AMSTERDAM), listing=listing)
    sale_at(datetime(year, 2, 20, 12, tzinfo=AMSTERDAM), listing=listing, country="BE")
    sale_at(datetime(year, 8, 1, 12, tzinfo=AMSTERDAM), listing=dear)
    sale_at(datetime(year - 1, 12, 31, 23, 30, tzinfo=AMSTERDAM), listing=listing)  # local time: 2025
    # Everything after Q3 is "now" (the refund and the correction are booked at the clock's now).
    assert clock.now().astimezone(AMSTERDAM).month >= 10, "this test expects to run in Q4"
    refunded(first)
    adjustment_post(
        token=uuid.uuid4().hex,
        actor=staff,
        reason="Vergeten commissie",
        lines=[Line(AccountKind.PLATFORM_REVENUE, Money(-100)), Line(AccountKind.ADJUSTMENTS, Money(100))],
    )
    return year


def test_vat_per_country_per_quarter(staff_client, year_of_sales, ledger_balanced):
    year = year_of_sales
    report = reports.vat_report(year=year)
    rows = [
        (r.quarter, r.country, r.rate_percent, r.sales.cents, r.taxable.cents, r.vat.cents)
        for r in report.rows
    ]
    assert rows == [
        (1, "BE", 21, 949, 784, 165),
        (1, "NL", 21, 949, 784, 165),
        (3, "NL", 21, 2000, 1653, 347),
        (4, "NL", 21, -949, -784, -165),
    ]
    assert (report.total_sales.cents, report.total_taxable.cents, report.total_vat.cents) == (2949, 2437, 512)

    response = staff_client.get(reverse("support:report_vat"), {"jaar": year})
    html = response.content.decode()
    assert f"Btw per land per kwartaal, {year}" in html
    assert (
        f"<tr><td>{year}-K3</td><td>NL</td><td>21 %</td><td>€ 20,00</td><td>€ 16,53</td><td>€ 3,47</td></tr>"
        in html
    )
    assert "<td>€ 29,49</td><td>€ 24,37</td><td>€ 5,12</td>" in html
    assert f'<option value="{year - 1}">' in html  # the year with the 2025 sale can be chosen
    assert "bedragen met een decimale komma zonder euroteken (9,49)" in html


def test_vat_csv_is_for_dutch_excel(staff_client, year_of_sales):
    year = year_of_sales
    response = staff_client.get(reverse("support:report_vat_csv"), {"jaar": year})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="btw-{year}.csv"'
    assert response.content.decode("utf-8") == (
        f"{BOM}Jaar;Kwartaal;Land;Tarief (%);Omzet incl. btw;Grondslag;Btw\r\n"
        f"{year};1;BE;21;9,49;7,84;1,65\r\n"
        f"{year};1;NL;21;9,49;7,84;1,65\r\n"
        f"{year};3;NL;21;20,00;16,53;3,47\r\n"
        f"{year};4;NL;21;-9,49;-7,84;-1,65\r\n"
    )


def test_vat_of_the_year_before(staff_client, year_of_sales):
    response = staff_client.get(reverse("support:report_vat_csv"), {"jaar": year_of_sales - 1})
    assert response.content.decode("utf-8").splitlines()[1:] == [
        f"{year_of_sales - 1};4;NL;21;9,49;7,84;1,65"
    ]


def test_a_year_that_is_not_a_year_means_this_year(staff_client, year_of_sales):
    response = staff_client.get(reverse("support:report_vat"), {"jaar": "../../etc"})
    assert response.context["year"] == year_of_sales


def test_platform_revenue_per_month(staff_client, year_of_sales, ledger_balanced):
    year = year_of_sales
    this_month = clock.now().astimezone(AMSTERDAM).month
    report = reports.revenue_report(year=year)
    rows = [
        (r.month.month, r.commission.cents, r.reversed.cents, r.adjusted.cents, r.net.cents)
        for r in report.rows
    ]
    assert rows == [(2, 314, 0, 0, 314), (8, 331, 0, 0, 331), (this_month, 0, 157, 100, -57)]
    assert report.total is not None
    assert report.total.net.cents == 588

    html = staff_client.get(reverse("support:report_revenue"), {"jaar": year}).content.decode()
    assert (
        f"<tr><td>februari {year}</td><td>€ 3,14</td><td>€ 0,00</td><td>€ 0,00</td><td>€ 3,14</td></tr>"
        in html
    )

    response = staff_client.get(reverse("support:report_revenue_csv"), {"jaar": year})
    assert response["Content-Disposition"] == f'attachment; filename="omzet-{year}.csv"'
    assert response.content.decode("utf-8") == (
        f"{BOM}Maand;Commissie;Teruggegeven;Correcties;Netto\r\n"
        f"{year}-02;3,14;0,00;0,00;3,14\r\n"
        f"{year}-08;3,31;0,00;0,00;3,31\r\n"
        f"{year}-{this_month:02d};0,00;1,57;1,00;-0,57\r\n"
    )


def test_an_empty_year_says_so(staff_client):
    html = staff_client.get(reverse("support:report_revenue"), {"jaar": 2001}).content.decode()
    assert "Geen omzet geboekt in 2001." in html
    response = staff_client.get(reverse("support:report_vat_csv"), {"jaar": 2001})
    assert (
        response.content.decode("utf-8")
        == f"{BOM}Jaar;Kwartaal;Land;Tarief (%);Omzet incl. btw;Grondslag;Btw\r\n"
    )


@pytest.fixture
def sellers() -> tuple[SellerProfile, SellerProfile]:
    """Anna: one sale held (€ 6,27). "=Zorro" (a name that is a formula to Excel): two sales
    released and paid out (a payout of € 12,54 on its way), a third held."""
    zorro = seller_with_details("Zorro")
    SellerProfile.objects.filter(pk=zorro.pk).update(display_name="=Zorro")
    zorro.refresh_from_db()
    released_sales(seller=zorro, count=2)
    payout_request(seller=zorro)
    sale_at(clock.now(), listing=ListingFactory(seller=zorro))
    anna: SellerProfile = SellerFactory(display_name="Anna")
    sale_at(clock.now(), listing=ListingFactory(seller=anna))
    return anna, zorro


def test_seller_payables(staff_client, sellers, ledger_balanced):
    anna, zorro = sellers
    report = reports.payables_report()
    rows = [
        (r.seller, r.held.cents, r.available.cents, r.in_transit.cents, r.debt.cents, r.payable.cents)
        for r in report.rows
    ]
    assert rows == [("=Zorro", 627, 0, 1254, 0, 1881), ("Anna", 627, 0, 0, 0, 627)]
    assert report.total.payable.cents == 2508

    html = staff_client.get(reverse("support:report_payables")).content.decode()
    assert "<td>€ 6,27</td><td>€ 0,00</td><td>€ 12,54</td><td>€ 0,00</td><td>€ 18,81</td>" in html

    response = staff_client.get(reverse("support:report_payables_csv"))
    stamp = clock.now().strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="verkopers-{stamp}.csv"'
    assert response.content.decode("utf-8") == (
        f"{BOM}Verkoper;E-mailadres;In garantietermijn;Beschikbaar;Onderweg;Te verrekenen;Te betalen\r\n"
        f"'=Zorro;{zorro.user.email};6,27;0,00;12,54;0,00;18,81\r\n"
        f"Anna;{anna.user.email};6,27;0,00;0,00;0,00;6,27\r\n"
    )


def test_report_index_links_every_report(staff_client):
    html = staff_client.get(reverse("support:reports")).content.decode()
    for name in ["support:report_vat", "support:report_revenue", "support:report_payables"]:
        assert f'href="{reverse(name)}"' in html
