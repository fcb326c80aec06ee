"""A discount code in the cart ("Kortingscode" → "Toepassen"): checked against what the order
would be now (promotions.services.discount_quote), then kept on the cart (or the visitor's
session) and quoted again on every view of the cart and at checkout (ADR 0028)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.checkout.contents import PlannedLine, cart_contents
from studymarket.checkout.models import Cart
from studymarket.checkout.prune import cart_prune
from studymarket.checkout.selectors import cart_ids
from studymarket.checkout.totals import lines_discounted
from studymarket.core.errors import ApplicationError
from studymarket.promotions.codes import code_normalise


def code_checked(*, user: User | None, lines: Sequence[PlannedLine], code: str, ip: str | None) -> str:
    """The code as kept, once it gives a discount on these lines; raises ApplicationError with
    what the buyer can do (the code's own reasons come from promotions)."""
    typed = code_normalise(code)
    if not typed:
        raise ApplicationError(_("Vul een kortingscode in."))
    if not lines:
        raise ApplicationError(
            _("Je winkelwagen is leeg. Voeg eerst documenten toe, dan kun je de code gebruiken.")
        )
    lines_discounted(user=user, lines=lines, code=typed, ip=ip)
    return typed


@transaction.atomic
def cart_code_apply(*, user: User, code: str, ip: str | None = None) -> str:
    """Apply ``code`` to the buyer's cart (one code per order: it replaces an earlier one)."""
    cart, _created = Cart.objects.select_for_update().get_or_create(user=user)
    cart_prune(user=user)
    ids = cart_ids(user=user)
    contents = cart_contents(listing_ids=ids.listing_ids, bundle_ids=ids.bundle_ids, user=user)
    cart.discount_code = code_checked(user=user, lines=contents.lines(), code=code, ip=ip)
    cart.save(update_fields=["discount_code", "updated_at"])
    return cart.discount_code


def cart_code_remove(*, user: User) -> None:
    Cart.objects.filter(user=user).update(discount_code="")


def cart_code(*, user: User) -> str:
    return Cart.objects.filter(user=user).values_list("discount_code", flat=True).first() or ""
