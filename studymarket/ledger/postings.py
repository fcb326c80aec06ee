"""The ledger's posting services: what each business event books (docs/adr/0007-ledger.md).

Each one builds the lines of one journal and hands them to ``journals.journal_post``, inside the
transaction of the state change that causes it (a paid order, a refund, a release, a staff
correction). Exactly once: a journal is unique per source, and posting a source again returns the
journal already there.

Sign convention (ledger.models): debit > 0, credit < 0. What we owe (VAT, the sellers' earnings)
is a credit; ``seller_debt`` is a debit (the seller owes us).

orders sits above ledger: order lines are passed in as ids and amounts, never as models.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext

from studymarket.core import clock
from studymarket.core.errors import ApplicationError
from studymarket.core.money import Money
from studymarket.core.pricing import FUNDER_PLATFORM, FUNDERS

# Staff corrections live in their own module; their names stay importable from here.
from studymarket.ledger.adjustments import (
    AdjustmentAlreadyPosted as AdjustmentAlreadyPosted,
)
from studymarket.ledger.adjustments import (
    AdjustmentRefused as AdjustmentRefused,
)
from studymarket.ledger.adjustments import (
    adjustment_post as adjustment_post,
)
from studymarket.ledger.journals import (
    Line,
    account_for,
    accounts_lock,
    journal_get,
    journal_post,
    seller_key,
)
from studymarket.ledger.models import (
    REVERSAL_SOURCES,
    Account,
    AccountKind,
    Journal,
    JournalSource,
)


class SaleNotPosted(LookupError):
    """A reversal or release for an order line whose sale was never posted."""


def _seller_accounts(seller_id: int, currency: str) -> tuple[Account, Account, Account]:
    key = seller_key(seller_id)
    return (
        account_for(kind=AccountKind.SELLER_HELD, key=key, currency=currency),
        account_for(kind=AccountKind.SELLER_AVAILABLE, key=key, currency=currency),
        account_for(kind=AccountKind.SELLER_DEBT, key=key, currency=currency),
    )


def _to_seller(back: Line, *, seller_id: int, debt_cents: int) -> list[Line]:
    """Money coming (back) to a seller: ``back`` debits it from where it was (held, in transit),
    and it settles the seller's debt first (``debt_cents``: the debt account's balance, read
    under its lock), the rest becomes available. A release and a failed payout both book this."""
    amount = back.amount
    owed = Money(min(max(debt_cents, 0), amount.cents), amount.currency)
    key = seller_key(seller_id)
    return [
        back,
        Line(AccountKind.SELLER_DEBT, -owed, key=key),
        Line(AccountKind.SELLER_AVAILABLE, -(amount - owed), key=key),
    ]


def _sale_journal(order_line_id: int) -> Journal:
    journal = journal_get(source=JournalSource.SALE, source_ref=order_line_id)
    if journal is None:
        raise SaleNotPosted(f"Order line {order_line_id} has no sale journal")
    return journal


def _amount(journal: Journal, kind: AccountKind) -> Money:
    """The sum of ``journal``'s entries on accounts of ``kind`` (signed, as booked)."""
    entries = [e for e in journal.entries.select_related("account") if e.account.kind == kind]
    currency = entries[0].currency if entries else settings.CURRENCY
    return Money(sum(e.amount_cents for e in entries), currency)


def _vat_country(journal: Journal) -> str:
    entry = journal.entries.select_related("account").filter(account__kind=AccountKind.VAT_PAYABLE).first()
    return entry.account.key if entry is not None else ""


