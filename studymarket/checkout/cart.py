"""The visitor's cart, wherever it is kept: in the session for anonymous visitors, in the
Cart/CartItem tables for signed-in buyers (the session's cart is merged into the account at
login, see receivers.py). Holds listing and bundle ids and the applied code only; prices are
read fresh."""

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from studymarket.accounts.models import User
from studymarket.catalog.models import Bundle, BundleItem, Listing
from studymarket.checkout import selectors, services
from studymarket.checkout.bundles import (
    bundle_overlap_refusal,
    cart_bundle_add,
    cart_bundle_holding,
    cart_bundle_remove,
    in_bundle_refusal,
)
from studymarket.checkout.contents import (
    CartContents,
    bundle_gone_refusal,
    bundle_refusal,
    cart_bundles,
    cart_contents,
)
from studymarket.checkout.discounts import cart_code, cart_code_apply, cart_code_remove, code_checked
from studymarket.checkout.totals import CartSummary, cart_summary
from studymarket.core.errors import ApplicationError
from studymarket.core.ratelimits import client_ip

_KEY = "cart_listing_ids"
_BUNDLES_KEY = "cart_bundle_ids"
_CODE_KEY = "cart_discount_code"


def cart_listing_ids(session: SessionBase) -> list[int]:
    """The anonymous visitor's cart (a signed-in buyer's is in the database: request_cart_ids)."""
    return list(session.get(_KEY, []))


def cart_bundle_ids(session: SessionBase) -> list[int]:
    return list(session.get(_BUNDLES_KEY, []))


def session_code(session: SessionBase) -> str:
    return str(session.get(_CODE_KEY, ""))


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
    for key in (_KEY, _BUNDLES_KEY, _CODE_KEY):
        session.pop(key, None)


def request_cart_ids(request: HttpRequest) -> selectors.CartIds:
    if request.user.is_authenticated:
        return selectors.cart_ids(user=request.user)
    listing_ids, bundle_ids = cart_listing_ids(request.session), cart_bundle_ids(request.session)
    documents = BundleItem.objects.filter(bundle_id__in=bundle_ids).count() if bundle_ids else 0
    return selectors.CartIds(
        listing_ids=listing_ids, bundle_ids=bundle_ids, count=len(listing_ids) + documents
    )


def _buyer(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def request_cart_contents(request: HttpRequest) -> CartContents:
    ids = request_cart_ids(request)
    return cart_contents(listing_ids=ids.listing_ids, bundle_ids=ids.bundle_ids, user=_buyer(request))


def request_cart_summary(request: HttpRequest) -> CartSummary:
    """The cart priced as the order would be, with the applied code quoted again."""
    buyer = _buyer(request)
    code = cart_code(user=buyer) if buyer is not None else session_code(request.session)
    return cart_summary(contents=request_cart_contents(request), user=buyer, code=code, ip=client_ip(request))


def request_cart_add(request: HttpRequest, *, listing: Listing) -> None:
    """Raises ApplicationError when a signed-in buyer may not buy it (an anonymous visitor owns
    nothing yet; the merge at login leaves such listings out), or when it is in a bundle of
    the cart."""
    if request.user.is_authenticated:
        services.cart_item_add(user=request.user, listing=listing)
        return
    bundle = cart_bundle_holding(bundle_ids=cart_bundle_ids(request.session), listing_id=listing.pk)
    if bundle is not None:
        raise ApplicationError(in_bundle_refusal(bundle))
    cart_add(request.session, listing_id=listing.pk)


def request_cart_remove(request: HttpRequest, *, listing_id: int) -> None:
    if request.user.is_authenticated:
        services.cart_item_remove(user=request.user, listing_id=listing_id)
    else:
        cart_remove(request.session, listing_id=listing_id)


def request_cart_bundle_add(request: HttpRequest, *, bundle: Bundle) -> list[Listing]:
    """Put the bundle in the cart; returns the listings it took out (they are in it). Raises
    ApplicationError with the reason it cannot be bought."""
    if isinstance(request.user, User):
        return cart_bundle_add(user=request.user, bundle_id=bundle.pk)
    session = request.session
    found = cart_bundles([bundle.pk], owned=set())
    if not found:
        raise ApplicationError(bundle_gone_refusal())
    refusal = bundle_refusal(user=None, cart_bundle=found[0]) or bundle_overlap_refusal(
        cart_bundle=found[0], other_bundle_ids=cart_bundle_ids(session)
    )
    if refusal:
        raise ApplicationError(refusal)
    in_bundle = {document.listing.pk for document in found[0].documents}
    listing_ids = cart_listing_ids(session)
    session[_KEY] = [pk for pk in listing_ids if pk not in in_bundle]
    if bundle.pk not in cart_bundle_ids(session):
        session[_BUNDLES_KEY] = [*cart_bundle_ids(session), bundle.pk]
    return [document.listing for document in found[0].documents if document.listing.pk in listing_ids]


def request_cart_bundle_remove(request: HttpRequest, *, bundle_id: int) -> None:
    if isinstance(request.user, User):
        cart_bundle_remove(user=request.user, bundle_id=bundle_id)
    else:
        request.session[_BUNDLES_KEY] = [pk for pk in cart_bundle_ids(request.session) if pk != bundle_id]


def request_code_apply(request: HttpRequest, *, code: str) -> str:
    """Raises ApplicationError (why the code does not apply), shown next to the field."""
    ip = client_ip(request)
    if isinstance(request.user, User):
        return cart_code_apply(user=request.user, code=code, ip=ip)
    typed = code_checked(user=None, lines=request_cart_contents(request).lines(), code=code, ip=ip)
    request.session[_CODE_KEY] = typed
    return typed


def request_code_remove(request: HttpRequest) -> None:
    if isinstance(request.user, User):
        cart_code_remove(user=request.user)
    else:
        request.session.pop(_CODE_KEY, None)
