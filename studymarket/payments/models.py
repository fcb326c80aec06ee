from django.db import models
from django.utils.translation import gettext_lazy as _

from studymarket.core.models import TimeStampedModel
from studymarket.orders.models import Order


class PaymentStatus(models.TextChoices):
    """Forward only: open → pending → paid | failed | canceled | expired (payments/states.py)."""

    OPEN = "open", _("Open")
    PENDING = "pending", _("In behandeling")
    PAID = "paid", _("Betaald")
    FAILED = "failed", _("Mislukt")
    CANCELED = "canceled", _("Geannuleerd")
    EXPIRED = "expired", _("Verlopen")


class PaymentMethod(models.TextChoices):
    IDEAL = "ideal", "iDEAL"
    BANCONTACT = "bancontact", "Bancontact"
    CREDITCARD = "creditcard", _("Creditcard")


class Payment(TimeStampedModel):
    """One attempt to collect an order's total at a provider."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)  # "simulated" | "mollie"
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.OPEN)
    # Stored BEFORE the provider is called, so a retry sends the same key and the provider
    # answers with the payment it already made instead of a second one.
    idempotency_key = models.CharField(max_length=200, unique=True)
    provider_id = models.CharField(max_length=100, null=True, blank=True)
    checkout_url = models.URLField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="payment_provider_id_unique"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_id or self.pk} {self.status}"


class SimulatedPayment(models.Model):
    """The provider side of the `simulated` provider (embedded default): what Mollie would
    keep for a payment, here in our own database, changed only by its checkout page."""

    id = models.CharField(max_length=40, primary_key=True)  # "sim_…"
    idempotency_key = models.CharField(max_length=200, unique=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=255)
    method = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.OPEN)
    redirect_url = models.URLField(max_length=500)
    webhook_url = models.URLField(max_length=500, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)


class SimulatedRefund(models.Model):
    """A refund at the `simulated` provider: done at once, one per idempotency key."""

    id = models.CharField(max_length=40, primary_key=True)  # "sre_…"
    payment = models.ForeignKey(SimulatedPayment, on_delete=models.PROTECT, related_name="refunds")
    idempotency_key = models.CharField(max_length=200, unique=True)
    amount_cents = models.PositiveIntegerField()
    description = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