@transaction.atomic
def sale_post(
    *,
    order_line_id: int,
    seller_id: int,
    country: str,
    gross: Money,
    vat: Money,
    commission: Money,
    booked_at: datetime,
    description: str = "",
    discount_net: Money | None = None,
    discount_funder: str = "",
    discount: Money | None = None,
    bundle_title: str = "",
) -> Journal:
    """Book one paid order line: the provider collected ``gross`` for us; we owe the VAT of the
    buyer's country, earned the commission, and hold the seller's share for the guarantee window.

    A line bought with a discount code (ADR 0028) passes what was paid as ``gross``, its VAT, the
    commission of the list price, the discount excluding VAT (``discount_net``, Δ) and who funds
    it (``discount``, VAT included, and ``bundle_title`` are kept on the journal for the seller's
    earnings page). Seller-funded: Δ is already missing from the seller's share (gross − VAT − commission).
    Platform-funded: the platform pays Δ, a debit on ``platform_discounts``, so the seller's
    share is what it would have been without the code.

    Call it in the transaction that marks the order paid. ``description`` is the line's title
    (the seller's earnings page shows it). Posting a line twice returns its one journal.

    ``booked_at`` is the real moment of payment (the provider's paid_at); the guarantee window
    runs on the business clock (core.clock), so the hold ends the window's length after that
    moment as the clock saw it: in a demo whose clock was moved 15 days ahead, a new sale is
    still held for 14 days from "now", not released at once.
    """
    discount_net = discount_net or Money.zero(gross.currency)
    if discount_net.cents < 0 or (discount_net.cents and discount_funder not in FUNDERS):
        raise ValueError(f"Order line {order_line_id}: a discount of {discount_net} by {discount_funder!r}")
    platform_cost = discount_net if discount_funder == FUNDER_PLATFORM else Money.zero(gross.currency)
    share = gross - vat - commission + platform_cost
    if share.cents < 0 or vat.cents < 0 or commission.cents < 0:
        raise ValueError(f"Order line {order_line_id}: VAT and commission exceed the price")
    return journal_post(
        source=JournalSource.SALE,
        source_ref=order_line_id,
        booked_at=booked_at,
        hold_until=booked_at + clock.offset() + timedelta(days=settings.GUARANTEE_WINDOW_DAYS),
        seller=seller_id,
        description=description,
        order_line_id=order_line_id,
        discount_cents=discount.cents if discount else 0,
        discount_funder=discount_funder if discount_net.cents or (discount and discount.cents) else "",
        bundle_title=bundle_title,
        lines=[
            Line(AccountKind.PROVIDER_CLEARING, gross),
            Line(AccountKind.PLATFORM_DISCOUNTS, platform_cost),
            Line(AccountKind.VAT_PAYABLE, -vat, key=country),
            Line(AccountKind.PLATFORM_REVENUE, -commission),
            Line(AccountKind.SELLER_HELD, -share, key=seller_key(seller_id)),
        ],
    )


@transaction.atomic
def reversal_post(*, source: str, refund_id: int, order_line_id: int, booked_at: datetime) -> Journal:
    """Book a refund or chargeback of one order line (``source`` REFUND or CHARGEBACK, ref the
    payments.Refund id): the buyer gets the gross back, VAT, commission and a platform-funded
    discount are undone, and the
    seller's share comes back from where it is now: from "held" if the guarantee window has not
    released it yet; otherwise from "available" as far as that goes, the rest becoming the
    seller's debt (settled from later earnings), so "available" never goes below zero.

    Under row locks of all the accounts involved (in id order, as journal_post takes them): a
    payout or release of the same seller waits, then sees the new balance. Call it in the
    transaction that marks the line refunded (orders.services.order_line_reverse).
    """
    if source not in REVERSAL_SOURCES:
        raise ValueError(f"Not a reversal source: {source!r}")
    existing = journal_get(source=source, source_ref=refund_id)
    if existing is not None:
        return existing
    sale = _sale_journal(order_line_id)
    gross = _amount(sale, AccountKind.PROVIDER_CLEARING)
    vat = -_amount(sale, AccountKind.VAT_PAYABLE)
    commission = -_amount(sale, AccountKind.PLATFORM_REVENUE)
    platform_cost = _amount(sale, AccountKind.PLATFORM_DISCOUNTS)  # a platform-funded discount
    share = -_amount(sale, AccountKind.SELLER_HELD)
    country = _vat_country(sale)
    currency = gross.currency
    assert sale.seller_id is not None
    held, available, debt = _seller_accounts(sale.seller_id, currency)
    platform = [
        account_for(kind=AccountKind.REFUNDS, currency=currency),
        account_for(kind=AccountKind.PLATFORM_REVENUE, currency=currency),
    ]
    if platform_cost.cents:
        platform.append(account_for(kind=AccountKind.PLATFORM_DISCOUNTS, currency=currency))
    if country:
        platform.append(account_for(kind=AccountKind.VAT_PAYABLE, key=country, currency=currency))
    locked = accounts_lock([held, available, debt, *platform])
    key = seller_key(sale.seller_id)
    released = journal_get(source=JournalSource.RELEASE, source_ref=order_line_id) is not None
    if not released:
        seller_lines = [Line(AccountKind.SELLER_HELD, share, key=key)]
    else:
        on_hand = -locked[available.pk].balance_cents  # what the seller may still take out
        from_available = Money(min(on_hand, share.cents), currency)
        seller_lines = [
            Line(AccountKind.SELLER_AVAILABLE, from_available, key=key),
            Line(AccountKind.SELLER_DEBT, share - from_available, key=key),
        ]
    return journal_post(
        source=source,
        source_ref=refund_id,
        booked_at=booked_at,
        seller=sale.seller_id,
        description=sale.description,
        order_line_id=order_line_id,
        lines=[
            Line(AccountKind.REFUNDS, -gross),
            Line(AccountKind.PLATFORM_DISCOUNTS, -platform_cost),
            Line(AccountKind.VAT_PAYABLE, vat, key=country),
            Line(AccountKind.PLATFORM_REVENUE, commission),
            *seller_lines,
        ],
    )


