"""A listing's reviews past the newest few its page shows: "Meer beoordelingen".

One address, ``/document/<pk>/<slug>/beoordelingen/?pagina=N``, answers both ways: htmx asks
for the next page's reviews and the control that loads the one after (a fragment that takes the
old control's place), a visitor without JavaScript follows the same link to a page of its own.
Both are the same for every anonymous visitor and go through the public page cache, as the
listing page does: a new review may show a minute late on either, as it always could.
"""

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from studymarket.catalog.models import Listing
from studymarket.catalog.selectors import listing_get_for_page
from studymarket.core.page_cache import public_page
from studymarket.reviews.selectors import ReviewPage, review_page_for_listing

# The newest reviews on the listing page, and each page of "Meer beoordelingen".
REVIEWS_PER_PAGE = 10
# The page number in the address, as on the other paginated pages (seo.PAGE_PARAMETER).
PAGE_PARAMETER = "pagina"
# 1 to 999999, written plainly: "0", "-1", "02", "abc" or a number too long for the database's
# OFFSET is no page (404), never a copy of page 1 under another address in the cache.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def listing_review_page(*, listing: Listing, number: int = 1) -> ReviewPage:
    """Page ``number`` of the listing's reviews as the listing page and this one show them."""
    return review_page_for_listing(listing_id=listing.pk, number=number, per_page=REVIEWS_PER_PAGE)


def listing_reviews(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    return public_page(request, lambda: _listing_reviews(request, pk=pk, slug=slug), params=(PAGE_PARAMETER,))


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get(PAGE_PARAMETER)
    if value is None:
        return 1
    if not _PAGE_NUMBER.fullmatch(value):
        raise Http404
    return int(value)


def _wants_fragment(request: HttpRequest) -> bool:
    # htmx restoring its history asks for the whole page, whatever element it asked from.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _listing_reviews(request: HttpRequest, *, pk: int, slug: str) -> HttpResponse:
    number = _page_number(request)
    try:
        listing = listing_get_for_page(pk=pk)
    except Listing.DoesNotExist:
        raise Http404 from None
    if slug != listing.slug:
        # An old title's address: the reviews move with the listing, as its page does.
        canonical = reverse("storefront:listing_reviews", kwargs={"pk": listing.pk, "slug": listing.slug})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
    review_page = listing_review_page(listing=listing, number=number)
    if number > 1 and not review_page.reviews:
        raise Http404  # past the last page (page 1 of a listing without reviews says so)
    context = {"listing": listing, "review_page": review_page}
    if _wants_fragment(request):
        response = render(request, "storefront/_review_page.html", {**context, "fragment": True})
    else:
        response = render(request, "storefront/listing_reviews.html", context)
    # The same address answers htmx with a fragment: a shared cache must keep the two apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
