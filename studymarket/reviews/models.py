from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studymarket.catalog.models import Listing
from studymarket.orders.models import OrderLine


class Review(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(
        _("beoordeling"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("tekst"), max_length=3000, blank=True)
    created_at = models.DateTimeField(db_index=True)
    # The purchase that allows the review: once per purchase (orders is below reviews).
    order_line = models.OneToOneField(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.UniqueConstraint(fields=["listing", "author"], name="review_once_per_buyer"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.listing_id}"

    @property
    def is_refunded(self) -> bool:
        """Shown as "Terugbetaald": read from the purchase (``OrderLine.refunded_at``, set by
        ``orders.order_line_reverse``), never stored a second time."""
        return self.order_line is not None and self.order_line.refunded_at is not None
