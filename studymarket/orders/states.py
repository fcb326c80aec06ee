"""The order state machine (docs/state-machines.md, "Order").

pending → paid | canceled | expired; the last three are final. Every change of Order.status goes
through order_transition. What "paid" brings about (access, the ledger, counters, the receipt)
is order_mark_paid's; a paid line's reversal is OrderLine.refunded_at (order_line_reverse).
"""

from collections.abc import Mapping
from typing import Any

from studymarket.core.states import state_write
from studymarket.orders.models import Order, OrderStatus

# Each allowed transition and the audit action it records.
TRANSITIONS: dict[tuple[str, str], str] = {
    (OrderStatus.PENDING, OrderStatus.PAID): "order.paid",
    (OrderStatus.PENDING, OrderStatus.CANCELED): "order.canceled",
    (OrderStatus.PENDING, OrderStatus.EXPIRED): "order.expired",
}


def order_lock(order_id: int) -> Order:
    """The order's row, locked until the transaction ends: its transitions (and the receipt's
    claim) happen one at a time."""
    return Order.objects.select_for_update().get(pk=order_id)


def order_transition(
    *,
    order_id: int,
    status: str,
    changes: Mapping[str, Any] | None = None,
    actor: Any = None,
    **audit: Any,
) -> tuple[Order, bool]:
    """Lock the order, check that it may go from where it is to ``status``, write ``status``
    and ``changes``, record the event (with ``audit``). Returns the order (locked, current) and whether it
    moved: an order already there, or one that cannot get there (a canceled order never
    becomes paid), is left alone and the caller decides what that means. Inside the caller's
    transaction: the row stays locked until it ends."""
    order = order_lock(order_id)
    action = TRANSITIONS.get((order.status, status))
    if action is None:
        return order, False
    state_write(
        order,
        status=status,
        action=action,
        changes=changes,
        actor=actor,
        total_cents=order.total_cents,
        **audit,
    )
    return order, True
