"""The refund request and refund state machines (docs/state-machines.md, "Refund request",
"Refund"), one table and one apply function each; nothing else writes their status.

Refund request: requested → approved | rejected (both final).
Refund: pending → refunded | failed (both final; staff retry a failed one as a new Refund).

A Refund's status changes only under its payment's row lock (payment_lock): a platform refund
and a webhook's payment_sync that finds the same refund at the provider (payments.reversals)
meet there, one at a time, and add up to one reversal.
"""

from collections.abc import Mapping
from typing import Any

from studymarket.core.states import state_write
from studymarket.payments.models import (
    Payment,
    Refund,
    RefundRequest,
    RefundRequestStatus,
    RefundStatus,
)

# Each allowed transition and the audit action it records.
REQUEST_TRANSITIONS: dict[tuple[str, str], str] = {
    (RefundRequestStatus.REQUESTED, RefundRequestStatus.APPROVED): "refund_request.approved",
    (RefundRequestStatus.REQUESTED, RefundRequestStatus.REJECTED): "refund_request.rejected",
}

REFUND_TRANSITIONS: dict[tuple[str, str], str] = {
    (RefundStatus.PENDING, RefundStatus.REFUNDED): "refund.refunded",
    (RefundStatus.PENDING, RefundStatus.FAILED): "refund.failed",
}


def payment_lock(payment_id: int) -> Payment:
    """The lock every change of a Refund's status takes first: its payment's row. A platform
    refund and the provider's webhook about it (payments.reversals) meet here, one at a time."""
    return Payment.objects.select_for_update().get(pk=payment_id)


def refund_request_transition(
    *, request_id: int, status: str, changes: Mapping[str, Any] | None = None, actor: Any = None, **audit: Any
) -> tuple[RefundRequest, bool]:
    """Lock the request, check that it may go from where it is to ``status``, write ``status``
    and ``changes``, record the event. Returns the request (current) and whether it moved: one
    already there, or decided the other way, is left alone and the caller says what that means.
    Inside the caller's transaction."""
    request = RefundRequest.objects.select_for_update().get(pk=request_id)
    action = REQUEST_TRANSITIONS.get((request.status, status))
    if action is None:
        return request, False
    return state_write(request, status=status, action=action, changes=changes, actor=actor, **audit), True


def refund_transition(
    *, refund_id: int, status: str, changes: Mapping[str, Any] | None = None, **audit: Any
) -> tuple[Refund, bool]:
    """Lock the refund's payment (payment_lock: again, if the caller holds it already), read the
    refund, check that it may go from where it is to ``status``, write ``status`` and
    ``changes``, record the event. Returns the refund (current) and whether it moved: a refund
    already settled either way is left alone. Inside the caller's transaction."""
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    refund = Refund.objects.get(pk=refund_id)  # read under the payment's lock: current
    action = REFUND_TRANSITIONS.get((refund.status, status))
    if action is None:
        return refund, False
    return state_write(refund, status=status, action=action, changes=changes, **audit), True
