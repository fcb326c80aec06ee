"""Bundles in a signed-in buyer's cart (the session's cart does the same in cart.py).

A bundle is one item: its documents are bought together at their shares of its price. A
listing of the bundle that was in the cart on its own is taken out when the bundle goes in;
a listing of a bundle in the cart cannot go in on its own; two bundles that share a document
cannot both be in the cart (an order has one line per document)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.catalog.models import Bundle, BundleItem, Listing
from studymarket.checkout.contents import CartBundle, bundle_gone_refusal, bundle_refusal, cart_bundles
from studymarket.checkout.models import Cart, CartItem
from studymarket.checkout.prune import cart_prune
from studymarket.checkout.selectors import cart_ids
from studymarket.core.errors import ApplicationError
from studymarket.library.selectors import owned_document_ids


def cart_bundle_holding(*, bundle_ids: Sequence[int], listing_id: int) -> Bundle | None:
    """The bundle of these (the cart's) that holds this listing, if any."""
    if not bundle_ids:
        return None
    item = (
        BundleItem.objects.filter(bundle_id__in=bundle_ids, listing_id=listing_id)
        .select_related("bundle")
        .first()
    )
    return item.bundle if item is not None else None


def in_bundle_refusal(bundle: Bundle) -> str:
    return _("Dit document zit al in de bundel %(title)s in je winkelwagen.") % {"title": bundle.title}


def taken_out_message(listing: Listing) -> str:
    return _("%(title)s zit in de bundel en is uit je winkelwagen gehaald.") % {"title": listing.title}


def bundle_overlap_refusal(*, cart_bundle: CartBundle, other_bundle_ids: Sequence[int]) -> str | None:
    """Why this bundle cannot join the cart's other bundles: they share a document."""
    listing_ids = [document.listing.pk for document in cart_bundle.documents]
    others = [pk for pk in other_bundle_ids if pk != cart_bundle.pk]
    shared = BundleItem.objects.filter(bundle_id__in=others, listing_id__in=listing_ids).select_related(
        "bundle"
    )
    item = shared.first() if others else None
    if item is None:
        return None
    return _(
        "Deze bundel heeft documenten gemeen met de bundel %(title)s in je winkelwagen. "
        "Haal die eerst uit je winkelwagen."
    ) % {"title": item.bundle.title}


def cart_bundle_put(*, user: User, cart: Cart, cart_bundle: CartBundle) -> list[Listing]:
    """Put the bundle in ``cart`` (in the caller's transaction); returns the listings taken out
    of the cart because they are in it. Raises ApplicationError when the buyer may not buy it."""
    refusal = bundle_refusal(user=user, cart_bundle=cart_bundle) or bundle_overlap_refusal(
        cart_bundle=cart_bundle, other_bundle_ids=cart_ids(user=user).bundle_ids
    )
    if refusal:
        raise ApplicationError(refusal)
    listing_ids = [document.listing.pk for document in cart_bundle.documents]
    taken = CartItem.objects.filter(cart=cart, listing_id__in=listing_ids)
    taken_ids = set(taken.values_list("listing_id", flat=True))
    taken.delete()
    CartItem.objects.get_or_create(cart=cart, bundle=cart_bundle.bundle)
    return [document.listing for document in cart_bundle.documents if document.listing.pk in taken_ids]


@transaction.atomic
def cart_bundle_add(*, user: User, bundle_id: int) -> list[Listing]:
    """Put a bundle in the buyer's cart (a second time adds nothing); returns the listings it
    took out of the cart. Raises ApplicationError: the buyer's own bundle, one not on sale, one
    whose documents they all have, one that shares a document with another bundle in the cart."""
    cart, _created = Cart.objects.get_or_create(user=user)
    cart_prune(user=user)
    found = cart_bundles([bundle_id], owned=owned_document_ids(user=user))
    if not found:
        raise ApplicationError(bundle_gone_refusal())
    return cart_bundle_put(user=user, cart=cart, cart_bundle=found[0])


def cart_bundle_remove(*, user: User, bundle_id: int) -> None:
    CartItem.objects.filter(cart__user=user, bundle_id=bundle_id).delete()
