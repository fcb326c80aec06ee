"""The `simulated` provider (embedded default): Mollie's part played inside our own app.

Its records (SimulatedPayment, SimulatedRefund, SimulatedChargeback) are what a real provider
keeps on its side; its checkout page (views.simulated_checkout_view) is the provider's hosted page, where the
buyer picks the outcome. Our payment code sees it only through the provider interface, so the
same payment_sync runs for it as for Mollie. No money moves.

What a provider's dashboard or a bank does without asking us (a refund made by hand, a
chargeback) is played by `simulated_dashboard_refund` and `simulated_chargeback`: tests and
demos call them, and payment_sync then finds them as it would at Mollie.
"""

import secrets
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from studymarket.payments.models import (
    PaymentStatus,
    SimulatedChargeback,
    SimulatedPayment,
    SimulatedRefund,
)
from studymarket.payments.providers.base import (
    ProviderChargeback,
    ProviderNotFound,
    ProviderPayment,
    ProviderRefund,
    ProviderRejected,
)
from studymarket.payments.states import transition_allowed

# The buttons of the checkout page: what a buyer can make of an open payment there.
OUTCOMES = (PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.CANCELED, PaymentStatus.EXPIRED)


def _payment(sim: SimulatedPayment) -> ProviderPayment:
    charged_back = sim.chargebacks.aggregate(total=Sum("amount_cents"))["total"] or 0
    return ProviderPayment(
        id=sim.id,
        status=sim.status,
        amount_cents=sim.amount_cents,
        currency=sim.currency,
        refunded_cents=sim.refunded_cents,
        chargedback_cents=charged_back,
        method=sim.method,
        checkout_url=reverse("payments:simulated_checkout", args=[sim.id]),
        paid_at=sim.paid_at,
    )


def _refund(refund: SimulatedRefund, currency: str) -> ProviderRefund:
    return ProviderRefund(
        id=refund.id,
        payment_id=refund.payment_id,
        amount_cents=refund.amount_cents,
        currency=currency,
        status="refunded",
        reference=refund.idempotency_key,
        created_at=refund.created_at,
    )


def _sim_locked(provider_id: str) -> SimulatedPayment:
    try:
        return SimulatedPayment.objects.select_for_update().get(pk=provider_id)
    except SimulatedPayment.DoesNotExist:
        raise ProviderNotFound(f"No simulated payment {provider_id}") from None


