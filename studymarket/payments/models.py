from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studymarket.core.models import TimeStampedModel
from studymarket.orders.models import Order, OrderLine


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
        verbose_name = _("betaling")
        verbose_name_plural = _("betalingen")
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

    class Meta:
        verbose_name = _("gesimuleerde betaling")
        verbose_name_plural = _("gesimuleerde betalingen")


class SimulatedRefund(models.Model):
    """A refund at the `simulated` provider: done at once, one per idempotency key. One made
    "in the provider's dashboard" (providers.simulated.simulated_dashboard_refund) has no key."""

    id = models.CharField(max_length=40, primary_key=True)  # "sre_…"
    payment = models.ForeignKey(SimulatedPayment, on_delete=models.PROTECT, related_name="refunds")
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    amount_cents = models.PositiveIntegerField()
    description = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gesimuleerde terugbetaling")
        verbose_name_plural = _("gesimuleerde terugbetalingen")


class SimulatedChargeback(models.Model):
    """A chargeback at the `simulated` provider: the buyer's bank took the money back. Made
    only by providers.simulated.simulated_chargeback (tests, demos), as a bank would."""

    id = models.CharField(max_length=40, primary_key=True)  # "chb_…"
    payment = models.ForeignKey(SimulatedPayment, on_delete=models.PROTECT, related_name="chargebacks")
    amount_cents = models.PositiveIntegerField()
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gesimuleerde terugboeking door de bank")
        verbose_name_plural = _("gesimuleerde terugboekingen door de bank")


class RefundReason(models.TextChoices):
    NOT_AS_DESCRIBED = "not_as_described", _("Het document is anders dan beschreven")
    POOR_QUALITY = "poor_quality", _("De kwaliteit valt tegen")
    WRONG_COURSE = "wrong_course", _("Verkeerd vak of verkeerde versie gekocht")
    DUPLICATE = "duplicate", _("Per ongeluk dubbel gekocht")
    OTHER = "other", _("Iets anders")


class RefundRequestStatus(models.TextChoices):
    """requested → approved | rejected (docs/state-machines.md, "Refund request";
    payments/refunds/state.py)."""

    REQUESTED = "requested", _("In behandeling")
    APPROVED = "approved", _("Goedgekeurd")
    REJECTED = "rejected", _("Afgewezen")


class RefundRequest(TimeStampedModel):
    """A buyer's claim under the satisfaction guarantee ("Tevredenheidsgarantie"), one per
    order line. Approved by the rule (within the window and not downloaded) or by staff."""

    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="refund_request")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refund_requests"
    )
    reason = models.CharField(_("reden"), max_length=30, choices=RefundReason.choices)
    explanation = models.TextField(_("toelichting"), max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=RefundRequestStatus.choices, default=RefundRequestStatus.REQUESTED
    )
    # What the rule saw when the request came in.
    within_window = models.BooleanField()
    downloaded = models.BooleanField()
    automatic = models.BooleanField(default=False)  # approved by the rule, no person involved
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    # The buyer's e-mail about a rejection, claimed before it is sent (at most once). An
    # approval is told by the refund's own e-mail (Refund.buyer_notified_at).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("terugbetalingsverzoek")
        verbose_name_plural = _("terugbetalingsverzoeken")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"refund request {self.pk} {self.status}"


class RefundOrigin(models.TextChoices):
    REQUEST = "request", _("Tevredenheidsgarantie")  # from an approved RefundRequest
    EXTERNAL = "external", _("Bij de betaaldienst gestart")  # in the provider's dashboard
    CHARGEBACK = "chargeback", _("Chargeback")
    # Paid for a document the buyer held already (two open orders): refunded by itself.
    DUPLICATE = "duplicate", _("Dubbel betaald")


# The refunds we start ourselves, each with an idempotency key stored before the provider call.
REFUND_ORIGINS_OURS = frozenset({RefundOrigin.REQUEST, RefundOrigin.DUPLICATE})


class RefundStatus(models.TextChoices):
    """pending → refunded | failed (docs/state-machines.md, "Refund"; payments/refunds/state.py)."""

    PENDING = "pending", _("Wordt uitgevoerd")
    REFUNDED = "refunded", _("Terugbetaald")
    FAILED = "failed", _("Mislukt")


class Refund(TimeStampedModel):
    """Money going back to a buyer for one order line: through the provider (ours), or found
    there by payment_sync (a refund from the dashboard, a chargeback). On refunded, the line is
    reversed once (orders.order_line_reverse): access revoked, the reversal posted, and so on."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refunds")
    request = models.OneToOneField(
        RefundRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="refund"
    )
    origin = models.CharField(max_length=12, choices=RefundOrigin.choices)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    # Ours: stored before the provider call. External ones have none.
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    provider_id = models.CharField(max_length=100, null=True, blank=True)  # re_… or chb_…
    completed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    # The buyer's and the seller's e-mail about it, each claimed before it is sent (at most once).
    buyer_notified_at = models.DateTimeField(null=True, blank=True)
    seller_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("terugbetaling")
        verbose_name_plural = _("terugbetalingen")
        constraints = [
            # One provider refund may cover several lines (a dashboard refund of the whole
            # order): one Refund per line, each naming it.
            models.UniqueConstraint(
                fields=["payment", "provider_id", "order_line"], name="refund_provider_id_unique"
            ),
            # One refund per line that is not a failure: a line is refunded once.
            models.UniqueConstraint(
                fields=["order_line"], condition=~Q(status="failed"), name="refund_one_per_line"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"refund {self.pk} {self.status}"


class UnmatchedReversalStatus(models.TextChoices):
    OPEN = "open", _("Te beoordelen")
    RESOLVED = "resolved", _("Afgehandeld")


class UnmatchedReversalKind(models.TextChoices):
    REFUND = "refund", _("Terugbetaling bij de betaaldienst")
    CHARGEBACK = "chargeback", _("Chargeback")


class UnmatchedReversal(TimeStampedModel):
    """Money that went back to a buyer outside the platform (a dashboard refund, a chargeback)
    that payment_sync could not map onto whole order lines: a partial amount, or one that fits
    several lines alike. Nothing is booked or revoked for it; staff decide (back office queue,
    status open) and resolve it with a note (reversals.unmatched_reversal_resolve)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="unmatched_reversals")
    kind = models.CharField(max_length=12, choices=UnmatchedReversalKind.choices)
    provider_id = models.CharField(max_length=100)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(
        max_length=10, choices=UnmatchedReversalStatus.choices, default=UnmatchedReversalStatus.OPEN
    )
    # Why it could not be booked by itself, for staff (not translated: a code, see reversals.py).
    problem = models.CharField(max_length=30)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("niet-gekoppelde terugboeking")
        verbose_name_plural = _("niet-gekoppelde terugboekingen")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "kind", "provider_id"], name="unmatched_reversal_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_id} {self.status}"
