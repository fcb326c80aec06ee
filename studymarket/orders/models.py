from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing
from studymarket.core.models import TimeStampedModel
from studymarket.core.money import Money
from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER
from studymarket.library.models import Entitlement


class OrderStatus(models.TextChoices):
    """pending → paid | canceled | expired (orders/states.py)."""

    PENDING = "pending", _("Wacht op betaling")
    PAID = "paid", _("Betaald")
    CANCELED = "canceled", _("Geannuleerd")
    EXPIRED = "expired", _("Verlopen")


class DiscountFunder(models.TextChoices):
    """Who pays for a line's discount (core.pricing, ADR 0028)."""

    NONE = "", _("geen korting")
    SELLER = FUNDER_SELLER, _("de verkoper")
    PLATFORM = FUNDER_PLATFORM, _("studymarket")


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
    # The discount code as the buyer typed it, upper-cased (a snapshot: the code may change or
    # go), and what it took off the whole order: the sum of the lines' discount_cents.
    discount_code = models.CharField(max_length=40, blank=True)
    discount_cents = models.PositiveIntegerField(default=0)

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
    # Bought as part of this bundle (its price split over the lines, core.pricing.split_cents).
    # orders sits above catalog, so the key lives here.
    bundle = models.ForeignKey(
        "catalog.Bundle", on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines"
    )
    # The line's price before a discount code: the listing's price, or its share of the bundle.
    list_price_cents = models.PositiveIntegerField(default=0)
    # What the code took off (price_cents = list_price_cents − discount_cents), the same excluding
    # VAT (Δ, core.pricing.discounted_breakdown), and who bears it.
    discount_cents = models.PositiveIntegerField(default=0)
    discount_net_cents = models.PositiveIntegerField(default=0)
    discount_funder = models.CharField(max_length=10, choices=DiscountFunder.choices, blank=True, default="")
    # What the buyer pays for the line, VAT included.
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
        constraints = [
            models.UniqueConstraint(fields=["order", "listing"], name="order_line_listing_unique"),
            models.CheckConstraint(
                condition=Q(price_cents=F("list_price_cents") - F("discount_cents")),
                name="order_line_discount_adds_up",
            ),
            models.CheckConstraint(
                condition=(Q(discount_cents=0) & Q(discount_net_cents=0) & Q(discount_funder=""))
                | (Q(discount_cents__gt=0) & Q(discount_funder__in=[FUNDER_SELLER, FUNDER_PLATFORM])),
                name="order_line_discount_has_funder",
            ),
        ]

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
    def platform_discount_cents(self) -> int:
        """The discount excluding VAT that the platform pays (a campaign code), else 0."""
        return self.discount_net_cents if self.discount_funder == FUNDER_PLATFORM else 0

    @property
    def seller_share(self) -> Money:
        # Paid net of VAT, less the commission, plus what the platform adds for its own code.
        cents = self.price_cents - self.vat_cents - self.commission_cents + self.platform_discount_cents
        return Money(cents, self.order.currency)

    @property
    def discount(self) -> Money:
        return Money(self.discount_cents, self.order.currency)

    @property
    def list_price(self) -> Money:
        return Money(self.list_price_cents, self.order.currency)


# OrderLine.seller_share in a query (a sum over lines): paid net of VAT, less the commission,
# plus a platform-funded discount's Δ.
SELLER_SHARE_CENTS = (
    F("price_cents")
    - F("vat_cents")
    - F("commission_cents")
    + Case(When(discount_funder=FUNDER_PLATFORM, then=F("discount_net_cents")), default=Value(0))
)
