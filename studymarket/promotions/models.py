"""Discount codes (ADR 0028): a seller's code for their own documents, or a platform campaign
(no seller) that the platform pays for; and each use of a code by a buyer for one order.

A code is "used" while the order it was redeemed for is pending or paid: a canceled or expired
order frees the use again (selectors.ACTIVE_ORDER_STATUSES)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Bundle, Listing
from studymarket.core.models import TimeStampedModel
from studymarket.core.money import Money
from studymarket.orders.models import Order

CODE_MIN_LENGTH = 6
CODE_MAX_LENGTH = 20
PERCENT_MIN = 1
PERCENT_MAX = 90


class DiscountKind(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    AMOUNT = "amount", _("Bedrag")


class DiscountCode(TimeStampedModel):
    """A code a buyer types at checkout. Stored upper-case; typed in any case."""

    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    # Empty: a platform campaign, paid for by the platform; else the seller pays for it.
    seller = models.ForeignKey(
        SellerProfile,
        verbose_name=_("verkoper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discount_codes",
        help_text=_("Leeg: een actie van het platform, die het platform zelf betaalt."),
    )
    kind = models.CharField(_("soort"), max_length=10, choices=DiscountKind.choices)
    percent = models.PositiveSmallIntegerField(
        _("percentage"),
        null=True,
        blank=True,
        validators=[MinValueValidator(PERCENT_MIN), MaxValueValidator(PERCENT_MAX)],
    )
    amount_cents = models.PositiveIntegerField(
        _("bedrag (centen, incl. btw)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # Whole days in the site's time zone, both included.
    valid_from = models.DateField(_("geldig vanaf"))
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("maximaal aantal keer te gebruiken"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # A seller's code may be limited to some of their listings and bundles; none: all of theirs.
    listings = models.ManyToManyField(
        Listing, verbose_name=_("documenten"), blank=True, related_name="discount_codes"
    )
    bundles = models.ManyToManyField(
        Bundle, verbose_name=_("bundels"), blank=True, related_name="discount_codes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    disabled_at = models.DateTimeField(_("uitgezet op"), null=True, blank=True)

    class Meta:
        verbose_name = _("kortingscode")
        verbose_name_plural = _("kortingscodes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(code=Upper("code")), name="discount_code_upper_case"),
            models.CheckConstraint(
                condition=(
                    Q(kind="percent", percent__gte=PERCENT_MIN, percent__lte=PERCENT_MAX, amount_cents=None)
                    | Q(kind="amount", amount_cents__gte=1, percent=None)
                ),
                name="discount_code_kind_value",
            ),
            models.CheckConstraint(
                condition=Q(valid_until=None) | Q(valid_until__gte=models.F("valid_from")),
                name="discount_code_valid_window",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def platform_funded(self) -> bool:
        return self.seller_id is None

    @property
    def amount(self) -> Money | None:
        return None if self.amount_cents is None else Money(self.amount_cents, settings.CURRENCY)


class DiscountRedemption(models.Model):
    """One use of a code: by one buyer, for one order (one code per order)."""

    code = models.ForeignKey(
        DiscountCode, verbose_name=_("kortingscode"), on_delete=models.PROTECT, related_name="redemptions"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("koper"),
        on_delete=models.PROTECT,
        related_name="discount_redemptions",
    )
    order = models.ForeignKey(
        Order, verbose_name=_("bestelling"), on_delete=models.PROTECT, related_name="discount_redemptions"
    )
    total_cents = models.PositiveIntegerField(_("korting (centen)"))
    created_at = models.DateTimeField(_("gebruikt op"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("gebruik van een kortingscode")
        verbose_name_plural = _("gebruik van kortingscodes")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["order"], name="discount_redemption_one_per_order")]
        indexes = [models.Index(fields=["code", "buyer"])]

    def __str__(self) -> str:
        return f"{self.code_id}:{self.order_id}"

    @property
    def total(self) -> Money:
        return Money(self.total_cents, settings.CURRENCY)
