"""Starting payments and keeping them in step with the provider, exactly once.

Two rules shape every function here (DESIGN.md §3):
- No provider call inside a database transaction. Each function first talks to the provider,
  then opens a short transaction that locks the row and applies what the provider said. The
  transactions are `durable`, so calling these from inside someone else's transaction fails
  loudly instead of holding locks across the network.
- The provider is the only source of truth about money. A webhook, the return page and the
  reconcile sweep are all just reasons to ask it again (payment_sync); what it answers is applied
  forward-only under a row lock, so any number of them, in any order, at once, add up to one
  transition.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.services import order_mark_paid
from studymarket.payments.models import Payment, PaymentMethod, PaymentStatus
from studymarket.payments.providers import provider_get
from studymarket.payments.providers.base import (
    ProviderError,
    ProviderPayment,
    ProviderRejected,
)
from studymarket.payments.refunds import refunds_reconcile
from studymarket.payments.refunds.duplicates import duplicate_refunds_send, duplicate_refunds_start
from studymarket.payments.reversals import reversals_sync
from studymarket.payments.states import FINAL, transition_allowed

logger = logging.getLogger(__name__)

_RETURN_SALT = "payments.return"
# A payment_start still waiting for the provider is left alone by the sweep this long.
_RESUME_AFTER = timedelta(minutes=1)
RECONCILE_BATCH = 500


class PaymentProviderUnavailable(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            gettext(
                "De betaaldienst is nu niet bereikbaar. Er is niets afgeschreven; "
                "probeer het over een paar minuten opnieuw."
            )
        )


def payment_idempotency_key(*, order: Order, attempt: int) -> str:
    return f"{settings.IDEMPOTENCY_KEY_PREFIX}:pay:{order.number}:{attempt}"


def payment_return_token(*, payment: Payment) -> str:
    """The unguessable part of the return URL: only the buyer's browser learns it."""
    return signing.Signer(salt=_RETURN_SALT).sign(str(payment.pk))


