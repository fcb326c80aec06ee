"""The buyer's guarantee requests and staff's decisions on them, and the Refund an approval
starts.

Approval ends the buyer's access in the same transaction (orders.order_line_access_end), so
nothing can be downloaded between "approved" and "refunded", and creates the Refund row with
its idempotency key BEFORE the provider hears of it; after the commit, refund_execute sends it.
"""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.library.models import Entitlement
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_line_access_end
from studymarket.payments.models import (
    REFUND_ORIGINS_OURS,
    Payment,
    PaymentStatus,
    Refund,
    RefundOrigin,
    RefundRequest,
    RefundRequestStatus,
    RefundStatus,
)
from studymarket.payments.refunds.mail import rejection_notice_enqueue
from studymarket.payments.refunds.policy import (
    RefundRefused,
    guarantee_check,
    line_settled,
    request_allowed,
    staff_required,
)
from studymarket.payments.refunds.provider import refund_execute, refund_idempotency_key
from studymarket.payments.refunds.state import payment_lock, refund_request_transition


def _line_locked(order_line_id: int) -> OrderLine:
    return OrderLine.objects.select_for_update(of=("self",)).select_related("order").get(pk=order_line_id)


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
    line = _line_locked(order_line_id)
    explanation = request_allowed(buyer=buyer, line=line, reason=reason, explanation=explanation)
    # The entitlement's row lock makes a download that is being recorded right now (library
    # download_record takes the same lock) either count, or find the access revoked.
    entitlement = Entitlement.objects.select_for_update(of=("self",)).get(order_line=line)
    check = guarantee_check(order_line=line)
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
        request, _ = refund_request_transition(
            request_id=request.pk,
            status=RefundRequestStatus.APPROVED,
            changes={"automatic": True, "decided_at": clock.now()},
            automatic=True,
        )
        _refund_start(line=line, request=request)
    return request


def _refund_start(
    *, line: OrderLine, request: RefundRequest | None, origin: str = RefundOrigin.REQUEST
) -> Refund:
    """The Refund row of an approved request, key and all, before the provider hears of it;
    the buyer's access ends now (through orders). Runs in the approving transaction, the line
    locked."""
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
    order_line_access_end(order_line_id=line.pk, reason="refund")
    attempt = Refund.objects.filter(order_line=line, idempotency_key__isnull=False).count() + 1
    refund = Refund.objects.create(
        payment=payment,
        order_line=line,
        request=request,
        origin=origin,
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
    staff_required(actor, gettext("Alleen medewerkers kunnen verzoeken beoordelen."))
    # The line first, then the request: the order every request's transaction locks them in.
    line = _line_locked(RefundRequest.objects.values_list("order_line_id", flat=True).get(pk=request_id))
    settled = line_settled(line)
    request, approved = refund_request_transition(
        request_id=request_id,
        status=RefundRequestStatus.APPROVED,
        changes={"decided_at": clock.now(), "decided_by": actor, "decision_note": note.strip()},
        actor=actor,
        note=note.strip(),
        already_refunded=settled,
    )
    if not approved:
        if request.status == RefundRequestStatus.REJECTED:
            raise RefundRefused(
                gettext("Dit verzoek is al afgewezen; een afwijzing wordt niet teruggedraaid.")
            )
        return request  # approved before: a second click
    if not settled:  # a chargeback or dashboard refund may have come first: nothing to pay twice
        _refund_start(line=line, request=request)
    return request


@transaction.atomic(durable=True)
def refund_request_reject(*, request_id: int, actor: User, note: str) -> RefundRequest:
    """Staff reject a queued request; the buyer gets ``note`` by e-mail. The buyer keeps their
    access. A second click returns quietly. Raises RefundRefused."""
    staff_required(actor, gettext("Alleen medewerkers kunnen verzoeken beoordelen."))
    note = note.strip()
    if not note:
        raise RefundRefused(gettext("Schrijf op waarom je dit verzoek afwijst; de koper leest het."))
    request, rejected = refund_request_transition(
        request_id=request_id,
        status=RefundRequestStatus.REJECTED,
        changes={"decided_at": clock.now(), "decided_by": actor, "decision_note": note},
        actor=actor,
        note=note,
    )
    if not rejected:
        if request.status == RefundRequestStatus.APPROVED:
            raise RefundRefused(gettext("Dit verzoek is al goedgekeurd; de terugbetaling is gestart."))
        return request  # rejected before: a second click
    transaction.on_commit(partial(rejection_notice_enqueue, request.pk))
    return request


def refund_retry(*, refund_id: int, actor: User) -> Refund:
    """Staff send a failed refund of ours again, as a new attempt with a new key. Raises
    RefundRefused when the line was settled meanwhile or the refund did not fail."""
    retry = _refund_retry(refund_id=refund_id, actor=actor)
    return refund_execute(refund_id=retry.pk)


@transaction.atomic(durable=True)
def _refund_retry(*, refund_id: int, actor: User) -> Refund:
    staff_required(actor, gettext("Alleen medewerkers kunnen een terugbetaling opnieuw versturen."))
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    failed = Refund.objects.get(pk=refund_id)
    line = _line_locked(failed.order_line_id)
    if failed.status != RefundStatus.FAILED or failed.origin not in REFUND_ORIGINS_OURS:
        raise RefundRefused(gettext("Alleen een mislukte terugbetaling kan opnieuw worden verstuurd."))
    if line_settled(line):
        raise RefundRefused(gettext("Deze aankoop is inmiddels terugbetaald of wordt dat al."))
    request = failed.request
    if request is not None:  # the new attempt carries the request (one-to-one)
        failed.request = None
        failed.save(update_fields=["request", "updated_at"])
    retry = _refund_start(line=line, request=request, origin=failed.origin)
    audit_record(action="refund.retried", obj=retry, actor=actor, previous=failed.pk)
    return retry
