"""The seller's yearly earnings statement ("Jaaroverzicht"), for their tax return: the year's
sales, refunds, corrections and payouts, with the balance we owed them at the start and at the
end of the year.

Every amount is read from the ledger's entries (never recomputed from order lines), so the
statement agrees with the ledger by construction: the opening balance plus the year's movements
on the seller's accounts is the closing balance, which for the current year is what the
seller's accounts hold now. A journal counts in the year of its ``booked_at`` (a sale: when it
was paid; a refund: when it was refunded; a payout: when it left the balance), in the
platform's time zone, as the back office's reports count (support.money.reports).

The seller's balance here is what we owe them: held + available − debt (ledger.models). A
release moves money between those accounts and so does not show; a payout leaves them when it
is made (in transit is no longer the seller's balance), and a failed payout comes back.

It lives in selling because it needs the order numbers (orders), which ledger must not read.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from studymarket.accounts.models import SellerProfile
from studymarket.core import clock
from studymarket.core.money import Money
from studymarket.ledger.models import (
    SELLER_KINDS,
    AccountKind,
    Entry,
    Journal,
    JournalSource,
    Payout,
)
from studymarket.ledger.payouts.services.common import payout_reference
from studymarket.orders.models import OrderLine

_REVERSALS = (JournalSource.REFUND, JournalSource.CHARGEBACK)
_PAYOUTS = (JournalSource.PAYOUT, JournalSource.PAYOUT_FAILURE)
# A release only moves the seller's money from "held" to "available" (or settles a debt): it
# changes nothing the statement shows, so a year with releases only has no statement.
_SHOWN = (JournalSource.SALE, *_REVERSALS, *_PAYOUTS, JournalSource.ADJUSTMENT)


def _money(cents: int) -> Money:
    return Money(cents, settings.CURRENCY)


@dataclass(frozen=True)
class SaleRow:
    """A sale, or (``refund=True``) a refund or chargeback that takes one back. Amounts are
    positive in both: the kind of row says which way they go."""

    booked_at: datetime
    order_number: str
    title: str
    price: Money  # what the buyer paid (incl. VAT)
    vat: Money  # the VAT the platform pays over
    commission: Money
    earnings: Money  # the seller's share: price − VAT − commission
    chargeback: bool = False


@dataclass(frozen=True)
class PayoutRow:
    booked_at: datetime
    amount: Money  # positive: paid out; negative: a failed payout coming back
    reference: str  # the SEPA end-to-end id (on the seller's bank statement) or Mollie's id
    status: str  # the payout's status now, in words
    failed: bool


@dataclass(frozen=True)
class AdjustmentRow:
    booked_at: datetime
    description: str
    amount: Money  # positive: to the seller; negative: from the seller


@dataclass(frozen=True)
class Totals:
    price: Money
    vat: Money
    commission: Money
    earnings: Money


@dataclass(frozen=True)
class EarningsStatement:
    seller: SellerProfile
    year: int
    made_at: datetime  # the clock's now: a statement of the current year ends here
    sales: list[SaleRow]
    refunds: list[SaleRow]
    adjustments: list[AdjustmentRow]
    payouts: list[PayoutRow]
    sales_total: Totals
    refunds_total: Totals
    adjustments_total: Money
    payouts_total: Money
    opening_balance: Money  # what we owed the seller on 1 January
    closing_balance: Money  # on 31 December (or now, for the current year)

    @property
    def commission_total(self) -> Money:
        """The commission the seller paid this year: on sales, less what refunds gave back."""
        return self.sales_total.commission - self.refunds_total.commission

    @property
    def earnings_total(self) -> Money:
        """What the seller earned this year: sales less refunds, plus corrections."""
        return self.sales_total.earnings - self.refunds_total.earnings + self.adjustments_total


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _seller_journal_ids(seller_id: int) -> QuerySet[Journal, Any]:
    """The journals that moved the seller's money (a subquery)."""
    return Journal.objects.filter(
        entries__account__seller_id=seller_id,
        entries__account__currency=settings.CURRENCY,
        source__in=_SHOWN,
    ).values("pk")


def earnings_statement_years(*, seller_id: int) -> list[int]:
    """The years in which the seller had sales, refunds, corrections or payouts, newest first."""
    moments = Journal.objects.filter(pk__in=_seller_journal_ids(seller_id)).datetimes(
        "booked_at", "year", order="DESC", tzinfo=timezone.get_default_timezone()
    )
    return [moment.year for moment in moments]


def _owed_before(seller_id: int, moment: datetime) -> Money:
    """What we owed the seller just before ``moment``: minus the sum of the entries on their
    accounts (credits are negative) booked before it."""
    cents = Entry.objects.filter(
        account__seller_id=seller_id,
        account__currency=settings.CURRENCY,
        account__kind__in=list(SELLER_KINDS),
        journal__booked_at__lt=moment,
    ).aggregate(total=Sum("amount_cents"))["total"]
    return _money(-int(cents or 0))


