import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from studymarket.accounts.models import User
from studymarket.catalog.counters import listing_sale_remove, listing_sales_add
from studymarket.catalog.models import Listing
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.money import Money
from studymarket.core.pricing import discounted_breakdown
from studymarket.ledger.postings import reversal_post, sale_post
from studymarket.library.models import Entitlement
from studymarket.library.services import entitlement_grant, entitlement_revoke
from studymarket.notifications.models import NotificationKind
from studymarket.notifications.services import notification_create
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.orders.specs import LineSpec
from studymarket.orders.states import order_lock, order_transition
from studymarket.search.indexing import search_index_later

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def _order_number() -> str:
    return "SM-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


@transaction.atomic
def order_create(
    *,
    buyer: User,
    lines: Sequence[LineSpec] | None = None,
    listings: Sequence[Listing] | None = None,
    buyer_country: str = "NL",
    checkout_token: str | None = None,
    language: str | None = None,
    discount_code: str = "",
) -> Order:
    """An order with a snapshot line per LineSpec (title, seller, bundle, list price, discount,
    and the VAT and commission of core.pricing.discounted_breakdown); ``listings`` instead is
    each listing at its own price, no bundle, no code. The total is the sum of what the lines
    cost the buyer; ``discount_code`` is kept as typed, a snapshot for the receipt."""
    if (lines is None) == (listings is None):
        raise ValueError("Pass either lines or listings")
    specs = list(lines) if lines is not None else [_listing_spec(listing) for listing in listings or []]
    if not specs:
        raise ValueError("An order needs at least one listing")
    if len({spec.listing.pk for spec in specs}) != len(specs):
        raise ValueError("An order has one line per listing")
    priced = [
        (
            spec,
            discounted_breakdown(
                Money(spec.list_price_cents, settings.CURRENCY),
                discount_cents=spec.discount_cents,
                funder=spec.discount_funder,
                country=buyer_country,
            ),
        )
        for spec in specs
    ]
    order = Order.objects.create(
        number=_order_number(),
        buyer=buyer,
        buyer_country=buyer_country,
        total_cents=sum(b.gross.cents for _, b in priced),
        checkout_token=checkout_token,
        language=language or settings.LANGUAGE_CODE,
        discount_code=discount_code.strip(),
        discount_cents=sum(b.discount.cents for _, b in priced),
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            listing=spec.listing,
            seller_id=spec.listing.seller_id,
            title=spec.listing.title,
            bundle_id=spec.bundle_id,
            list_price_cents=b.list_price.cents,
            discount_cents=b.discount.cents,
            discount_net_cents=b.discount_net.cents,
            discount_funder=b.funder,
            price_cents=b.gross.cents,
            vat_cents=b.vat.cents,
            vat_rate_percent=b.vat_rate_percent,
            commission_cents=b.commission.cents,
        )
        for spec, b in priced
    )
    audit_record(
        action="order.created",
        obj=order,
        actor=buyer,
        total_cents=order.total_cents,
        **(
            {"discount_code": order.discount_code, "discount_cents": order.discount_cents}
            if order.discount_cents
            else {}
        ),
    )
    return order


def _listing_spec(listing: Listing) -> LineSpec:
    return LineSpec(listing=listing, bundle_id=None, list_price_cents=listing.price_cents)


@transaction.atomic
def order_mark_paid(*, order_id: int, paid_at: datetime | None = None, send_receipt: bool = True) -> Order:
    """Pending → paid, exactly once: grants the buyer's entitlements (one per line, linked to
    it), posts each line's sale to the ledger (ledger.postings.sale_post), counts the sales and
    queues the receipt. "Already paid" returns quietly, so every caller (webhook, return page,
    reconcile) may call it as often as it likes.

    ``send_receipt=False`` is for history loaded after the fact (the demo data): those buyers
    never checked out and must not get a receipt today.

    The buyer's cart is not touched here: checkout sits above orders. The cart leaves out what
    was bought after it was put in (checkout.selectors), which is the same as clearing it.
    """
    order, moved = order_transition(
        order_id=order_id, status=OrderStatus.PAID, changes={"paid_at": paid_at or timezone.now()}
    )
    if not moved:
        if order.status == OrderStatus.PAID:
            return order
        raise ValueError(f"Order {order.number} is {order.status}, it cannot become paid")
    assert order.paid_at is not None
    lines = list(order.lines.select_related("listing", "seller", "bundle").order_by("pk"))
    if not lines:
        raise ValueError(f"Order {order.number} has no lines")
    # One buyer's payments land one at a time from here on: two orders for one document paid
    # at the same moment must not both find it not held yet (lock order: payment → order → buyer).
    _buyer_lock(order.buyer_id)
    held = _documents_held(buyer_id=order.buyer_id, document_ids=[line.listing.document_id for line in lines])
    for line in lines:
        if line.listing.document_id in held:
            # Paid twice for one document: no second access and no second sale to count; the
            # money came in, so its sale is booked, and payments refunds the line by itself.
            line.already_held = True
            line.save(update_fields=["already_held"])
            audit_record(action="order_line.already_held", obj=line, order=order.number)
        else:
            line.entitlement = entitlement_grant(
                buyer_id=order.buyer_id,
                document_id=line.listing.document_id,
                granted_at=order.paid_at,
                order_number=order.number,
                language=order.language,
            )
            line.save(update_fields=["entitlement"])
        sale_post(
            order_line_id=line.pk,
            seller_id=line.seller_id,
            country=order.buyer_country,
            gross=Money(line.price_cents, order.currency),
            vat=Money(line.vat_cents, order.currency),
            commission=Money(line.commission_cents, order.currency),
            booked_at=order.paid_at,
            description=line.title,
            discount_net=Money(line.discount_net_cents, order.currency),
            discount_funder=line.discount_funder,
            discount=Money(line.discount_cents, order.currency),
            bundle_title=line.bundle.title if line.bundle is not None else "",
        )
    listing_ids = [line.listing_id for line in lines if not line.already_held]
    listing_sales_add(listing_ids=listing_ids)
    search_index_later(listing_ids=listing_ids)  # the "best selling" sort reads the index
    if send_receipt:
        # After commit: a rolled-back payment must not have sent a receipt, and the worker
        # must find the order paid when it runs.
        transaction.on_commit(partial(_receipt_enqueue, order.pk))
        _sellers_notify(order, lines)
    return order


