"""The back office's reports, read from the ledger's entries: VAT per country per quarter (the
EU one-stop shop return), the platform's revenue per month, and what we owe each seller.

All amounts are sums of ledger entries (never of order lines), so a report agrees with the
ledger check by construction. A journal counts in the period of its ``booked_at`` (a sale: when
it was paid; a refund: when it was refunded), in the platform's time zone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Min, Q, Sum
from django.utils import timezone

from studymarket.core import clock
from studymarket.core.money import Money
from studymarket.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Journal,
    JournalSource,
    Payout,
    PayoutStatus,
)

_SALE_SOURCES = (JournalSource.SALE, JournalSource.REFUND, JournalSource.CHARGEBACK)
_REVERSALS = (JournalSource.REFUND, JournalSource.CHARGEBACK)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def report_years() -> list[int]:
    """The years that have journals, newest first; at least the current year."""
    first = Journal.objects.aggregate(first=Min("booked_at"))["first"]
    this_year = timezone.localtime(clock.now()).year
    start = timezone.localtime(first).year if first else this_year
    return list(range(max(this_year, start), min(start, this_year) - 1, -1))


def _money(cents: int) -> Money:
    return Money(cents, settings.CURRENCY)


# ---------------------------------------------------------------------------------------------
# VAT per country per quarter


@dataclass(frozen=True)
class VatRow:
    quarter: int
    country: str
    rate_percent: int | None
    sales: Money  # incl. VAT, refunds subtracted
    taxable: Money  # excl. VAT: the one-stop shop's "taxable amount"
    vat: Money  # what we owe the country


@dataclass(frozen=True)
class VatReport:
    year: int
    rows: list[VatRow]
    total_sales: Money
    total_taxable: Money
    total_vat: Money


@dataclass
class _JournalVat:
    at: datetime
    source: str
    gross: int = 0
    vat: dict[str, int] = field(default_factory=dict)  # country → cents owed


def vat_report(*, year: int) -> VatReport:
    """Per quarter and buyer country: sales, taxable amount and VAT owed. Sales and refunds
    (and chargebacks) count with their gross and VAT; a staff correction on a VAT account
    changes the VAT only."""
    start, end = _year_bounds(year)
    entries = Entry.objects.filter(
        journal__booked_at__gte=start,
        journal__booked_at__lt=end,
    ).filter(
        Q(account__kind=AccountKind.VAT_PAYABLE)
        | Q(
            journal__source__in=_SALE_SOURCES,
            account__kind__in=[AccountKind.PROVIDER_CLEARING, AccountKind.REFUNDS],
        )
    )
    journals: dict[int, _JournalVat] = {}
    for journal_id, booked_at, source, kind, key, cents in entries.values_list(
        "journal_id", "journal__booked_at", "journal__source", "account__kind", "account__key", "amount_cents"
    ):
        item = journals.setdefault(journal_id, _JournalVat(at=booked_at, source=source))
        if kind == AccountKind.VAT_PAYABLE:
            item.vat[key] = item.vat.get(key, 0) - cents  # a credit is VAT owed
        else:
            item.gross += cents  # a sale's clearing entry is +gross; a reversal's refunds entry −gross
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # sales, taxable, vat
    for item in journals.values():
        quarter = (timezone.localtime(item.at).month - 1) // 3 + 1
        for country, vat_cents in item.vat.items():
            row = sums[(quarter, country)]
            row[2] += vat_cents
            if item.source in _SALE_SOURCES:
                row[0] += item.gross
                row[1] += item.gross - vat_cents
    rows = [
        VatRow(
            quarter=quarter,
            country=country,
            rate_percent=settings.VAT_RATES_PERCENT.get(country),
            sales=_money(sales),
            taxable=_money(taxable),
            vat=_money(vat),
        )
        for (quarter, country), (sales, taxable, vat) in sorted(sums.items())
    ]
    return VatReport(
        year=year,
        rows=rows,
        total_sales=_money(sum(r.sales.cents for r in rows)),
        total_taxable=_money(sum(r.taxable.cents for r in rows)),
        total_vat=_money(sum(r.vat.cents for r in rows)),
    )


# ---------------------------------------------------------------------------------------------
# Platform revenue per month


@dataclass(frozen=True)
class RevenueRow:
    month: date  # the first of the month
    commission: Money  # earned on sales
    reversed: Money  # given back with refunds and chargebacks (a positive amount)
    adjusted: Money  # staff corrections (signed: + is more revenue)
    net: Money


@dataclass(frozen=True)
class RevenueReport:
    year: int
    rows: list[RevenueRow]
    total: RevenueRow | None


def revenue_report(*, year: int) -> RevenueReport:
    """The platform's commission per month: earned, given back, corrected, net (a credit on
    the platform_revenue account is revenue)."""
    start, end = _year_bounds(year)
    sums: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for booked_at, source, cents in Entry.objects.filter(
        account__kind=AccountKind.PLATFORM_REVENUE, journal__booked_at__gte=start, journal__booked_at__lt=end
    ).values_list("journal__booked_at", "journal__source", "amount_cents"):
        local = timezone.localtime(booked_at)
        row = sums[date(local.year, local.month, 1)]
        if source == JournalSource.SALE:
            row[0] -= cents
        elif source in _REVERSALS:
            row[1] += cents
        else:
            row[2] -= cents
    rows = [
        RevenueRow(
            month=month,
            commission=_money(c),
            reversed=_money(r),
            adjusted=_money(a),
            net=_money(c - r + a),
        )
        for month, (c, r, a) in sorted(sums.items())
    ]
    total = (
        RevenueRow(
            month=date(year, 1, 1),
            commission=_money(sum(r.commission.cents for r in rows)),
            reversed=_money(sum(r.reversed.cents for r in rows)),
            adjusted=_money(sum(r.adjusted.cents for r in rows)),
            net=_money(sum(r.net.cents for r in rows)),
        )
        if rows
        else None
    )
    return RevenueReport(year=year, rows=rows, total=total)


# ---------------------------------------------------------------------------------------------
# Seller payables


@dataclass(frozen=True)
class PayableRow:
    seller_id: int
    seller: str
    email: str
    held: Money  # in the guarantee window
    available: Money  # may be paid out
    debt: Money  # refunds after payout, settled from later earnings
    in_transit: Money  # paid out, not yet confirmed by the bank (still ours to owe)
    payable: Money  # held + available + in transit − debt: what we owe the seller now


@dataclass(frozen=True)
class PayablesReport:
    rows: list[PayableRow]
    total: PayableRow


def payables_report() -> PayablesReport:
    """Each seller with a balance: held, available, debt (as of now, from the balance cache
    that ledger_check verifies) and payouts on their way."""
    balances: dict[int, dict[str, int]] = defaultdict(dict)
    names: dict[int, tuple[str, str]] = {}
    accounts = (
        Account.objects.filter(
            kind__in=[AccountKind.SELLER_HELD, AccountKind.SELLER_AVAILABLE, AccountKind.SELLER_DEBT],
            seller__isnull=False,
        )
        .exclude(balance_cents=0)
        .select_related("seller__user")
    )
    for account in accounts:
        assert account.seller is not None
        balances[account.seller.pk][account.kind] = account.balance_cents
        names[account.seller.pk] = (account.seller.display_name, account.seller.user.email)
    in_transit = dict(
        Payout.objects.filter(status__in=[PayoutStatus.CREATED, PayoutStatus.SENT])
        .values("seller_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("seller_id", "total")
    )
    for seller_id in set(in_transit) - set(names):
        payout = Payout.objects.select_related("seller__user").filter(seller_id=seller_id).first()
        assert payout is not None
        names[seller_id] = (payout.seller.display_name, payout.seller.user.email)
    rows = []
    for seller_id, (name, email) in sorted(names.items(), key=lambda item: item[1][0].lower()):
        b = balances.get(seller_id, {})
        held = -b.get(AccountKind.SELLER_HELD, 0)
        available = -b.get(AccountKind.SELLER_AVAILABLE, 0)
        debt = b.get(AccountKind.SELLER_DEBT, 0)
        transit = int(in_transit.get(seller_id) or 0)
        rows.append(
            PayableRow(
                seller_id=seller_id,
                seller=name,
                email=email,
                held=_money(held),
                available=_money(available),
                debt=_money(debt),
                in_transit=_money(transit),
                payable=_money(held + available + transit - debt),
            )
        )
    total = PayableRow(
        seller_id=0,
        seller="",
        email="",
        held=_money(sum(r.held.cents for r in rows)),
        available=_money(sum(r.available.cents for r in rows)),
        debt=_money(sum(r.debt.cents for r in rows)),
        in_transit=_money(sum(r.in_transit.cents for r in rows)),
        payable=_money(sum(r.payable.cents for r in rows)),
    )
    return PayablesReport(rows=rows, total=total)