def _reversed(order_line_id: int) -> bool:
    return Journal.objects.filter(source__in=REVERSAL_SOURCES, order_line_id=order_line_id).exists()


@transaction.atomic
def earning_release(*, order_line_id: int, now: datetime | None = None) -> Journal | None:
    """Release one sale's held share once its guarantee window is over: first settle the
    seller's debt, the rest becomes available. None when it is not due, already released, or
    the line was refunded (nothing is held any more).

    The seller's accounts are locked before the checks, so a reversal of the same line (which
    takes the same locks) either happened before, and this returns None, or happens after and
    finds the share released.
    """
    now = now or clock.now()
    sale = _sale_journal(order_line_id)
    if sale.hold_until is None or sale.hold_until > now:
        return None
    share = -_amount(sale, AccountKind.SELLER_HELD)
    assert sale.seller_id is not None
    held, available, debt = _seller_accounts(sale.seller_id, share.currency)
    locked = accounts_lock([held, available, debt])
    if journal_get(source=JournalSource.RELEASE, source_ref=order_line_id) is not None:
        return None
    if _reversed(order_line_id):
        return None
    return journal_post(
        source=JournalSource.RELEASE,
        source_ref=order_line_id,
        booked_at=now,
        seller=sale.seller_id,
        description=sale.description,
        order_line_id=order_line_id,
        lines=_to_seller(
            Line(AccountKind.SELLER_HELD, share, key=seller_key(sale.seller_id)),
            seller_id=sale.seller_id,
            debt_cents=locked[debt.pk].balance_cents,
        ),
    )


