"""Refunds and chargebacks the provider knows of, brought into our books (payment_sync).

Money can go back to a buyer without us starting it: someone refunds in the provider's
dashboard, or the buyer's bank takes it back (a chargeback). payment_sync, for a paid payment,
asks the provider for its refunds and chargebacks and books each new one once:

- a refund of ours (its reference is our idempotency key) completes our pending Refund;
- any other is mapped onto whole order lines not refunded yet: the one set of lines whose
  prices add up to the amount. Each line then gets a Refund (origin external or chargeback),
  and is booked exactly as a platform refund is (refunds.refund_book);
- an amount that fits no set of lines (a partial refund), or several alike (two lines of the
  same price), is not guessed at: it becomes an UnmatchedReversal for staff, and nothing else.

All of it under the payment's row lock, so this and a platform refund racing it (the provider's
webhook arrives while refund_execute is still booking) serialise, and the second finds the
first's work done. Provider calls come first, outside the transaction.
"""

import logging
from collections.abc import Sequence
from datetime import datetime
from itertools import combinations

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from studymarket.accounts.models import User
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.orders.models import OrderLine
from studymarket.payments.models import (
    REFUND_ORIGINS_OURS,
    Payment,
    PaymentStatus,
    Refund,
    RefundOrigin,
    RefundStatus,
    UnmatchedReversal,
    UnmatchedReversalKind,
    UnmatchedReversalStatus,
)
from studymarket.payments.providers import provider_get
from studymarket.payments.providers.base import ProviderChargeback, ProviderPayment, ProviderRefund
from studymarket.payments.refunds import payment_lock, refund_book, refund_mark_failed

logger = logging.getLogger(__name__)

# Beyond this many open lines in one order, only "the whole rest" is matched (2^n subsets).
_MAX_SUBSET_LINES = 12
_REFUND_DEAD = frozenset({"failed", "canceled"})


def reversals_sync(*, payment: Payment, remote: ProviderPayment) -> int:
    """Book what the provider returned to the buyer of ``payment`` (paid) and we have not
    booked yet. ``remote`` is the provider's payment, fetched just now: when its refunded and
    charged-back amounts are what we know already, nothing is listed. Returns how many Refunds
    were booked. Raises ProviderError (nothing changes then)."""
    if payment.status != PaymentStatus.PAID or not payment.provider_id:
        return 0
    known_refunded, known_charged_back, ours_pending = _known(payment)
    if (
        remote.refunded_cents == known_refunded
        and remote.chargedback_cents == known_charged_back
        and not ours_pending
    ):
        return 0
    provider = provider_get(payment.provider)
    refunds = provider.list_refunds(payment.provider_id) if remote.refunded_cents or ours_pending else []
    chargebacks = provider.list_chargebacks(payment.provider_id) if remote.chargedback_cents else []
    return _reversals_apply(payment_id=payment.pk, refunds=refunds, chargebacks=chargebacks)


def _known(payment: Payment) -> tuple[int, int, bool]:
    """What we booked (or were told about) of this payment: refunded cents, charged-back
    cents, and whether a refund of ours is still on its way."""
    refunds = Refund.objects.filter(payment=payment)
    refunded = refunds.filter(status=RefundStatus.REFUNDED).exclude(origin=RefundOrigin.CHARGEBACK)
    charged = refunds.filter(status=RefundStatus.REFUNDED, origin=RefundOrigin.CHARGEBACK)
    unmatched = UnmatchedReversal.objects.filter(payment=payment)

    def total(queryset: QuerySet[Refund] | QuerySet[UnmatchedReversal]) -> int:
        return int(queryset.aggregate(total=Sum("amount_cents"))["total"] or 0)

    return (
        total(refunded) + total(unmatched.filter(kind=UnmatchedReversalKind.REFUND)),
        total(charged) + total(unmatched.filter(kind=UnmatchedReversalKind.CHARGEBACK)),
        refunds.filter(status=RefundStatus.PENDING, idempotency_key__isnull=False).exists(),
    )


def _created(item: ProviderRefund | ProviderChargeback) -> tuple[datetime | None, str]:
    return (item.created_at, item.id)


@transaction.atomic(durable=True)
def _reversals_apply(
    *, payment_id: int, refunds: Sequence[ProviderRefund], chargebacks: Sequence[ProviderChargeback]
) -> int:
    payment = payment_lock(payment_id)
    ours = list(Refund.objects.filter(payment=payment))  # read under the payment's lock
    by_key = {r.idempotency_key: r for r in ours if r.idempotency_key}
    by_provider_id = {r.provider_id: r for r in ours if r.provider_id}
    booked = 0
    for remote in sorted(refunds, key=lambda r: (r.created_at is None, _created(r))):
        mine = by_key.get(remote.reference or "") or by_provider_id.get(remote.id)
        if mine is not None and mine.origin in REFUND_ORIGINS_OURS:
            if mine.status == RefundStatus.PENDING and remote.accepted:
                booked += refund_book(refund=mine, provider_refund_id=remote.id)
            elif mine.status == RefundStatus.PENDING and remote.status in _REFUND_DEAD:
                refund_mark_failed(refund=mine, reason=f"provider status {remote.status}")
            continue
        if mine is not None or not remote.accepted:
            continue  # booked before (an external one), or it returns nothing
        booked += _external_book(
            payment,
            kind=UnmatchedReversalKind.REFUND,
            provider_id=remote.id,
            amount_cents=remote.amount_cents,
            currency=remote.currency,
        )
    for chargeback in sorted(chargebacks, key=lambda c: (c.created_at is None, _created(c))):
        if chargeback.reversed:
            continue
        booked += _external_book(
            payment,
            kind=UnmatchedReversalKind.CHARGEBACK,
            provider_id=chargeback.id,
            amount_cents=chargeback.amount_cents,
            currency=chargeback.currency,
            reason=chargeback.reason,
        )
    return booked


