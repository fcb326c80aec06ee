"""The satisfaction guarantee ("Tevredenheidsgarantie") and the refunds it starts, exactly once.

A buyer asks for their money back for one order line (refund_request_create). Within
GUARANTEE_WINDOW_DAYS of the payment and never downloaded (reading online is fine), the rule
approves it at once; otherwise it waits for staff (refund_request_approve / _reject). Approval
takes the buyer's access away in the same transaction, so nothing can be downloaded between
"approved" and "refunded", and creates the Refund row with its idempotency key BEFORE the
provider hears of it. refund_execute then asks the provider (outside any transaction) and books
the result (refund_book): the line refunded, the ledger reversed (orders.order_line_mark_refunded),
the review marked; the e-mails go after the commit (payments.notifications).

Locks, always in this order: payment → order line → entitlement → ledger accounts. A Refund's
status changes only under its payment's row lock (payment_lock), so a platform refund and a
webhook's payment_sync that finds the same refund at the provider (payments.reversals) add up
to one reversal.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.library.models import Download, Entitlement
from studymarket.library.services import entitlement_revoke
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.orders.services import order_line_mark_refunded
from studymarket.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundOrigin,
    RefundReason,
    RefundRequest,
    RefundRequestStatus,
    RefundStatus,
)
from studymarket.payments.providers import provider_get
from studymarket.payments.providers.base import ProviderError, ProviderRejected
from studymarket.reviews.services import review_mark_refunded

logger = logging.getLogger(__name__)

EXPLANATION_MAX = 2000
# A pending refund of ours is left alone by the sweep this long (its own call may be running).
_RETRY_AFTER = timedelta(minutes=1)
REFUND_RECONCILE_BATCH = 200


class RefundRefused(ApplicationError):
    """The refund (request) cannot be made; the message says what the user can do."""


# --- The rule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuaranteeCheck:
    """What the guarantee's rule sees for one purchase now."""

    deadline: datetime  # the end of the window
    within_window: bool
    downloaded: bool

    @property
    def automatic(self) -> bool:
        return self.within_window and not self.downloaded


def guarantee_check(*, order_line: OrderLine) -> GuaranteeCheck:
    """Within the window (counted from the payment, by the business clock) and never
    downloaded: reading online does not count, a download of the PDF does."""
    paid_at = order_line.order.paid_at
    if paid_at is None:
        raise ValueError(f"Order line {order_line.pk} is not paid")
    deadline = paid_at + timedelta(days=settings.GUARANTEE_WINDOW_DAYS)
    return GuaranteeCheck(
        deadline=deadline,
        within_window=clock.now() <= deadline,
        downloaded=Download.objects.filter(entitlement__order_line_id=order_line.pk).exists(),
    )


def refund_idempotency_key(*, order_line: OrderLine, attempt: int = 1) -> str:
    """One key per line: a double click, a retry after a timeout and the sweep all send it. Only
    a new attempt after the provider refused (staff retry) gets a new one."""
    key = f"{settings.IDEMPOTENCY_KEY_PREFIX}:refund:{order_line.order.number}:{order_line.pk}"
    return key if attempt == 1 else f"{key}:{attempt}"


# --- Requests -------------------------------------------------------------------------------


def refund_request_create(
    *, buyer: User, order_line: OrderLine, reason: str, explanation: str
) -> RefundRequest:
    """The buyer's request under the guarantee; approved at once when the rule allows (the
    access is gone when this returns, the money is on its way), else queued for staff.

    One request per line: a second one, or one for a refunded line, is refused with a message
    that says where things stand. Raises RefundRefused.
    """
    request = _refund_request_open(
        buyer=buyer, order_line_id=order_line.pk, reason=reason, explanation=explanation
    )
    refund = Refund.objects.filter(request=request).first()
    if refund is not None:
        refund_execute(refund_id=refund.pk)
    return request


