from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing
from studymarket.core.models import TimeStampedModel
from studymarket.core.money import Money
from studymarket.library.models import Entitlement


class OrderStatus(models.TextChoices):
    """pending → paid | canceled | expired (orders/states.py)."""

    PENDING = "pending", _("Wacht op betaling")
    PAID = "paid", _("Betaald")
    CANCELED = "canceled", _("Geannuleerd")
    EXPIRED = "expired", _("Verlopen")


class Order(TimeStampedModel):
    number = models.CharField(max_length=20, unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    buyer_country = models.CharField(max_length=2, default="NL")
    currency = models.CharField(max_length=3, default="EUR")
    total_cents = models.PositiveIntegerField()
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # One per rendering of the checkout page: a double click on "Betalen" or a resubmitted form
    # finds the order it already made instead of making a second one.
    checkout_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    # The language the buyer used at checkout: the receipt is written in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    # Digital content is delivered at once, and the right of withdrawal ends then only with the
    # buyer's prior express consent and acknowledgement (CRD art. 16(m)): both boxes ticked at
    # "Betalen", when, and the version of the texts they agreed to (settings.LEGAL_TEXTS_VERSION).
    # The receipt and the order page confirm them (the durable medium of art. 8(7)).
    immediate_delivery_consent_at = models.DateTimeField(null=True, blank=True)
    withdrawal_waiver_acknowledged_at = models.DateTimeField(null=True, blank=True)
    legal_texts_version = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("bestelling")
        verbose_name_plural = _("bestellingen")

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Money:
        return Money(self.total_cents, self.currency)


class OrderLine(models.Model):
    """What was bought, as it was at the moment of purchase (a snapshot)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="order_lines")
    seller = models.ForeignKey(SellerProfile, on_delete=models.PROTECT, related_name="order_lines")
    title = models.CharField(max_length=200)
    price_cents = models.PositiveIntegerField()
    vat_cents = models.PositiveIntegerField()
    vat_rate_percent = models.PositiveSmallIntegerField()
    # The platform's fee at the moment of purchase (core.pricing): the ledger posts exactly this.
    commission_cents = models.PositiveIntegerField(default=0)
    # Set once, by order_line_reverse, in the transaction that revokes access and posts the
    # reversal: a refunded or charged-back line. A review of the line reads its "Terugbetaald"
    # label from here.
    refunded_at = models.DateTimeField(null=True, blank=True)
    # The buyer's access this line paid for, granted by order_mark_paid (null until then).
    # orders sits above library, so the link lives here; ``entitlement.order_line`` reads it back.
    entitlement = models.OneToOneField(
        Entitlement, on_delete=models.PROTECT, null=True, blank=True, related_name="order_line"
    )
    # Paid while the buyer already held the document through another purchase (two open orders
    # for one document, issue 12): no second entitlement, no second sale counted; payments
    # refunds it by itself (Refund origin "duplicate"). Set once, by order_mark_paid.
    already_held = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("bestelregel")
        verbose_name_plural = _("bestelregels")
        constraints = [models.UniqueConstraint(fields=["order", "listing"], name="order_line_listing_unique")]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.title}"

    @property
    def price(self) -> Money:
        return Money(self.price_cents, self.order.currency)

    @property
    def vat(self) -> Money:
        return Money(self.vat_cents, self.order.currency)

    @property
    def commission(self) -> Money:
        return Money(self.commission_cents, self.order.currency)

    @property
    def seller_share(self) -> Money:
        return Money(self.price_cents - self.vat_cents - self.commission_cents, self.order.currency)
