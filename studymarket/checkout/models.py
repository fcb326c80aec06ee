from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from studymarket.catalog.models import Listing


class Cart(models.Model):
    """A signed-in buyer's cart (anonymous visitors keep theirs in the session, merged at
    login). Its row is the lock that makes two checkouts of one cart create one order."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("winkelwagen")
        verbose_name_plural = _("winkelwagens")


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document in een winkelwagen")
        verbose_name_plural = _("documenten in winkelwagens")
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["cart", "listing"], name="cart_item_once")]