def payment_return_token_read(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_RETURN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def _absolute(path: str) -> str:
    return urljoin(str(settings.SITE_URL).rstrip("/") + "/", path.lstrip("/"))


def _locale(order: Order) -> str:
    if (translation.get_language() or settings.LANGUAGE_CODE).startswith("en"):
        return "en_US"
    return "nl_BE" if order.buyer_country == "BE" else "nl_NL"


# --- Starting a payment -----------------------------------------------------------------


def payment_start(*, order: Order, method: str) -> Payment:
    """The payment for ``order`` at the configured provider, with its checkout URL.

    Safe to call again: a double click gets the same payment; after the provider was down, the
    retry sends the same idempotency key, so the provider hands back the payment it may already
    have made instead of a second one. Raises PaymentProviderUnavailable (the order and the
    payment row stay, ready for the retry) or ApplicationError.
    """
    if method not in PaymentMethod.values:
        raise ApplicationError(gettext("Kies een betaalmethode."))
    payment = _payment_attempt(order_id=order.pk, method=method)
    if payment.checkout_url:
        return payment
    return _payment_register(payment)


@transaction.atomic(durable=True)
def _payment_attempt(*, order_id: int, method: str) -> Payment:
    # The order row serialises attempts: two clicks on "Betalen" find one payment.
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != OrderStatus.PENDING:
        raise ApplicationError(gettext("Deze bestelling is al betaald of gesloten."))
    provider = provider_get()
    latest = order.payments.order_by("-pk").first()
    if latest is not None and latest.status == PaymentStatus.PENDING:
        return latest  # the bank is still busy with it: a second payment could be paid twice
    if (
        latest is not None
        and latest.status == PaymentStatus.OPEN
        and latest.method == method
        and latest.provider == provider.identifier
    ):
        return latest
    attempt = order.payments.count() + 1
    payment = Payment.objects.create(
        order=order,
        provider=provider.identifier,
        method=method,
        amount_cents=order.total_cents,
        currency=order.currency,
        # Stored before the provider hears of it: every retry sends this same key.
        idempotency_key=payment_idempotency_key(order=order, attempt=attempt),
    )
    audit_record(action="payment.created", obj=payment, actor=order.buyer, attempt=attempt, method=method)
    return payment


def _payment_register(payment: Payment) -> Payment:
    """Create (or find again, by idempotency key) the payment at its provider."""
    provider = provider_get(payment.provider)
    order = payment.order
    try:
        remote = provider.create_payment(
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            description=gettext("Bestelling %(number)s bij studymarket") % {"number": order.number},
            method=payment.method,
            locale=_locale(order),
            redirect_url=_absolute(reverse("payments:return", args=[payment_return_token(payment=payment)])),
            webhook_url=(
                _absolute(reverse(f"payments_webhook_{provider.identifier}"))
                if provider.uses_webhooks
                else None
            ),
            metadata={"order": order.number, "payment": payment.pk},
            idempotency_key=payment.idempotency_key,
        )
    except ProviderRejected as error:
        logger.error("Provider refused payment %s: %s", payment.pk, error)
        _payment_refused(payment_id=payment.pk, reason=str(error))
        raise ApplicationError(
            gettext("Deze betaalmethode is nu niet beschikbaar. Kies een andere.")
        ) from error
    except ProviderError as error:
        logger.warning("Provider unavailable for payment %s: %s", payment.pk, error)
        raise PaymentProviderUnavailable from error
    registered = _payment_registered(payment_id=payment.pk, remote=remote)
    _after_paid(registered)
    return registered


@transaction.atomic(durable=True)
def _payment_registered(*, payment_id: int, remote: ProviderPayment) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.provider_id is None:
        payment.provider_id = remote.id
        payment.checkout_url = remote.checkout_url or ""
        payment.save(update_fields=["provider_id", "checkout_url", "updated_at"])
        audit_record(action="payment.registered", obj=payment, provider_id=remote.id)
    elif payment.provider_id != remote.id:
        # One key, two payments: the provider broke its idempotency promise. Keep the first.
        logger.error(
            "Payment %s: provider answered %s for key of %s", payment.pk, remote.id, payment.provider_id
        )
        return payment
    _transition(payment, remote)
    return payment


@transaction.atomic(durable=True)
def _payment_refused(*, payment_id: int, reason: str) -> None:
    # The provider's word that no payment exists: the attempt is over, the next gets a new key.
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.provider_id is None and transition_allowed(payment.status, PaymentStatus.FAILED):
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status", "updated_at"])
        audit_record(action="payment.failed", obj=payment, reason=reason[:200])


# --- Keeping it in step -----------------------------------------------------------------


def payment_sync(*, payment_id: int) -> Payment:
    """Ask the provider about the payment and apply its answer (forward only, exactly once).

    On paid, the order is marked paid in the same transaction. A payment that was paid before
    is asked about its refunds and chargebacks instead: those made outside the platform (the
    provider's dashboard, the buyer's bank) are booked as ours are (payments.reversals).
    Raises PaymentProviderUnavailable when the provider cannot be asked; nothing changes then.
    """
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_id or (payment.status in FINAL and payment.status != PaymentStatus.PAID):
        return payment
    try:
        remote = provider_get(payment.provider).get_payment(payment.provider_id)
        if payment.status == PaymentStatus.PAID:
            reversals_sync(payment=payment, remote=remote)
            return payment
    except ProviderError as error:
        logger.warning("Could not sync payment %s (%s): %s", payment.pk, payment.provider_id, error)
        raise PaymentProviderUnavailable from error
    applied = _payment_apply(payment_id=payment.pk, remote=remote)
    _after_paid(applied)
    return applied


def _after_paid(payment: Payment) -> None:
    # After the commit that booked the payment: refund the lines the buyer had already (the
    # Refund rows and their keys were made in that transaction; the sweep sends what is left).
    if payment.status == PaymentStatus.PAID:
        duplicate_refunds_send(payment_id=payment.pk)


@transaction.atomic(durable=True)
def _payment_apply(*, payment_id: int, remote: ProviderPayment) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    _transition(payment, remote)
    return payment


def _transition(payment: Payment, remote: ProviderPayment) -> bool:
    """Apply the provider's status to the locked ``payment``. "Already there", a status we do
    not model, or one that would go backwards: nothing happens. True when it moved."""
    now = timezone.now()
    payment.last_synced_at = now
    new, old = remote.status, payment.status
    if remote.id != payment.provider_id or not transition_allowed(old, new):
        payment.save(update_fields=["last_synced_at"])
        return False
    if new == PaymentStatus.PAID and (remote.amount_cents, remote.currency) != (
        payment.amount_cents,
        payment.currency,
    ):
        # Never deliver for a different amount than the order's; staff must look at it.
        logger.error(
            "Payment %s paid %s %s, expected %s",
            payment.pk,
            remote.amount_cents,
            remote.currency,
            payment.amount_cents,
        )
        payment.save(update_fields=["last_synced_at"])
        audit_record(action="payment.amount_mismatch", obj=payment, paid_cents=remote.amount_cents)
        return False
    payment.status = new
    fields = ["status", "last_synced_at", "updated_at"]
    if new == PaymentStatus.PAID:
        payment.paid_at = remote.paid_at or now
        fields.append("paid_at")
    payment.save(update_fields=fields)
    audit_record(action=f"payment.{new}", obj=payment, previous=old, provider_id=remote.id)
    if new == PaymentStatus.PAID:
        _order_paid(payment)
    return True


def _order_paid(payment: Payment) -> None:
    order_status = Order.objects.select_for_update().values_list("status", flat=True).get(pk=payment.order_id)
    if order_status == OrderStatus.PENDING:
        order_mark_paid(order_id=payment.order_id, paid_at=payment.paid_at)
        # A line the buyer held already (another order paid it first): its refund, key and
        # all, in this transaction; sent after the commit (_after_paid).
        duplicate_refunds_start(payment=payment)
    else:
        # Money came in for an order that is already paid (an older attempt paid too) or
        # closed: nothing to deliver twice, but it must be refunded.
        audit_record(action="payment.paid_unneeded", obj=payment, order_status=order_status)


# --- The sweep --------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    checked: int = 0
    changed: int = 0
    registered: int = 0  # payment_start calls finished (the provider had been down)
    unavailable: int = 0
    # Open past PAYMENT_EXPIRE_AFTER_MINUTES and the provider still says open: we never expire
    # a payment ourselves (the buyer may be paying), but someone should know.
    overdue: int = 0


# Paid payments are asked about refunds and chargebacks made outside the platform for this long
# after the payment (card chargebacks come up to 120 days later), a batch per sweep, the longest
# unasked first. Mollie's webhooks tell of them at once; this is the net under lost webhooks and
# the only way for the simulated provider, which sends none.
REVERSAL_SWEEP_DAYS = 180
REVERSAL_SWEEP_BATCH = 100


def payments_reconcile(*, limit: int = RECONCILE_BATCH) -> ReconcileReport:
    """Sync open and pending payments, the longest unsynced first; finish the registration of
    payments whose provider call failed. A laptop never receives webhooks: this is its only way
    to learn of a payment the buyer did not come back from."""
    report = ReconcileReport()
    now = timezone.now()
    overdue_before = now - timedelta(minutes=settings.PAYMENT_EXPIRE_AFTER_MINUTES)
    due = list(
        Payment.objects.filter(status__in=[PaymentStatus.OPEN, PaymentStatus.PENDING])
        .select_related("order")
        .order_by(F("last_synced_at").asc(nulls_first=True), "pk")[:limit]
    )
    for payment in due:
        report.checked += 1
        # Looked at, whatever comes of it: the next sweep starts with others.
        Payment.objects.filter(pk=payment.pk).update(last_synced_at=now)
        try:
            if payment.provider_id is None:
                if payment.created_at > now - _RESUME_AFTER or payment.order.status != OrderStatus.PENDING:
                    continue
                synced = _payment_register(payment)
                report.registered += 1
            else:
                synced = payment_sync(payment_id=payment.pk)
        except PaymentProviderUnavailable:
            report.unavailable += 1
            continue
        except ApplicationError:  # the provider refused the registration: that attempt failed
            report.changed += 1
            continue
        if synced.status != payment.status:
            report.changed += 1
        elif synced.status == PaymentStatus.OPEN and payment.created_at < overdue_before:
            report.overdue += 1
            logger.warning(
                "Payment %s is open at the provider after %s minutes",
                payment.pk,
                settings.PAYMENT_EXPIRE_AFTER_MINUTES,
            )
    return report


@dataclass
class RefundReconcileReport:
    refunds_settled: int = 0  # refunds of ours sent again and now refunded or failed
    paid_checked: int = 0  # paid payments asked about refunds and chargebacks
    unavailable: int = 0


def refunds_and_reversals_reconcile(*, limit: int = REVERSAL_SWEEP_BATCH) -> RefundReconcileReport:
    """The refund half of the sweep: send our refunds left pending again (refunds_reconcile),
    then ask a batch of recently paid payments, the longest unasked first, about refunds and
    chargebacks made outside the platform (payment_sync books them)."""
    report = RefundReconcileReport(refunds_settled=refunds_reconcile())
    now = timezone.now()
    due = list(
        Payment.objects.filter(
            status=PaymentStatus.PAID,
            provider_id__isnull=False,
            paid_at__gte=now - timedelta(days=REVERSAL_SWEEP_DAYS),
        )
        .order_by(F("last_synced_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for payment_id in due:
        report.paid_checked += 1
        Payment.objects.filter(pk=payment_id).update(last_synced_at=now)
        try:
            payment_sync(payment_id=payment_id)
        except PaymentProviderUnavailable:
            report.unavailable += 1
    return report
