"""The public page of a bundle (issue 17): its documents, the sum, the bundle price and the saving."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render

from studymarket.catalog.bundle_selectors import (
    bundle_buyable,
    bundle_get_for_page,
    bundle_listing_list,
    bundle_saving,
)
from studymarket.catalog.models import Bundle, BundleStatus
from studymarket.core.page_cache import public_page


def bundle_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    # Cached for visitors without a session like the listing page; a change to the bundle or to
    # one of its listings starts a new generation (catalog.bundles, catalog.states).
    return public_page(request, lambda: _bundle_page(request, pk=pk, slug=slug))


def _bundle_page(request: HttpRequest, *, pk: int, slug: str) -> HttpResponse:
    try:
        bundle = bundle_get_for_page(pk=pk)
    except Bundle.DoesNotExist:
        raise Http404 from None
    if slug != bundle.slug:
        # An old title's address (or a mistyped one): one address per bundle, as for listings.
        canonical = bundle.get_absolute_url()
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
    listings = bundle_listing_list(bundle)
    withdrawn = bundle.status == BundleStatus.WITHDRAWN
    context = {
        "bundle": bundle,
        "listings": listings,
        "saving": bundle_saving(bundle, listings),
        "buyable": bundle_buyable(bundle),
        "withdrawn": withdrawn,
        "canonical_path": bundle.get_absolute_url(),
    }
    # Withdrawn by the seller: gone for good at this address (410), as a listing taken down.
    return render(request, "storefront/bundle_detail.html", context, status=410 if withdrawn else 200)