def _same_site(url: str) -> str:
    """Path and query only: the checkout page sends the buyer back within this site, whatever
    host the URL was built with, and can never be made into an open redirect."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


class SimulatedProvider:
    identifier = "simulated"
    uses_webhooks = False  # the return page and the reconcile sweep are enough here

    def create_payment(
        self,
        *,
        amount_cents: int,
        currency: str,
        description: str,
        method: str,
        locale: str,
        redirect_url: str,
        webhook_url: str | None,
        metadata: Mapping[str, str | int],
        idempotency_key: str,
    ) -> ProviderPayment:
        with transaction.atomic():
            sim, _ = SimulatedPayment.objects.get_or_create(
                idempotency_key=idempotency_key,
                defaults={
                    "id": f"sim_{secrets.token_hex(12)}",
                    "amount_cents": amount_cents,
                    "currency": currency,
                    "description": description[:255],
                    "method": method,
                    "redirect_url": _same_site(redirect_url),
                    "webhook_url": webhook_url or "",
                },
            )
        return _payment(sim)

    def get_payment(self, provider_id: str) -> ProviderPayment:
        try:
            sim = SimulatedPayment.objects.get(pk=provider_id)
        except SimulatedPayment.DoesNotExist:
            raise ProviderNotFound(f"No simulated payment {provider_id}") from None
        expire_before = timezone.now() - timedelta(minutes=settings.PAYMENT_EXPIRE_AFTER_MINUTES)
        if sim.status == PaymentStatus.OPEN and sim.created_at < expire_before:
            # The provider's own rule, as Mollie expires an unpaid payment by itself.
            sim = simulated_payment_decide(simulated_id=sim.id, status=PaymentStatus.EXPIRED)
        return _payment(sim)

    def refund(
        self,
        *,
        provider_id: str,
        amount_cents: int,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        with transaction.atomic():
            # The payment row serialises refunds of one payment, as the provider's would.
            sim = _sim_locked(provider_id)
            existing = SimulatedRefund.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                existing = _refund_create(
                    sim,
                    amount_cents=amount_cents,
                    currency=currency,
                    description=description,
                    idempotency_key=idempotency_key,
                )
        return _refund(existing, currency)

    def list_refunds(self, provider_id: str) -> list[ProviderRefund]:
        sim = SimulatedPayment.objects.filter(pk=provider_id).first()
        if sim is None:
            raise ProviderNotFound(f"No simulated payment {provider_id}")
        return [_refund(r, sim.currency) for r in sim.refunds.order_by("created_at", "id")]

    def list_chargebacks(self, provider_id: str) -> list[ProviderChargeback]:
        sim = SimulatedPayment.objects.filter(pk=provider_id).first()
        if sim is None:
            raise ProviderNotFound(f"No simulated payment {provider_id}")
        return [
            ProviderChargeback(
                id=c.id,
                payment_id=sim.id,
                amount_cents=c.amount_cents,
                currency=sim.currency,
                created_at=c.created_at,
                reason=c.reason,
            )
            for c in sim.chargebacks.order_by("created_at", "id")
        ]

    def webhook_hint(self, data: Mapping[str, str]) -> str | None:
        return None


def _refund_create(
    sim: SimulatedPayment, *, amount_cents: int, currency: str, description: str, idempotency_key: str | None
) -> SimulatedRefund:
    if sim.status != PaymentStatus.PAID or currency != sim.currency:
        raise ProviderRejected("The payment cannot be refunded")
    charged_back = sim.chargebacks.aggregate(total=Sum("amount_cents"))["total"] or 0
    if not 0 < amount_cents <= sim.amount_cents - sim.refunded_cents - charged_back:
        raise ProviderRejected("The amount exceeds what is left to refund")
    refund = SimulatedRefund.objects.create(
        id=f"sre_{secrets.token_hex(12)}",
        payment=sim,
        idempotency_key=idempotency_key,
        amount_cents=amount_cents,
        description=description[:255],
    )
    sim.refunded_cents += amount_cents
    sim.save(update_fields=["refunded_cents"])
    return refund


@transaction.atomic
def simulated_dashboard_refund(
    *, simulated_id: str, amount_cents: int, description: str = ""
) -> ProviderRefund:
    """A refund someone made by hand in the provider's dashboard: no key, so not ours."""
    sim = _sim_locked(simulated_id)
    refund = _refund_create(
        sim, amount_cents=amount_cents, currency=sim.currency, description=description, idempotency_key=None
    )
    return _refund(refund, sim.currency)


@transaction.atomic
def simulated_chargeback(*, simulated_id: str, amount_cents: int, reason: str = "") -> ProviderChargeback:
    """The buyer's bank takes (part of) a paid payment back."""
    sim = _sim_locked(simulated_id)
    if sim.status != PaymentStatus.PAID:
        raise ProviderRejected("Only a paid payment can be charged back")
    chargeback = SimulatedChargeback.objects.create(
        id=f"chb_{secrets.token_hex(12)}", payment=sim, amount_cents=amount_cents, reason=reason[:255]
    )
    return ProviderChargeback(
        id=chargeback.id,
        payment_id=sim.id,
        amount_cents=amount_cents,
        currency=sim.currency,
        created_at=chargeback.created_at,
        reason=chargeback.reason,
    )


@transaction.atomic
def simulated_payment_decide(*, simulated_id: str, status: str) -> SimulatedPayment:
    """The buyer's choice on the checkout page (or the provider's expiry rule). Forward only,
    like Mollie: a second click, or a click after expiry, changes nothing."""
    sim = SimulatedPayment.objects.select_for_update().get(pk=simulated_id)
    if status in OUTCOMES and transition_allowed(sim.status, status):
        sim.status = status
        if status == PaymentStatus.PAID:
            sim.paid_at = timezone.now()
        sim.save(update_fields=["status", "paid_at"])
    return sim
