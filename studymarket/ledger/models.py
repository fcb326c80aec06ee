"""The double-entry ledger (DESIGN.md rule 5): accounts, journals of immutable entries, and
the payouts that take a seller's money out of it.

Sign convention: an entry's amount is positive for a debit and negative for a credit; every
journal sums to zero. Accounts that hold what we owe (VAT, sellers' earnings) therefore carry
negative balances; pages show them the other way round (ledger.selectors).
Account.balance_cents is a cache of the sum of its entries, updated in the same transaction as
the entries (ledger_check verifies it); it exists so a payout can lock one row and read it.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.core.models import TimeStampedModel


class AccountKind(models.TextChoices):
    # Money the payment provider collected for us (an asset; also pays refunds and payouts).
    PROVIDER_CLEARING = "provider_clearing", _("Betaaldienst")
    PLATFORM_REVENUE = "platform_revenue", _("Omzet platform (commissie)")
    VAT_PAYABLE = "vat_payable", _("Af te dragen btw")  # key: the buyer's country
    SELLER_HELD = "seller_held", _("Verkoper: in de garantietermijn")  # key: seller id
    SELLER_AVAILABLE = "seller_available", _("Verkoper: beschikbaar")  # key: seller id
    # A refund or chargeback after the seller's share was paid out: settled from later earnings
    # first, so that "available" never goes below zero.
    SELLER_DEBT = "seller_debt", _("Verkoper: te verrekenen")  # key: seller id
    # Money given back to buyers (refunds and chargebacks): a contra account of the clearing.
    REFUNDS = "refunds", _("Terugbetaald aan kopers")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Uitbetalingen onderweg")
    # The other side of staff corrections (manual adjustments).
    ADJUSTMENTS = "adjustments", _("Correcties")
    # Discounts of the platform's own codes (ADR 0028): an expense, the discount excluding VAT,
    # so that the seller's share stays what it was without the code.
    PLATFORM_DISCOUNTS = "platform_discounts", _("Kortingen betaald door het platform")


SELLER_KINDS = frozenset({AccountKind.SELLER_HELD, AccountKind.SELLER_AVAILABLE, AccountKind.SELLER_DEBT})
# The same kinds in a fixed order for the constraint below: a frozenset's order changes from one
# process to the next (string hashing is randomised), which made makemigrations see a new
# constraint on every run.
_SELLER_KIND_VALUES = ["seller_available", "seller_held", "seller_debt"]


class Account(models.Model):
    kind = models.CharField(max_length=30, choices=AccountKind.choices)
    # "" for platform accounts, the country code for VAT, the seller's id for seller accounts.
    key = models.CharField(max_length=40, blank=True, default="")
    currency = models.CharField(max_length=3, default="EUR")
    seller = models.ForeignKey(
        SellerProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    balance_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("grootboekrekening")
        verbose_name_plural = _("grootboekrekeningen")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "currency"], name="ledger_account_unique"),
            models.CheckConstraint(
                condition=Q(seller__isnull=True) | Q(kind__in=_SELLER_KIND_VALUES),
                name="ledger_account_seller_kinds",
            ),
            # The promise of payouts: available money never goes below zero.
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.SELLER_AVAILABLE) | Q(balance_cents__lte=0),
                name="ledger_available_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else str(self.kind)


class JournalSource(models.TextChoices):
    SALE = "sale", _("Verkoop")  # ref: order line id
    RELEASE = "release", _("Vrijgegeven na garantietermijn")  # ref: order line id
    REFUND = "refund", _("Terugbetaling")  # ref: payments.Refund id
    CHARGEBACK = "chargeback", _("Terugboeking (chargeback)")  # ref: payments.Refund id
    PAYOUT = "payout", _("Uitbetaling")  # ref: Payout id (available → in transit)
    PAYOUT_PAID = "payout_paid", _("Uitbetaling verzonden")  # ref: Payout id
    PAYOUT_FAILURE = "payout_failure", _("Uitbetaling mislukt")  # ref: Payout id (compensation)
    ADJUSTMENT = "adjustment", _("Correctie")  # ref: the form's one-time token; actor and reason required


# The sources that take a sale back: at most one of them per order line.
REVERSAL_SOURCES = (JournalSource.REFUND, JournalSource.CHARGEBACK)


class Journal(models.Model):
    """One business event's entries. Exactly one source; at most one journal per source."""

    source = models.CharField(max_length=20, choices=JournalSource.choices)
    source_ref = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    # When the event counts for reports (a sale: when it was paid). created_at is when we wrote it.
    booked_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Sale journals: when the seller's share leaves the guarantee window (ledger release task).
    hold_until = models.DateTimeField(null=True, blank=True)
    seller = models.ForeignKey(
        SellerProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="journals"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    # The order line a sale, release, refund or chargeback journal is about (orders sits above
    # ledger: an id, not a key). It is how a release finds the line not reversed yet, and how a
    # reversal finds the line's sale; the constraint below allows one reversal per line.
    order_line_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Sale journals, for the seller's earnings page (the order lines above may not be read
    # here): what a discount code took off the line (VAT included) and who gave it
    # ("seller" or "platform", core.pricing), and the bundle it was bought in.
    discount_cents = models.PositiveIntegerField(default=0)
    discount_funder = models.CharField(max_length=10, blank=True)
    bundle_title = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("journaal")
        verbose_name_plural = _("journalen")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="ledger_journal_one_per_source"),
            models.UniqueConstraint(
                fields=["order_line_id"],
                condition=Q(source__in=["refund", "chargeback"]),
                name="ledger_journal_one_reversal_per_line",
            ),
            models.CheckConstraint(
                condition=~Q(source=JournalSource.ADJUSTMENT) | (Q(actor__isnull=False) & ~Q(reason="")),
                name="ledger_adjustment_has_actor_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["source", "hold_until"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_ref}"


class ImmutableError(Exception):
    pass


class Entry(models.Model):
    """Append-only: corrections are new journals, never edits (Entry.save refuses updates)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_cents = models.BigIntegerField()  # debit > 0, credit < 0
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        verbose_name = _("boeking")
        verbose_name_plural = _("boekingen")
        constraints = [models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_entry_not_zero")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Ledger entries are never changed; post a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("Ledger entries are never deleted.")


class PayoutStatus(models.TextChoices):
    """created → sent → paid | failed (docs/state-machines.md, "Payout")."""

    CREATED = "created", _("Aangemaakt")
    SENT = "sent", _("Verzonden naar de bank")
    PAID = "paid", _("Uitbetaald")
    FAILED = "failed", _("Mislukt")


class PayoutTrigger(models.TextChoices):
    REQUEST = "request", _("Op aanvraag")
    WEEKLY = "weekly", _("Wekelijks")
    RELEASE = "release", _("Na de garantietermijn")  # mollie_route: one route per sale line


class PayoutBatch(models.Model):
    """A SEPA credit-transfer file (pain.001) of sent payouts, made once and kept byte for byte,
    so every download of it is the same file the bank got."""

    message_id = models.CharField(max_length=35, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    document = models.TextField()  # the pain.001 XML
    total_cents = models.PositiveBigIntegerField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitbetalingsbatch")
        verbose_name_plural = _("uitbetalingsbatches")

    def __str__(self) -> str:
        return self.message_id


class Payout(models.Model):
    seller = models.ForeignKey(SellerProfile, on_delete=models.PROTECT, related_name="payouts")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.CREATED)
    provider = models.CharField(max_length=20)  # "sepa" | "mollie_route"
    trigger = models.CharField(max_length=10, choices=PayoutTrigger.choices)
    # Where it went, as it was when the payout was made.
    account_holder = models.CharField(max_length=70, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    destination = models.CharField(max_length=40, blank=True)  # mollie_route: the organisation id
    order_line_id = models.BigIntegerField(null=True, blank=True)  # mollie_route: the sale routed
    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    # Stored before any provider call: a retry sends the same key.
    idempotency_key = models.CharField(max_length=200, unique=True)
    provider_reference = models.CharField(max_length=100, blank=True)  # SEPA end-to-end id, route id
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("uitbetaling")
        verbose_name_plural = _("uitbetalingen")
        indexes = [models.Index(fields=["status", "provider"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="ledger_payout_positive"),
            models.UniqueConstraint(
                fields=["order_line_id"],
                condition=Q(order_line_id__isnull=False) & ~Q(status="failed"),
                name="ledger_payout_one_route_per_line",
            ),
        ]

    def __str__(self) -> str:
        return f"payout {self.pk} {self.status}"


class LedgerCheckRun(models.Model):
    """The outcome of each `ledger_check` (command or periodic task), for the back office."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ok = models.BooleanField()
    violations = models.JSONField(default=list)

    class Meta:
        verbose_name = _("grootboekcontrole")
        verbose_name_plural = _("grootboekcontroles")


class ApprovalKind(models.TextChoices):
    ADJUSTMENT = "adjustment", _("Correctie")
    PAYOUT = "payout", _("Uitbetaling")


class ApprovalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Voorgesteld")
    APPROVED = "approved", _("Goedgekeurd")
    REJECTED = "rejected", _("Afgewezen")


class StaffApproval(TimeStampedModel):
    """A money change above STAFF_SECOND_APPROVAL_ABOVE_CENTS (ASVS 2.3.5): one staff member
    proposes it (nothing moves), a different one approves it (then it is posted) or someone
    rejects it. The state machine is ``ledger.approvals``.

    An adjustment keeps everything it needs to post: its lines, its reason, and the correction
    form's one-time token, which becomes the journal's source reference. A payout above the
    threshold stays out of the SEPA file until its approval is approved."""

    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PROPOSED)
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    token = models.CharField(max_length=64, unique=True)
    reason = models.TextField(blank=True)
    # Adjustment: [{"kind": ..., "cents": ..., "key": ...}], the journal's lines as proposed.
    lines = models.JSONField(default=list, blank=True)
    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("goedkeuring")
        verbose_name_plural = _("goedkeuringen")
        constraints = [
            # Two people: whoever approves did not propose it.
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(decided_by__isnull=False) & ~Q(decided_by=F("proposed_by"))),
                name="ledger_approval_two_people",
            ),
            models.CheckConstraint(
                condition=Q(kind="adjustment", payout__isnull=True) | Q(kind="payout", payout__isnull=False),
                name="ledger_approval_kind_subject",
            ),
            # One open (or approved) approval per payout; a rejected one may be proposed again.
            models.UniqueConstraint(
                fields=["payout"],
                condition=Q(payout__isnull=False) & Q(status__in=["proposed", "approved"]),
                name="ledger_approval_one_per_payout",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"approval {self.pk} {self.kind} {self.status}"
