"""Refunds at the provider: sending ours (same idempotency key every time, never inside a
transaction) and the sweep that sends again what was left pending."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from studymarket.orders.models import OrderLine
from studymarket.payments.models import Refund, RefundStatus
from studymarket.payments.providers import provider_get
from studymarket.payments.providers.base import ProviderError, ProviderRejected
from studymarket.payments.refunds.booking import refund_complete, refund_fail

logger = logging.getLogger(__name__)

# A pending refund of ours is left alone by the sweep this long (its own call may be running).
_RETRY_AFTER = timedelta(minutes=1)
REFUND_RECONCILE_BATCH = 200


def refund_idempotency_key(*, order_line: OrderLine, attempt: int = 1) -> str:
    """One key per line: a double click, a retry after a timeout and the sweep all send it. Only
    a new attempt after the provider refused (staff retry) gets a new one."""
    key = f"{settings.IDEMPOTENCY_KEY_PREFIX}:refund:{order_line.order.number}:{order_line.pk}"
    return key if attempt == 1 else f"{key}:{attempt}"


def refund_execute(*, refund_id: int) -> Refund:
    """Send a pending refund of ours to its provider (same key every time) and book what it
    says. The provider unreachable: the refund stays pending and the sweep (refunds_reconcile)
    sends it again; refused: failed, for staff. Never inside a transaction."""
    refund = Refund.objects.select_related("payment", "order_line__order").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.idempotency_key is None:
        return refund
    line = refund.order_line
    try:
        remote = provider_get(refund.payment.provider).refund(
            provider_id=refund.payment.provider_id or "",
            amount_cents=refund.amount_cents,
            currency=refund.currency,
            description=gettext("Terugbetaling %(title)s, bestelling %(number)s")
            % {"title": line.title, "number": line.order.number},
            idempotency_key=refund.idempotency_key,
        )
    except ProviderRejected as error:
        logger.error("Provider refused refund %s: %s", refund.pk, error)
        return refund_fail(refund_id=refund.pk, reason=str(error))
    except ProviderError as error:
        logger.warning("Refund %s not sent, provider unavailable: %s", refund.pk, error)
        return refund
    if not remote.accepted:
        return refund_fail(refund_id=refund.pk, reason=f"provider status {remote.status}")
    return refund_complete(refund_id=refund.pk, provider_refund_id=remote.id)


def refunds_reconcile(*, limit: int = REFUND_RECONCILE_BATCH) -> int:
    """Send again every refund of ours still pending after a minute (the provider was down,
    or the process died between the approval and the provider call). Returns how many are
    settled now (refunded or failed)."""
    before = timezone.now() - _RETRY_AFTER  # created_at is a record's time: the real clock
    due = list(
        Refund.objects.filter(
            status=RefundStatus.PENDING, idempotency_key__isnull=False, created_at__lt=before
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    settled = 0
    for refund_id in due:
        if refund_execute(refund_id=refund_id).status != RefundStatus.PENDING:
            settled += 1
    return settled
