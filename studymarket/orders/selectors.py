from datetime import timedelta

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.orders.models import Order, OrderLine, OrderStatus


def sales_count_since(*, days: int) -> int:
    """Documents sold platform-wide in the last ``days`` days (paid order lines; refunded ones
    and ones paid twice by one buyer not counted), on the application's clock."""
    since = clock.now() - timedelta(days=days)
    return OrderLine.objects.filter(
        order__status=OrderStatus.PAID,
        order__paid_at__gte=since,
        refunded_at__isnull=True,
        already_held=False,
    ).count()


def order_get_for_buyer(*, number: str, buyer: User) -> Order:
    """The buyer's own order; raises Order.DoesNotExist for anyone else's (callers answer 404)."""
    return Order.objects.get(number=number, buyer=buyer)


def order_line_list(*, order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("order", "seller", "listing", "bundle").order_by("pk"))


def order_lines_already_held(*, order_id: int) -> list[OrderLine]:
    """The order's paid lines for documents the buyer held already when it was paid
    (order_mark_paid), not reversed yet: what payments refunds as duplicates."""
    return list(
        OrderLine.objects.select_related("order")
        .filter(
            order_id=order_id, order__status=OrderStatus.PAID, already_held=True, refunded_at__isnull=True
        )
        .order_by("pk")
    )
