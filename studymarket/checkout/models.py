from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studymarket.catalog.models import Bundle, Listing


class Cart(models.Model):
    """A signed-in buyer's cart (anonymous visitors keep theirs in the session, merged at
    login). Its row is the lock that makes two checkouts of one cart create one order."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    # The code the buyer applied ("Toepassen"), as typed: it is quoted again on every view of
    # the cart and at checkout, so a code that stopped applying is refused with its reason.
    discount_code = models.CharField(_("kortingscode"), max_length=40, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("winkelwagen")
        verbose_name_plural = _("winkelwagens")


class CartItem(models.Model):
    """One listing, or one bundle (bought as a whole: its documents at their share of its price)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document in een winkelwagen")
        verbose_name_plural = _("documenten in winkelwagens")
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "listing"], name="cart_item_once"),
            models.UniqueConstraint(fields=["cart", "bundle"], name="cart_bundle_once"),
            models.CheckConstraint(
                condition=Q(listing__isnull=False, bundle__isnull=True)
                | Q(listing__isnull=True, bundle__isnull=False),
                name="cart_item_listing_or_bundle",
            ),
        ]