def _by_kind(entries: Iterable[Entry], seller_id: int) -> dict[str, int]:
    """A journal's entries summed per account kind; the seller's own accounts together under
    "seller" (another seller's, in a correction touching several, are left out)."""
    sums: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.account.kind in SELLER_KINDS:
            if entry.account.seller_id == seller_id:
                sums["seller"] += entry.amount_cents
        else:
            sums[entry.account.kind] += entry.amount_cents
    return sums


def _sale_row(journal: Journal, sums: dict[str, int], order_numbers: dict[int, str]) -> SaleRow:
    number = order_numbers.get(journal.order_line_id or 0, "")
    if journal.source == JournalSource.SALE:
        # Clearing +gross; VAT, commission and the seller's share are credits (negative).
        return SaleRow(
            booked_at=journal.booked_at,
            order_number=number,
            title=journal.description,
            price=_money(sums[AccountKind.PROVIDER_CLEARING]),
            vat=_money(-sums[AccountKind.VAT_PAYABLE]),
            commission=_money(-sums[AccountKind.PLATFORM_REVENUE]),
            earnings=_money(-sums["seller"]),
        )
    # A reversal: refunds −gross; VAT, commission and the seller's share debited back.
    return SaleRow(
        booked_at=journal.booked_at,
        order_number=number,
        title=journal.description,
        price=_money(-sums[AccountKind.REFUNDS]),
        vat=_money(sums[AccountKind.VAT_PAYABLE]),
        commission=_money(sums[AccountKind.PLATFORM_REVENUE]),
        earnings=_money(sums["seller"]),
        chargeback=journal.source == JournalSource.CHARGEBACK,
    )


def _totals(rows: list[SaleRow]) -> Totals:
    return Totals(
        price=_money(sum(r.price.cents for r in rows)),
        vat=_money(sum(r.vat.cents for r in rows)),
        commission=_money(sum(r.commission.cents for r in rows)),
        earnings=_money(sum(r.earnings.cents for r in rows)),
    )


def _payout_row(journal: Journal, sums: dict[str, int], payouts: dict[int, Payout]) -> PayoutRow:
    payout = payouts.get(int(journal.source_ref))
    failed = journal.source == JournalSource.PAYOUT_FAILURE
    reference = ""
    status = ""
    if payout is not None:
        reference = payout.provider_reference or payout_reference(payout)
        status = str(payout.get_status_display())
    # The payout debits the seller's available account (+), a failure credits it back (−).
    return PayoutRow(
        booked_at=journal.booked_at,
        amount=_money(sums["seller"]),
        reference=reference,
        status=status,
        failed=failed,
    )


def earnings_statement_get(*, seller: SellerProfile, year: int) -> EarningsStatement:
    """The seller's statement for ``year`` (any year: one without activity is empty)."""
    start, end = _year_bounds(year)
    now = clock.now()
    journals = list(
        Journal.objects.filter(pk__in=_seller_journal_ids(seller.pk), booked_at__gte=start, booked_at__lt=end)
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.select_related("account")))
        .order_by("booked_at", "pk")
    )
    line_ids = [j.order_line_id for j in journals if j.order_line_id is not None]
    order_numbers = dict(OrderLine.objects.filter(pk__in=line_ids).values_list("pk", "order__number"))
    payout_ids = [int(j.source_ref) for j in journals if j.source in _PAYOUTS]
    payouts = Payout.objects.in_bulk(payout_ids)
    sales: list[SaleRow] = []
    refunds: list[SaleRow] = []
    adjustments: list[AdjustmentRow] = []
    payout_rows: list[PayoutRow] = []
    for journal in journals:
        sums = _by_kind(journal.entries.all(), seller.pk)
        if journal.source == JournalSource.SALE:
            sales.append(_sale_row(journal, sums, order_numbers))
        elif journal.source in _REVERSALS:
            refunds.append(_sale_row(journal, sums, order_numbers))
        elif journal.source in _PAYOUTS:
            payout_rows.append(_payout_row(journal, sums, payouts))
        elif sums["seller"]:
            adjustments.append(
                AdjustmentRow(
                    booked_at=journal.booked_at,
                    description=journal.description,
                    amount=_money(-sums["seller"]),
                )
            )
    return EarningsStatement(
        seller=seller,
        year=year,
        made_at=now,
        sales=sales,
        refunds=refunds,
        adjustments=adjustments,
        payouts=payout_rows,
        sales_total=_totals(sales),
        refunds_total=_totals(refunds),
        adjustments_total=_money(sum(a.amount.cents for a in adjustments)),
        payouts_total=_money(sum(p.amount.cents for p in payout_rows)),
        opening_balance=_owed_before(seller.pk, start),
        closing_balance=_owed_before(seller.pk, end),
    )
