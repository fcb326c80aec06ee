"""Building blocks for the ledger tests: paid order lines, refunds and chargebacks the way the
payments app books them, and balances read the way people read them."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing
from studymarket.core import clock
from studymarket.core.money import Money
from studymarket.ledger.journals import seller_key
from studymarket.ledger.models import Account, AccountKind, JournalSource, Payout, PayoutStatus, PayoutTrigger
from studymarket.ledger.payouts.states import payout_transition
from studymarket.ledger.postings import payout_post
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_create, order_line_reverse, order_mark_paid
from studymarket.payments.models import Payment, PaymentStatus, Refund, RefundOrigin, RefundStatus
from tests.factories import ListingFactory, SellerFactory, UserFactory


def paid_line(
    *,
    seller: SellerProfile | None = None,
    price_cents: int = 949,
    country: str = "NL",
    paid_at: datetime | None = None,
    listing: Listing | None = None,
) -> OrderLine:
    """One order line, paid through order_mark_paid (which posts the sale); of ``listing`` when
    given (its seller and price), else of a new listing."""
    if listing is None:
        listing = ListingFactory(seller=seller or SellerFactory(), price_cents=price_cents)
    order = order_create(buyer=UserFactory(), listings=[listing], buyer_country=country)
    order_mark_paid(order_id=order.pk, paid_at=paid_at, send_receipt=False)
    return OrderLine.objects.select_related("order").get(order=order)


def refund_line(line: OrderLine, *, chargeback: bool = False) -> Refund:
    """A completed refund (or chargeback) of ``line``, booked as payments does it: the Refund row
    marked refunded and the line marked refunded in one transaction."""
    with transaction.atomic():
        payment = Payment.objects.filter(order=line.order_id).first() or Payment.objects.create(
            order_id=line.order_id,
            provider="simulated",
            method="ideal",
            amount_cents=line.order.total_cents,
            status=PaymentStatus.PAID,
            idempotency_key=f"test-payment-{line.order_id}",
            paid_at=line.order.paid_at,
        )
        refund = Refund.objects.create(
            payment=payment,
            order_line=line,
            origin=RefundOrigin.CHARGEBACK if chargeback else RefundOrigin.REQUEST,
            amount_cents=line.price_cents,
            status=RefundStatus.REFUNDED,
            completed_at=timezone.now(),
        )
        order_line_reverse(
            order_line_id=line.pk,
            source=JournalSource.CHARGEBACK if chargeback else JournalSource.REFUND,
            refund_id=refund.pk,
            reason="test",
        )
    return refund


def balance(kind: AccountKind, key: str | int = "") -> int:
    """An account's balance in cents, signed as booked (debit > 0); 0 for an account not made yet."""
    key = seller_key(key) if isinstance(key, int) else key
    return Account.objects.filter(kind=kind, key=key).values_list("balance_cents", flat=True).first() or 0


def seller_cents(seller: SellerProfile | int) -> tuple[int, int, int]:
    """(held, available, debt) of a seller as people read them: positive amounts."""
    key = seller_key(seller)
    return (
        -balance(AccountKind.SELLER_HELD, key),
        -balance(AccountKind.SELLER_AVAILABLE, key),
        balance(AccountKind.SELLER_DEBT, key),
    )


def now() -> datetime:
    return clock.now()


def payout_make(seller: SellerProfile | int, cents: int) -> Payout:
    """A payout as the payout service makes it: the row and its journal (available → in transit)."""
    seller_id = seller if isinstance(seller, int) else seller.pk
    with transaction.atomic():
        payout = Payout.objects.create(
            seller_id=seller_id,
            amount_cents=cents,
            provider="sepa",
            trigger=PayoutTrigger.REQUEST,
            idempotency_key=f"test-payout-{uuid.uuid4().hex}",
        )
        payout_post(payout_id=payout.pk, seller_id=seller_id, amount=Money(cents), booked_at=clock.now())
    return payout


def payout_settle(payout: Payout, *, paid: bool) -> Payout:
    """Sent, then paid (or failed, compensated), as staff marking the bank's answer would."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        payout_transition(payout, to=PayoutStatus.SENT)
        payout_transition(
            payout,
            to=PayoutStatus.PAID if paid else PayoutStatus.FAILED,
            changes={} if paid else {"failure_reason": "test"},
        )
    return payout
