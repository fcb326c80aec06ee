"""The payment state machine (docs/state-machines.md, "Payment"): forward only.

open → pending → paid | failed | canceled | expired. A provider may report a status we do not
model (Mollie's "authorized") or one that would go backwards (a replayed, older answer): both
are ignored, so an out-of-order webhook can never undo a payment.
"""

from studymarket.payments.models import PaymentStatus

FINAL = frozenset({PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.CANCELED, PaymentStatus.EXPIRED})

TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.OPEN: frozenset({PaymentStatus.PENDING, *FINAL}),
    PaymentStatus.PENDING: FINAL,
    **{status: frozenset() for status in FINAL},
}


def transition_allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
