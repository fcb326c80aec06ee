from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from studymarket.checkout.cart import request_cart_ids
from studymarket.library.selectors import owned_document_ids


def cart(request: HttpRequest) -> dict[str, object]:
    """The header's cart count, and what the cart button needs to show the right state on any
    page: in the cart, or already owned (looked up only where a cart button is shown)."""
    if not hasattr(request, "session"):
        return {"cart_listing_ids": set(), "cart_count": 0, "owned_document_ids": set()}
    ids = request_cart_ids(request)
    user = request.user
    return {
        "cart_listing_ids": set(ids.listing_ids),
        "cart_count": ids.count,  # documents: a bundle counts each of its own
        "owned_document_ids": SimpleLazyObject(
            lambda: owned_document_ids(user=user) if user.is_authenticated else set()
        ),
    }