def _external_book(
    payment: Payment, *, kind: str, provider_id: str, amount_cents: int, currency: str, reason: str = ""
) -> int:
    """Book one refund or chargeback we did not start, once: on the one set of open lines it
    fits, or as an UnmatchedReversal for staff."""
    if Refund.objects.filter(payment=payment, provider_id=provider_id).exists():
        return 0
    if UnmatchedReversal.objects.filter(payment=payment, kind=kind, provider_id=provider_id).exists():
        return 0
    lines = list(
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(order_id=payment.order_id, refunded_at__isnull=True)
        .exclude(refunds__status__in=[RefundStatus.PENDING, RefundStatus.REFUNDED])
        .order_by("pk")
    )
    matched, problem = _lines_for(lines, amount_cents) if currency == payment.currency else ([], "currency")
    if not matched:
        unmatched = UnmatchedReversal.objects.create(
            payment=payment,
            kind=kind,
            provider_id=provider_id,
            amount_cents=amount_cents,
            currency=currency,
            problem=problem,
        )
        audit_record(
            action="refund.unmatched",
            obj=payment,
            kind=kind,
            provider_id=provider_id,
            amount_cents=amount_cents,
            problem=problem,
            unmatched=unmatched.pk,
        )
        logger.warning(
            "Payment %s: %s %s of %s cents not booked (%s)",
            payment.pk,
            kind,
            provider_id,
            amount_cents,
            problem,
        )
        return 0
    origin = RefundOrigin.CHARGEBACK if kind == UnmatchedReversalKind.CHARGEBACK else RefundOrigin.EXTERNAL
    for line in matched:
        refund = Refund.objects.create(
            payment=payment,
            order_line=line,
            origin=origin,
            amount_cents=line.price_cents,
            currency=currency,
            provider_id=provider_id,
            failure_reason="",
        )
        audit_record(
            action="refund.created", obj=refund, origin=origin, provider_id=provider_id, reason=reason[:200]
        )
        refund_book(refund=refund, provider_refund_id=provider_id)
    return len(matched)


def _lines_for(lines: Sequence[OrderLine], amount_cents: int) -> tuple[list[OrderLine], str]:
    """The one set of ``lines`` whose prices add up to ``amount_cents``; otherwise no lines and
    why: "no_open_lines" (every line was refunded already: a chargeback after a refund, say),
    "partial" (no set fits) or "ambiguous" (more than one does)."""
    if not lines:
        return [], "no_open_lines"
    if amount_cents <= 0:
        return [], "partial"
    if sum(line.price_cents for line in lines) == amount_cents:
        return list(lines), ""
    if len(lines) > _MAX_SUBSET_LINES:
        return [], "ambiguous"
    found: list[tuple[OrderLine, ...]] = []
    for size in range(1, len(lines)):
        for subset in combinations(lines, size):
            if sum(line.price_cents for line in subset) == amount_cents:
                found.append(subset)
                if len(found) > 1:
                    return [], "ambiguous"
    if not found:
        return [], "partial"
    return list(found[0]), ""


@transaction.atomic
def unmatched_reversal_resolve(*, unmatched_id: int, actor: User, note: str) -> UnmatchedReversal:
    """Staff settled an unmatched refund or chargeback by hand (a ledger correction, a word
    with the buyer) and say how in ``note``; it leaves the queue. A second call returns quietly.
    Raises ApplicationError (not staff, no note)."""
    if not (actor.is_authenticated and actor.is_staff):
        raise ApplicationError(gettext("Alleen medewerkers kunnen dit afhandelen."))
    note = note.strip()
    if not note:
        raise ApplicationError(gettext("Schrijf op hoe je dit hebt afgehandeld."))
    unmatched = UnmatchedReversal.objects.select_for_update().get(pk=unmatched_id)
    if unmatched.status == UnmatchedReversalStatus.RESOLVED:
        return unmatched
    unmatched.status = UnmatchedReversalStatus.RESOLVED
    unmatched.resolved_at = timezone.now()
    unmatched.resolved_by = actor
    unmatched.note = note
    unmatched.save(update_fields=["status", "resolved_at", "resolved_by", "note", "updated_at"])
    audit_record(
        action="refund.unmatched_resolved",
        obj=unmatched.payment,
        actor=actor,
        unmatched=unmatched.pk,
        note=note,
    )
    return unmatched
