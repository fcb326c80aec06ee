import secrets
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.audit import audit_record
from studymarket.core.pricing import price_breakdown
from studymarket.orders.models import Order, OrderLine, OrderStatus

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def _order_number() -> str:
    return "SM-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


@transaction.atomic
def order_create(*, buyer: User, listings: Sequence[Listing], buyer_country: str = "NL") -> Order:
    """An order with a snapshot of each listing's title, price, VAT and seller."""
    if not listings:
        raise ValueError("An order needs at least one listing")
    breakdowns = [(listing, price_breakdown(listing.price, country=buyer_country)) for listing in listings]
    order = Order.objects.create(
        number=_order_number(),
        buyer=buyer,
        buyer_country=buyer_country,
        total_cents=sum(b.gross.cents for _, b in breakdowns),
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
        )
        for listing, b in breakdowns
    )
    audit_record(action="order.created", obj=order, actor=buyer, total_cents=order.total_cents)
    return order


@transaction.atomic
def order_mark_paid(*, order_id: int, paid_at: datetime | None = None) -> Order:
    """Pending → paid, exactly once: counts the sales. "Already paid" returns quietly."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status == OrderStatus.PAID:
        return order
    if order.status != OrderStatus.PENDING:
        raise ValueError(f"Order {order.number} is {order.status}, it cannot become paid")
    order.status = OrderStatus.PAID
    order.paid_at = paid_at or timezone.now()
    order.save(update_fields=["status", "paid_at", "updated_at"])
    listing_ids = list(order.lines.values_list("listing_id", flat=True))
    Listing.objects.filter(pk__in=listing_ids).update(sold_count=F("sold_count") + 1)
    audit_record(action="order.paid", obj=order)
    return order