@transaction.atomic(durable=True)
def _refund_request_open(*, buyer: User, order_line_id: int, reason: str, explanation: str) -> RefundRequest:
    line = OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=order_line_id)
    if line.order.buyer_id != buyer.pk:
        raise RefundRefused(
            gettext("Je kunt alleen geld terugvragen voor documenten die je zelf hebt gekocht.")
        )
    if line.order.status != OrderStatus.PAID:
        raise RefundRefused(gettext("Deze bestelling is niet betaald: er is niets terug te betalen."))
    if reason not in RefundReason.values:
        raise RefundRefused(gettext("Kies een reden."))
    explanation = explanation.strip()
    if reason == RefundReason.OTHER and not explanation:
        raise RefundRefused(gettext("Vertel kort wat er mis is, dan kunnen we je verzoek beoordelen."))
    if len(explanation) > EXPLANATION_MAX:
        raise RefundRefused(gettext("Je toelichting is te lang: houd het onder de 2000 tekens."))
    _refuse_if_settled(line)
    # The entitlement's row lock makes a download that is being recorded right now (library
    # download_record takes the same lock) either count, or find the access revoked.
    entitlement = Entitlement.objects.select_for_update().get(order_line_id=line.pk)
    check = guarantee_check(order_line=line)
    now = clock.now()
    request = RefundRequest.objects.create(
        order_line=line,
        buyer=buyer,
        reason=reason,
        explanation=explanation,
        within_window=check.within_window,
        downloaded=check.downloaded,
    )
    audit_record(
        action="refund_request.created",
        obj=request,
        actor=buyer,
        reason=reason,
        within_window=check.within_window,
        downloaded=check.downloaded,
    )
    if check.automatic and entitlement.revoked_at is None:
        request.status = RefundRequestStatus.APPROVED
        request.automatic = True
        request.decided_at = now
        request.save(update_fields=["status", "automatic", "decided_at", "updated_at"])
        audit_record(action="refund_request.approved", obj=request, automatic=True)
        _refund_start(line=line, request=request)
    return request


def _refuse_if_settled(line: OrderLine) -> None:
    """Refuse a second request, or one for a line whose money already went back."""
    existing = RefundRequest.objects.filter(order_line=line).first()
    if existing is not None:
        if existing.status == RefundRequestStatus.REQUESTED:
            raise RefundRefused(
                gettext(
                    "Je hebt voor dit document al geld terug gevraagd. Je verzoek is in behandeling; "
                    "je hoort het per e-mail."
                )
            )
        if existing.status == RefundRequestStatus.APPROVED:
            raise RefundRefused(
                gettext("Je verzoek voor dit document is al goedgekeurd; je geld komt terug.")
            )
        raise RefundRefused(
            gettext(
                "Je verzoek voor dit document is afgewezen. Ben je het er niet mee eens? "
                "Antwoord dan op onze e-mail, dan kijkt een collega opnieuw."
            )
        )
    if (
        line.refunded_at is not None
        or Refund.objects.filter(order_line=line).exclude(status=RefundStatus.FAILED).exists()
    ):
        raise RefundRefused(gettext("Dit document is al terugbetaald; je hebt er geen toegang meer toe."))


def _refund_start(*, line: OrderLine, request: RefundRequest | None) -> Refund:
    """The Refund row of an approved request, key and all, before the provider hears of it;
    the buyer's access ends now. Runs in the approving transaction, the line locked."""
    payment = (
        Payment.objects.filter(order_id=line.order_id, status=PaymentStatus.PAID)
        .order_by("paid_at", "pk")
        .first()
    )
    if payment is None or not payment.provider_id:
        raise RefundRefused(
            gettext(
                "Bij deze bestelling hoort geen ontvangen betaling. Neem contact op met de klantenservice."
            )
        )
    entitlement_revoke(order_line_id=line.pk, reason="refund")
    attempt = Refund.objects.filter(order_line=line, idempotency_key__isnull=False).count() + 1
    refund = Refund.objects.create(
        payment=payment,
        order_line=line,
        request=request,
        origin=RefundOrigin.REQUEST,
        amount_cents=line.price_cents,
        currency=line.order.currency,
        idempotency_key=refund_idempotency_key(order_line=line, attempt=attempt),
    )
    audit_record(action="refund.created", obj=refund, amount_cents=refund.amount_cents, attempt=attempt)
    return refund


