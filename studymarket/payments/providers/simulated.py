"""The `simulated` provider (embedded default): Mollie's part played inside our own app.

Its records (SimulatedPayment, SimulatedRefund) are what a real provider keeps on its side;
its checkout page (views.simulated_checkout_view) is the provider's hosted page, where the
buyer picks the outcome. Our payment code sees it only through the provider interface, so the
same payment_sync runs for it as for Mollie. No money moves.
"""

import secrets
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from studymarket.payments.models import PaymentStatus, SimulatedPayment, SimulatedRefund
from studymarket.payments.providers.base import (
    ProviderNotFound,
    ProviderPayment,
    ProviderRefund,
    ProviderRejected,
)
from studymarket.payments.states import transition_allowed

# The buttons of the checkout page: what a buyer can make of an open payment there.
OUTCOMES = (PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.CANCELED, PaymentStatus.EXPIRED)


def _payment(sim: SimulatedPayment) -> ProviderPayment:
    return ProviderPayment(
        id=sim.id,
        status=sim.status,
        amount_cents=sim.amount_cents,
        currency=sim.currency,
        refunded_cents=sim.refunded_cents,
        method=sim.method,
        checkout_url=reverse("payments:simulated_checkout", args=[sim.id]),
        paid_at=sim.paid_at,
    )


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
            existing = SimulatedRefund.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                try:
                    sim = SimulatedPayment.objects.select_for_update().get(pk=provider_id)
                except SimulatedPayment.DoesNotExist:
                    raise ProviderNotFound(f"No simulated payment {provider_id}") from None
                if sim.status != PaymentStatus.PAID or currency != sim.currency:
                    raise ProviderRejected("The payment cannot be refunded")
                if not 0 < amount_cents <= sim.amount_cents - sim.refunded_cents:
                    raise ProviderRejected("The amount exceeds what is left to refund")
                existing = SimulatedRefund.objects.create(
                    id=f"sre_{secrets.token_hex(12)}",
                    payment=sim,
                    idempotency_key=idempotency_key,
                    amount_cents=amount_cents,
                    description=description[:255],
                )
                sim.refunded_cents += amount_cents
                sim.save(update_fields=["refunded_cents"])
        return ProviderRefund(
            id=existing.id,
            payment_id=existing.payment_id,
            amount_cents=existing.amount_cents,
            currency=currency,
            status="refunded",
        )

    def webhook_hint(self, data: Mapping[str, str]) -> str | None:
        return None


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