def earnings_release_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Release every sale whose guarantee window is over (hold_until ≤ the clock's now), each in
    its own short transaction; lines already released or reversed are skipped. Returns how many
    were released. The periodic task ``ledger.tasks.earnings_release_task`` calls it."""
    now = now or clock.now()
    done = Journal.objects.filter(
        source__in=[JournalSource.RELEASE, *REVERSAL_SOURCES], order_line_id=OuterRef("order_line_id")
    )
    due = (
        Journal.objects.filter(source=JournalSource.SALE, hold_until__lte=now)
        .filter(~Exists(done))
        .order_by("hold_until", "pk")
        .values_list("order_line_id", flat=True)[:limit]
    )
    released = 0
    for order_line_id in list(due):
        assert order_line_id is not None
        if earning_release(order_line_id=order_line_id, now=now) is not None:
            released += 1
    return released


class PayoutNotPosted(LookupError):
    """A payout's confirmation or failure before the payout itself was booked."""


class InsufficientAvailable(ApplicationError):
    """A payout larger than the seller's available balance."""


def _payout_journal(payout_id: int) -> Journal:
    journal = journal_get(source=JournalSource.PAYOUT, source_ref=payout_id)
    if journal is None:
        raise PayoutNotPosted(f"Payout {payout_id} has no payout journal")
    return journal


@transaction.atomic
def payout_post(*, payout_id: int, seller_id: int, amount: Money, booked_at: datetime) -> Journal:
    """Book a payout as it is made: ``amount`` leaves the seller's available balance and is in
    transit until the bank (or Mollie) confirms it. Call it in the transaction that creates the
    Payout row, after locking the seller's available account (journals.accounts_lock) and
    reading the balance there; this checks again under the same lock and refuses
    (InsufficientAvailable) a payout larger than what is available, so "available" never goes
    below zero. Posting a payout twice returns its one journal.
    """
    existing = journal_get(source=JournalSource.PAYOUT, source_ref=payout_id)
    if existing is not None:
        return existing
    if amount.cents <= 0:
        raise ValueError(f"Payout {payout_id}: the amount must be positive, not {amount}")
    key = seller_key(seller_id)
    available = account_for(kind=AccountKind.SELLER_AVAILABLE, key=key, currency=amount.currency)
    locked = accounts_lock([available])
    if -locked[available.pk].balance_cents < amount.cents:
        raise InsufficientAvailable(
            gettext(
                "Het beschikbare saldo is te laag voor deze uitbetaling. "
                "Vernieuw de pagina en probeer het opnieuw."
            )
        )
    return journal_post(
        source=JournalSource.PAYOUT,
        source_ref=payout_id,
        booked_at=booked_at,
        seller=seller_id,
        description=gettext("Uitbetaling %(id)s") % {"id": payout_id},
        lines=[
            Line(AccountKind.SELLER_AVAILABLE, amount, key=key),
            Line(AccountKind.PAYOUTS_IN_TRANSIT, -amount),
        ],
    )


def _payout_settled(payout_id: int) -> Journal | None:
    return Journal.objects.filter(
        source__in=[JournalSource.PAYOUT_PAID, JournalSource.PAYOUT_FAILURE], source_ref=str(payout_id)
    ).first()


@transaction.atomic
def payout_paid_post(*, payout_id: int, booked_at: datetime) -> Journal:
    """Book a payout the bank (or Mollie) confirmed: the money in transit has left the
    provider's clearing account. Idempotent; refuses a payout already booked as failed."""
    payout = _payout_journal(payout_id)
    amount = _amount(payout, AccountKind.PAYOUTS_IN_TRANSIT)  # negative: the credit
    transit = account_for(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=amount.currency)
    accounts_lock([transit])
    settled = _payout_settled(payout_id)
    if settled is not None:
        if settled.source == JournalSource.PAYOUT_PAID:
            return settled
        raise ValueError(f"Payout {payout_id} was booked as failed; it cannot be paid as well")
    return journal_post(
        source=JournalSource.PAYOUT_PAID,
        source_ref=payout_id,
        booked_at=booked_at,
        seller=payout.seller_id,
        description=payout.description,
        lines=[
            Line(AccountKind.PAYOUTS_IN_TRANSIT, -amount),
            Line(AccountKind.PROVIDER_CLEARING, amount),
        ],
    )


@transaction.atomic
def payout_failure_post(*, payout_id: int, booked_at: datetime) -> Journal:
    """Book a payout that failed (compensating entries): the money in transit goes back to the
    seller, settling the seller's debt first (a refund booked while the money was away), the
    rest available again, just as a release does. Idempotent; refuses a payout already booked
    as paid."""
    payout = _payout_journal(payout_id)
    amount = -_amount(payout, AccountKind.PAYOUTS_IN_TRANSIT)  # positive
    assert payout.seller_id is not None
    held, available, debt = _seller_accounts(payout.seller_id, amount.currency)
    transit = account_for(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=amount.currency)
    locked = accounts_lock([available, debt, transit])
    settled = _payout_settled(payout_id)
    if settled is not None:
        if settled.source == JournalSource.PAYOUT_FAILURE:
            return settled
        raise ValueError(f"Payout {payout_id} was booked as paid; it cannot fail as well")
    return journal_post(
        source=JournalSource.PAYOUT_FAILURE,
        source_ref=payout_id,
        booked_at=booked_at,
        seller=payout.seller_id,
        description=payout.description,
        lines=_to_seller(
            Line(AccountKind.PAYOUTS_IN_TRANSIT, amount),
            seller_id=payout.seller_id,
            debt_cents=locked[debt.pk].balance_cents,
        ),
    )