def refund_request_approve(*, request_id: int, actor: User, note: str = "") -> RefundRequest:
    """Staff approve a queued request: access ends at once, the refund goes to the provider.
    A second click returns quietly. Raises RefundRefused (not staff, already rejected)."""
    request = _refund_request_approve(request_id=request_id, actor=actor, note=note)
    refund = Refund.objects.filter(request=request, status=RefundStatus.PENDING).first()
    if refund is not None:
        refund_execute(refund_id=refund.pk)
    return request


@transaction.atomic(durable=True)
def _refund_request_approve(*, request_id: int, actor: User, note: str) -> RefundRequest:
    if not (actor.is_authenticated and actor.is_staff):
        raise RefundRefused(gettext("Alleen medewerkers kunnen verzoeken beoordelen."))
    request = RefundRequest.objects.select_for_update().get(pk=request_id)
    if request.status == RefundRequestStatus.APPROVED:
        return request
    if request.status == RefundRequestStatus.REJECTED:
        raise RefundRefused(gettext("Dit verzoek is al afgewezen; een afwijzing wordt niet teruggedraaid."))
    line = (
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=request.order_line_id)
    )
    request.status = RefundRequestStatus.APPROVED
    request.decided_at = clock.now()
    request.decided_by = actor
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    settled = (
        line.refunded_at is not None
        or Refund.objects.filter(order_line=line).exclude(status=RefundStatus.FAILED).exists()
    )
    audit_record(
        action="refund_request.approved",
        obj=request,
        actor=actor,
        note=request.decision_note,
        already_refunded=settled,
    )
    if not settled:  # a chargeback or dashboard refund may have come first: nothing to pay twice
        _refund_start(line=line, request=request)
    return request


@transaction.atomic(durable=True)
def refund_request_reject(*, request_id: int, actor: User, note: str) -> RefundRequest:
    """Staff reject a queued request; the buyer gets ``note`` by e-mail. The buyer keeps their
    access. A second click returns quietly. Raises RefundRefused."""
    if not (actor.is_authenticated and actor.is_staff):
        raise RefundRefused(gettext("Alleen medewerkers kunnen verzoeken beoordelen."))
    note = note.strip()
    if not note:
        raise RefundRefused(gettext("Schrijf op waarom je dit verzoek afwijst; de koper leest het."))
    request = RefundRequest.objects.select_for_update().get(pk=request_id)
    if request.status == RefundRequestStatus.REJECTED:
        return request
    if request.status == RefundRequestStatus.APPROVED:
        raise RefundRefused(gettext("Dit verzoek is al goedgekeurd; de terugbetaling is gestart."))
    request.status = RefundRequestStatus.REJECTED
    request.decided_at = clock.now()
    request.decided_by = actor
    request.decision_note = note
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    audit_record(action="refund_request.rejected", obj=request, actor=actor, note=note)
    transaction.on_commit(partial(_enqueue_rejection_notice, request.pk))
    return request


# --- Refunds at the provider ----------------------------------------------------------------


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
    return _refund_complete(refund_id=refund.pk, provider_refund_id=remote.id)


def payment_lock(payment_id: int) -> Payment:
    """The lock every change of a Refund's status takes first: its payment's row. A platform
    refund and the provider's webhook about it (payments.reversals) meet here, one at a time."""
    return Payment.objects.select_for_update().get(pk=payment_id)


@transaction.atomic(durable=True)
def _refund_complete(*, refund_id: int, provider_refund_id: str) -> Refund:
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    refund = Refund.objects.get(pk=refund_id)  # read under the payment's lock: current
    refund_book(refund=refund, provider_refund_id=provider_refund_id)
    return refund


