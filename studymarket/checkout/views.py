from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from studymarket.catalog.models import Listing
from studymarket.catalog.selectors import listing_published_list
from studymarket.checkout.cart import cart_add, cart_listing_ids, cart_remove
from studymarket.core.money import Money


def _published(listing_id: int) -> Listing:
    try:
        return listing_published_list().get(pk=listing_id)
    except Listing.DoesNotExist:
        raise Http404 from None


@require_POST
def cart_add_view(request: HttpRequest, listing_id: int) -> HttpResponse:
    listing = _published(listing_id)
    cart_add(request.session, listing_id=listing.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "checkout/_cart_button.html", {"listing": listing, "in_cart": True})
    return redirect(listing.get_absolute_url())


@require_POST
def cart_remove_view(request: HttpRequest, listing_id: int) -> HttpResponse:
    cart_remove(request.session, listing_id=listing_id)
    return redirect("checkout:cart")


def cart_view(request: HttpRequest) -> HttpResponse:
    listings = list(listing_published_list().filter(pk__in=cart_listing_ids(request.session)))
    total = sum((listing.price for listing in listings), Money.zero())
    return render(request, "checkout/cart.html", {"listings": listings, "total": total})
