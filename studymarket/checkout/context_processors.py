from django.http import HttpRequest

from studymarket.checkout.cart import cart_listing_ids


def cart(request: HttpRequest) -> dict[str, object]:
    ids = cart_listing_ids(request.session) if hasattr(request, "session") else []
    return {"cart_listing_ids": set(ids), "cart_count": len(ids)}