def refund_book(*, refund: Refund, provider_refund_id: str) -> bool:
    """The provider returned the money: mark ``refund`` (read under payment_lock) refunded and
    the line refunded (access, ledger reversal, sales count), mark the review, and queue the
    e-mails after the commit. "Already refunded" returns False quietly. In the caller's
    transaction, which holds the payment's row lock."""
    if refund.status != RefundStatus.PENDING:
        return False
    refund.status = RefundStatus.REFUNDED
    refund.provider_id = refund.provider_id or provider_refund_id
    refund.completed_at = clock.now()
    refund.save(update_fields=["status", "provider_id", "completed_at", "updated_at"])
    audit_record(action="refund.refunded", obj=refund, provider_id=refund.provider_id, origin=refund.origin)
    marked = order_line_mark_refunded(
        order_line_id=refund.order_line_id,
        source="chargeback" if refund.origin == RefundOrigin.CHARGEBACK else "refund",
        refund_id=refund.pk,
        reason=_reason(refund),
    )
    if not marked:
        logger.error("Refund %s: order line %s was refunded already", refund.pk, refund.order_line_id)
    review_mark_refunded(order_line_id=refund.order_line_id)
    transaction.on_commit(partial(_enqueue_notices, refund.pk))
    return True


def _reason(refund: Refund) -> str:
    if refund.origin == RefundOrigin.REQUEST and refund.request_id is not None:
        return (
            f"guarantee: {RefundRequest.objects.values_list('reason', flat=True).get(pk=refund.request_id)}"
        )
    return str(refund.origin)


@transaction.atomic(durable=True)
def refund_fail(*, refund_id: int, reason: str) -> Refund:
    """The provider refused our refund: failed, in the back office's problem list. The buyer's
    access stays revoked (the request was approved); staff retry (refund_retry) or settle it."""
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    refund = Refund.objects.get(pk=refund_id)
    refund_mark_failed(refund=refund, reason=reason)
    return refund


def refund_mark_failed(*, refund: Refund, reason: str) -> bool:
    """``refund`` (read under payment_lock) failed at the provider; "already settled" returns
    False quietly."""
    if refund.status != RefundStatus.PENDING:
        return False
    refund.status = RefundStatus.FAILED
    refund.failure_reason = reason[:300]
    refund.save(update_fields=["status", "failure_reason", "updated_at"])
    audit_record(action="refund.failed", obj=refund, reason=refund.failure_reason)
    return True


def refund_retry(*, refund_id: int, actor: User) -> Refund:
    """Staff send a failed refund of ours again, as a new attempt with a new key. Raises
    RefundRefused when the line was settled meanwhile or the refund did not fail."""
    retry = _refund_retry(refund_id=refund_id, actor=actor)
    return refund_execute(refund_id=retry.pk)


@transaction.atomic(durable=True)
def _refund_retry(*, refund_id: int, actor: User) -> Refund:
    if not (actor.is_authenticated and actor.is_staff):
        raise RefundRefused(gettext("Alleen medewerkers kunnen een terugbetaling opnieuw versturen."))
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    failed = Refund.objects.get(pk=refund_id)
    line = (
        OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=failed.order_line_id)
    )
    if failed.status != RefundStatus.FAILED or failed.origin != RefundOrigin.REQUEST:
        raise RefundRefused(gettext("Alleen een mislukte terugbetaling kan opnieuw worden verstuurd."))
    if (
        line.refunded_at is not None
        or Refund.objects.filter(order_line=line).exclude(status=RefundStatus.FAILED).exists()
    ):
        raise RefundRefused(gettext("Deze aankoop is inmiddels terugbetaald of wordt dat al."))
    request = failed.request
    if request is not None:  # the new attempt carries the request (one-to-one)
        failed.request = None
        failed.save(update_fields=["request", "updated_at"])
    retry = _refund_start(line=line, request=request)
    audit_record(action="refund.retried", obj=retry, actor=actor, previous=failed.pk)
    return retry


# --- E-mails (after the commit) -------------------------------------------------------------


def _enqueue_notices(refund_id: int) -> None:
    from studymarket.payments.tasks import refund_notify_task

    refund_notify_task.enqueue(refund_id)


def _enqueue_rejection_notice(request_id: int) -> None:
    from studymarket.payments.tasks import refund_request_rejected_notify_task

    refund_request_rejected_notify_task.enqueue(request_id)


# --- The sweep ------------------------------------------------------------------------------


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
