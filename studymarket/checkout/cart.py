"""The visitor's cart, wherever it is kept: in the session for anonymous visitors, in the
Cart/CartItem tables for signed-in buyers (the session's cart is merged into the account at
login, see receivers.py). Holds listing ids only; prices are read fresh."""

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from studymarket.catalog.models import Listing
from studymarket.checkout import selectors, services

_KEY = "cart_listing_ids"


def cart_listing_ids(session: SessionBase) -> list[int]:
    """The anonymous visitor's cart (a signed-in buyer's is in the database: request_cart_ids)."""
    return list(session.get(_KEY, []))


def cart_add(session: SessionBase, *, listing_id: int) -> bool:
    """Add once; True if it was not in the cart yet (a double click adds nothing)."""
    ids = cart_listing_ids(session)
    if listing_id in ids:
        return False
    session[_KEY] = [*ids, listing_id]
    return True


def cart_remove(session: SessionBase, *, listing_id: int) -> None:
    session[_KEY] = [i for i in cart_listing_ids(session) if i != listing_id]


def cart_clear(session: SessionBase) -> None:
    session.pop(_KEY, None)


def request_cart_ids(request: HttpRequest) -> list[int]:
    if request.user.is_authenticated:
        return selectors.cart_listing_ids(user=request.user)
    return cart_listing_ids(request.session)


def request_cart_listings(request: HttpRequest) -> list[Listing]:
    return selectors.listings_in_order(request_cart_ids(request))


def request_cart_add(request: HttpRequest, *, listing: Listing) -> None:
    """Raises ApplicationError when a signed-in buyer may not buy it (an anonymous visitor owns
    nothing yet; the merge at login leaves such listings out)."""
    if request.user.is_authenticated:
        services.cart_item_add(user=request.user, listing=listing)
    else:
        cart_add(request.session, listing_id=listing.pk)


def request_cart_remove(request: HttpRequest, *, listing_id: int) -> None:
    if request.user.is_authenticated:
        services.cart_item_remove(user=request.user, listing_id=listing_id)
    else:
        cart_remove(request.session, listing_id=listing_id)
