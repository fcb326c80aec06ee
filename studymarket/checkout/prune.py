"""Taking out of a cart what was bought since it went in (checkout.selectors.cart_items_spent)."""

from studymarket.accounts.models import User
from studymarket.checkout.models import Cart
from studymarket.checkout.selectors import cart_items_spent


def cart_prune(*, user: User) -> None:
    """Delete the spent items. When that empties the cart, its code goes too: it was used on
    the order that bought them (a cart the buyer emptied by hand keeps its code)."""
    deleted, _per_model = cart_items_spent(user=user).delete()
    if deleted:
        Cart.objects.filter(user=user, discount_code__gt="").exclude(items__isnull=False).update(
            discount_code=""
        )
