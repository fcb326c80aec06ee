"""Reads of the ledger: a seller's balance and earnings, and the back office's reports.

Balances are shown the way people read them: what a seller has (pending, available) and what
they owe (debt) as positive amounts, whatever side of the ledger they are booked on
(ledger.models: credits are negative).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from studymarket.core import clock
from studymarket.core.money import Money
from studymarket.ledger.models import (
    REVERSAL_SOURCES,
    Account,
    AccountKind,
    ApprovalStatus,
    Entry,
    Journal,
    JournalSource,
    LedgerCheckRun,
    Payout,
    PayoutStatus,
    StaffApproval,
)


def _money(cents: int | None, currency: str | None = None) -> Money:
    return Money(int(cents or 0), currency or settings.CURRENCY)


@dataclass(frozen=True)
class SellerBalance:
    pending: Money  # held for the guarantee window
    available: Money  # may be paid out
    debt: Money  # refunds after payout, settled from later earnings
    paid_out: Money  # payouts the bank (or Mollie) confirmed
    in_transit: Money  # payouts made but not confirmed yet (created or sent)


def seller_balance(*, seller_id: int) -> SellerBalance:
    balances = dict(
        Account.objects.filter(seller_id=seller_id, currency=settings.CURRENCY).values_list(
            "kind", "balance_cents"
        )
    )
    payouts = Payout.objects.filter(seller_id=seller_id, currency=settings.CURRENCY).aggregate(
        paid=Sum("amount_cents", filter=Q(status=PayoutStatus.PAID)),
        in_transit=Sum("amount_cents", filter=Q(status__in=[PayoutStatus.CREATED, PayoutStatus.SENT])),
    )
    return SellerBalance(
        pending=_money(-balances.get(AccountKind.SELLER_HELD, 0)),
        available=_money(-balances.get(AccountKind.SELLER_AVAILABLE, 0)),
        debt=_money(balances.get(AccountKind.SELLER_DEBT, 0)),
        paid_out=_money(payouts["paid"]),
        in_transit=_money(payouts["in_transit"]),
    )


def _settled(source: str | tuple[str, ...]) -> Exists:
    """A journal of ``source`` about the same order line as the outer (sale) journal."""
    sources = [source] if isinstance(source, str) else list(source)
    return Exists(Journal.objects.filter(source__in=sources, order_line_id=OuterRef("order_line_id")))


def _sales(seller_id: int) -> QuerySet[Journal]:
    return Journal.objects.filter(source=JournalSource.SALE, seller_id=seller_id)


# The seller's share of a sale journal (positive): the credit to their held account.
_SHARE = -Sum("entries__amount_cents", filter=Q(entries__account__kind=AccountKind.SELLER_HELD))


@dataclass(frozen=True)
class PendingEarning:
    order_line_id: int
    title: str
    amount: Money
    sold_at: datetime
    release_at: datetime
    # A discount code's part, VAT included, and who gave it ("seller"/"platform"); the bundle.
    discount: Money = Money(0)
    discount_funder: str = ""
    bundle_title: str = ""


def seller_pending_lines(*, seller_id: int) -> list[PendingEarning]:
    """Sales still in the guarantee window (not released, not refunded), soonest release first."""
    sales = (
        _sales(seller_id)
        .annotate(share_cents=_SHARE)
        .filter(~_settled(JournalSource.RELEASE), ~_settled(REVERSAL_SOURCES))
        .order_by("hold_until", "pk")
    )
    return [
        PendingEarning(
            order_line_id=int(journal.order_line_id or journal.source_ref),
            title=journal.description,
            amount=_money(journal.share_cents),
            sold_at=journal.booked_at,
            release_at=journal.hold_until or journal.booked_at,
            discount=_money(journal.discount_cents),
            discount_funder=journal.discount_funder,
            bundle_title=journal.bundle_title,
        )
        for journal in sales
    ]


def _week_start(moment: datetime) -> date:
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def seller_earnings_by_week(*, seller_id: int, weeks: int = 12) -> list[tuple[date, Money]]:
    """The seller's share of each week's sales (by the day paid, local time; refunded sales left
    out), for the ``weeks`` weeks up to and including this one (the clock's), oldest first,
    weeks without sales as zero."""
    this_week = _week_start(clock.now())
    first = this_week - timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    totals: dict[date, int] = defaultdict(int)
    sales = (
        _sales(seller_id)
        .filter(booked_at__gte=start)
        .filter(~_settled(REVERSAL_SOURCES))
        .annotate(share_cents=_SHARE)
    )
    for booked_at, share_cents in sales.values_list("booked_at", "share_cents"):
        totals[_week_start(booked_at)] += int(share_cents or 0)
    return [
        (week, _money(totals.get(week, 0))) for week in (first + timedelta(weeks=i) for i in range(weeks))
    ]


def journals_for_order_lines(*, order_line_ids: list[int]) -> list[Journal]:
    """The journals about these order lines (sale, release, refund, chargeback), each with its
    entries and accounts prefetched, in the order they were booked (for the back office's order
    page)."""
    return list(
        Journal.objects.filter(order_line_id__in=order_line_ids)
        .prefetch_related(
            Prefetch("entries", queryset=Entry.objects.select_related("account").order_by("pk"))
        )
        .order_by("booked_at", "pk")
    )


def journals_for_payouts(*, payout_ids: list[int]) -> list[Journal]:
    """The journals of these payouts (payout, payout_paid, payout_failure), entries prefetched."""
    sources = [JournalSource.PAYOUT, JournalSource.PAYOUT_PAID, JournalSource.PAYOUT_FAILURE]
    return list(
        Journal.objects.filter(source__in=sources, source_ref__in=[str(pk) for pk in payout_ids])
        .prefetch_related(
            Prefetch("entries", queryset=Entry.objects.select_related("account").order_by("pk"))
        )
        .order_by("booked_at", "pk")
    )


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    balance: Money


def trial_balance() -> list[AccountBalance]:
    """Every account with its balance (signed as booked: debit > 0); the total is always zero."""
    return [
        AccountBalance(account=account, balance=_money(account.balance_cents, account.currency))
        for account in Account.objects.select_related("seller").order_by("kind", "key", "currency")
    ]


def ledger_check_latest() -> LedgerCheckRun | None:
    return LedgerCheckRun.objects.order_by("-created_at", "-pk").first()


def staff_approval_open_list() -> QuerySet[StaffApproval]:
    """Proposals waiting for a second staff member, oldest first (ledger.approvals)."""
    return (
        StaffApproval.objects.filter(status=ApprovalStatus.PROPOSED)
        .select_related("proposed_by", "payout__seller")
        .order_by("created_at", "pk")
    )


def staff_approval_decided_list(*, limit: int = 20) -> QuerySet[StaffApproval]:
    return (
        StaffApproval.objects.exclude(status=ApprovalStatus.PROPOSED)
        .select_related("proposed_by", "decided_by", "payout", "journal")
        .order_by("-decided_at", "-pk")[:limit]
    )


def staff_approval_by_payout(*, payout_ids: list[int]) -> dict[int, StaffApproval]:
    """The open or approved approval of each payout that has one."""
    approvals = StaffApproval.objects.filter(
        payout_id__in=payout_ids, status__in=[ApprovalStatus.PROPOSED, ApprovalStatus.APPROVED]
    ).select_related("proposed_by")
    return {approval.payout_id: approval for approval in approvals if approval.payout_id is not None}