def _sellers_notify(order: Order, lines: list[OrderLine]) -> None:
    """Each line's seller hears of the sale in the site's bell (not for history loaded after
    the fact, nor a line the buyer held already: that one is refunded, never the seller's)."""
    for line in lines:
        if not line.already_held:
            notification_create(
                recipient_id=line.seller.user_id,
                kind=NotificationKind.SALE,
                params={"title": line.title, "amount": line.price_cents, "currency": order.currency},
                url=reverse("ledger:earnings"),
                key=f"order_line:{line.pk}",
            )


def _buyer_lock(buyer_id: int) -> None:
    User.objects.select_for_update().filter(pk=buyer_id).values_list("pk", flat=True).get()


def _documents_held(*, buyer_id: int, document_ids: Sequence[int]) -> set[int]:
    """Those of ``document_ids`` the buyer may read now (an entitlement not revoked)."""
    return set(
        Entitlement.objects.filter(
            buyer_id=buyer_id, document_id__in=document_ids, revoked_at__isnull=True
        ).values_list("document_id", flat=True)
    )


@transaction.atomic
def order_cancel(*, order_id: int, reason: str, actor: User | None = None) -> bool:
    """Pending → canceled: the order can no longer be paid (payments.payment_start refuses a
    closed order). True if it moved; a paid or closed order is left alone. The caller checks
    that no payment of it can still be paid (checkout, under the order's lock)."""
    _order, moved = order_transition(
        order_id=order_id, status=OrderStatus.CANCELED, actor=actor, reason=reason[:200]
    )
    return moved


def _line_locked(order_line_id: int) -> OrderLine:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A paid line's reversal runs inside the caller's transaction")
    return OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=order_line_id)


def _access_end(line: OrderLine, *, reason: str) -> None:
    # The one caller of library's revoke: access ends only through orders.
    if line.entitlement_id is not None:
        entitlement_revoke(entitlement_id=line.entitlement_id, reason=reason)


def order_line_access_end(*, order_line_id: int, reason: str) -> None:
    """The buyer's access to a paid line ends now, before its money goes back: a guarantee
    request was approved, and nothing may be downloaded between the approval and the refund.
    order_line_reverse does the rest once the provider has refunded. "Already ended" is
    quiet. Runs in the caller's transaction (payments.refunds), after its lock on the line.
    """
    line = _line_locked(order_line_id)
    if line.order.status != OrderStatus.PAID:
        raise ValueError(f"Order line {line.pk} of {line.order.number} is not paid: no access to end")
    _access_end(line, reason=reason)


def order_line_reverse(*, order_line_id: int, source: str, refund_id: int, reason: str) -> bool:
    """A paid line's money went back to the buyer: a refund (the guarantee, or one made at the
    provider) or a chargeback (``source`` REFUND or CHARGEBACK, ``refund_id`` the
    payments.Refund). Everything a reversal means, exactly once per line: the line marked
    refunded (its review shows "Terugbetaald" from then on), the buyer's access revoked, the
    reversal posted to the ledger, the sale no longer counted, the listing re-indexed. False,
    and nothing changes, when the line was reversed already (by this refund or another one).

    Runs in the caller's transaction (payments.refunds), which also marks the Refund refunded
    and holds the payment's row lock: payment → order line → entitlement → ledger accounts.
    """
    line = _line_locked(order_line_id)
    if line.refunded_at is not None:
        return False
    if line.order.status != OrderStatus.PAID:
        raise ValueError(f"Order line {line.pk} of {line.order.number} is not paid: nothing to refund")
    line.refunded_at = clock.now()
    line.save(update_fields=["refunded_at"])
    _access_end(line, reason=reason)
    journal = reversal_post(
        source=source, refund_id=refund_id, order_line_id=line.pk, booked_at=line.refunded_at
    )
    if not line.already_held:  # a line paid twice was never counted as a sale
        listing_sale_remove(listing_id=line.listing_id)
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
        order = order_lock(order_id)
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
    lines = list(order.lines.select_related("order", "seller", "bundle").order_by("pk"))
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
