import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.catalog.search.indexing import search_index_later
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.money import Money
from studymarket.core.pricing import price_breakdown
from studymarket.ledger.postings import reversal_post, sale_post
from studymarket.library.services import entitlement_revoke, entitlements_grant
from studymarket.orders.models import Order, OrderLine, OrderStatus

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def _order_number() -> str:
    return "SM-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


@transaction.atomic
def order_create(
    *,
    buyer: User,
    listings: Sequence[Listing],
    buyer_country: str = "NL",
    checkout_token: str | None = None,
    language: str | None = None,
) -> Order:
    """An order with a snapshot of each listing's title, price, VAT and seller."""
    if not listings:
        raise ValueError("An order needs at least one listing")
    breakdowns = [(listing, price_breakdown(listing.price, country=buyer_country)) for listing in listings]
    order = Order.objects.create(
        number=_order_number(),
        buyer=buyer,
        buyer_country=buyer_country,
        total_cents=sum(b.gross.cents for _, b in breakdowns),
        checkout_token=checkout_token,
        language=language or settings.LANGUAGE_CODE,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            listing=listing,
            seller_id=listing.seller_id,
            title=listing.title,
            price_cents=b.gross.cents,
            vat_cents=b.vat.cents,
            vat_rate_percent=b.vat_rate_percent,
            commission_cents=b.commission.cents,
        )
        for listing, b in breakdowns
    )
    audit_record(action="order.created", obj=order, actor=buyer, total_cents=order.total_cents)
    return order


def _order_locked(*, order_id: int) -> Order:
    """The order's row, locked until the transaction ends: its transitions happen one at a time."""
    return Order.objects.select_for_update().get(pk=order_id)


@transaction.atomic
def order_mark_paid(*, order_id: int, paid_at: datetime | None = None, send_receipt: bool = True) -> Order:
    """Pending → paid, exactly once: grants the buyer's entitlements, posts each line's sale to
    the ledger (ledger.postings.sale_post), counts the sales and queues the receipt. "Already
    paid" returns quietly, so every caller (webhook, return page, reconcile) may call it as
    often as it likes.

    ``send_receipt=False`` is for history loaded after the fact (the demo data): those buyers
    never checked out and must not get a receipt today.

    The buyer's cart is not touched here: checkout sits above orders. The cart leaves out what
    was bought after it was put in (checkout.selectors), which is the same as clearing it.
    """
    order = _order_locked(order_id=order_id)
    if order.status == OrderStatus.PAID:
        return order
    if order.status != OrderStatus.PENDING:
        raise ValueError(f"Order {order.number} is {order.status}, it cannot become paid")
    order.status = OrderStatus.PAID
    order.paid_at = paid_at or timezone.now()
    order.save(update_fields=["status", "paid_at", "updated_at"])
    entitlements_grant(order_id=order.pk)
    lines = list(order.lines.order_by("pk"))
    for line in lines:
        sale_post(
            order_line_id=line.pk,
            seller_id=line.seller_id,
            country=order.buyer_country,
            gross=Money(line.price_cents, order.currency),
            vat=Money(line.vat_cents, order.currency),
            commission=Money(line.commission_cents, order.currency),
            booked_at=order.paid_at,
            description=line.title,
        )
    listing_ids = [line.listing_id for line in lines]
    Listing.objects.filter(pk__in=listing_ids).update(sold_count=F("sold_count") + 1)
    search_index_later(listing_ids=listing_ids)  # the "best selling" sort reads the index
    audit_record(action="order.paid", obj=order, total_cents=order.total_cents)
    if send_receipt:
        # After commit: a rolled-back payment must not have sent a receipt, and the worker
        # must find the order paid when it runs.
        transaction.on_commit(partial(_receipt_enqueue, order.pk))
    return order


def order_line_mark_refunded(*, order_line_id: int, source: str, refund_id: int, reason: str) -> bool:
    """A paid line's money went back to the buyer (a refund or a chargeback, ``source`` REFUND or
    CHARGEBACK, ``refund_id`` the payments.Refund): revoke the buyer's access, post the reversal
    to the ledger, and count the sale no more. Exactly once per line: False when the line was
    already refunded (by this refund or another one), and nothing changes.

    Runs in the caller's transaction (payments.refunds), which also marks the Refund refunded.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_line_mark_refunded runs inside the caller's transaction")
    line = OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=order_line_id)
    if line.refunded_at is not None:
        return False
    if line.order.status != OrderStatus.PAID:
        raise ValueError(f"Order line {line.pk} of {line.order.number} is not paid: nothing to refund")
    line.refunded_at = clock.now()
    line.save(update_fields=["refunded_at"])
    entitlement_revoke(order_line_id=line.pk, reason=reason)
    journal = reversal_post(
        source=source, refund_id=refund_id, order_line_id=line.pk, booked_at=line.refunded_at
    )
    Listing.objects.filter(pk=line.listing_id, sold_count__gt=0).update(sold_count=F("sold_count") - 1)
    search_index_later(listing_ids=[line.listing_id])
    audit_record(
        action="order_line.refunded",
        obj=line,
        order=line.order.number,
        source=source,
        refund=refund_id,
        journal=journal.pk,
        reason=reason[:200],
    )
    return True


def _receipt_enqueue(order_id: int) -> None:
    # Imported here: the task module imports this one.
    from studymarket.orders.tasks import order_receipt_send_task

    order_receipt_send_task.enqueue(order_id)


def order_receipt_send(*, order_id: int) -> bool:
    """E-mail the receipt of a paid order, at most once; True if this call sent it.

    At most once, not at least once: the order is claimed (receipt_sent_at set) and committed
    BEFORE the mail server is called, because no external call runs inside a transaction and
    a second receipt ("did I pay twice?") is worse than a missing one (the library shows every
    purchase, and staff can send it again). A failed send gives the claim back, so a retry of
    the task sends it; only a crash between the claim and the send loses the receipt.
    """
    with transaction.atomic():
        order = _order_locked(order_id=order_id)
        if order.status != OrderStatus.PAID or order.receipt_sent_at is not None:
            return False
        order.receipt_sent_at = timezone.now()
        order.save(update_fields=["receipt_sent_at", "updated_at"])
        audit_record(action="order.receipt_sent", obj=order, to=order.buyer.email)
    try:
        _receipt_message(order).send()
    except Exception:
        with transaction.atomic():
            Order.objects.filter(pk=order.pk, receipt_sent_at=order.receipt_sent_at).update(
                receipt_sent_at=None
            )
            audit_record(action="order.receipt_failed", obj=order)
        raise
    return True


def _receipt_message(order: Order) -> EmailMultiAlternatives:
    lines = list(order.lines.select_related("order", "seller").order_by("pk"))
    with translation.override(order.language):
        context = {
            "order": order,
            "buyer": order.buyer,
            "lines": lines,
            "total": order.total,
            "vat": Money(sum(line.vat_cents for line in lines), order.currency),
            "library_url": settings.SITE_URL.rstrip("/") + reverse("library:index"),
            "guarantee_days": settings.GUARANTEE_WINDOW_DAYS,
        }
        subject = render_to_string("orders/emails/receipt_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("orders/emails/receipt.txt", context),
            to=[order.buyer.email],
        )
        message.attach_alternative(render_to_string("orders/emails/receipt.html", context), "text/html")
    return message
