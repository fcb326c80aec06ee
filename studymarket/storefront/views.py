from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render

from studymarket.catalog.bundle_selectors import bundle_containing_list
from studymarket.catalog.counters import listing_view_record, listing_views_pending
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.catalog.reputation import seller_reputation
from studymarket.catalog.selectors import (
    course_popular_list,
    course_published_count,
    institution_list,
    listing_get_for_page,
    listing_recent_list,
)
from studymarket.core.page_cache import public_page
from studymarket.core.ratelimits import client_ip
from studymarket.documents.quality import version_quality
from studymarket.documents.selectors import preview_pages, toc_entries
from studymarket.reviews.selectors import review_form_state
from studymarket.storefront.figures import platform_figures
from studymarket.storefront.listing_figures import listing_figures_get
from studymarket.storefront.review_views import listing_review_page
from studymarket.storefront.seo import json_ld, listing_structured_data

# The table of contents shows its first entries (the first chapter or so) and folds the rest;
# one that is not much longer than that is shown whole.
TOC_SHOWN = 8
TOC_FOLD_FROM = 11


def home(request: HttpRequest) -> HttpResponse:
    return public_page(
        request,
        lambda: render(
            request,
            "storefront/home.html",
            {
                "popular_courses": course_popular_list(),
                "institutions": institution_list(),
                "recent_listings": listing_recent_list(),
                "figures": platform_figures(),
            },
        ),
    )


def listing_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    # The page may come from the public page cache; the visit is counted either way, after it.
    response = public_page(request, lambda: _listing_page(request, pk=pk, slug=slug))
    if response.status_code == 200:
        listing_view_record(
            listing_id=pk,
            user_id=request.user.pk if request.user.is_authenticated else None,
            # Only a session that exists: loading it drops the key of a made-up cookie.
            session_key=request.session.session_key if request.session.keys() else None,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    return response


def _listing_page(request: HttpRequest, *, pk: int, slug: str) -> HttpResponse:
    try:
        listing = listing_get_for_page(pk=pk)
    except Listing.DoesNotExist:
        # A listing taken down after a notice says so (410 Gone) at its own address; buyers
        # keep reading it in their library. Any other missing listing is a plain 404.
        taken_down = Listing.objects.filter(pk=pk, slug=slug, status=ListingStatus.TAKEN_DOWN).first()
        if taken_down is None:
            raise Http404 from None
        return render(request, "trust/listing_taken_down.html", {"listing": taken_down}, status=410)
    if slug != listing.slug:
        # An old title's address (or a mistyped one): one address per listing for search engines.
        canonical = listing.get_absolute_url()
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
    version = listing.document.current_version
    pages = list(preview_pages(version=version, count=listing.preview_page_count)) if version else []
    toc = list(toc_entries(version=version)) if version else []
    shown = TOC_SHOWN if len(toc) >= TOC_FOLD_FROM else len(toc)
    # The newest reviews only, in one query however many there are; "Meer beoordelingen" loads
    # the next page (review_views).
    review_page = listing_review_page(listing=listing)
    context = {
        "listing": listing,
        "canonical_path": listing.get_absolute_url(),
        "version": version,
        # Shown as it was before this visit (with the views not yet flushed to the database);
        # the visit is counted after.
        "view_count": listing.view_count + listing_views_pending(listing_id=listing.pk),
        "preview_pages": pages,
        # The first preview page is the picture of a shared link (Open Graph).
        "social_image": pages[0] if pages else None,
        "toc": toc,
        "toc_shown": toc[:shown],
        "toc_folded": toc[shown:],
        # The listing page read the table of contents already: the card need not count it again.
        "quality": version_quality(version=version, toc_entry_count=len(toc)) if version else None,
        "reputation": seller_reputation(seller=listing.seller),
        "review_page": review_page,
        "review_form": review_form_state(user=request.user, listing=listing),
        "course_listing_count": course_published_count(course=listing.course),
        # "Ook in bundel": the bundles on sale that hold this document (one query).
        "bundles": list(bundle_containing_list(listing_ids=[listing.pk])),
        "figures": platform_figures(),
        "listing_figures": listing_figures_get(listing_id=listing.pk),
        "structured_data": json_ld(
            listing_structured_data(listing=listing, preview_pages=pages, reviews=review_page.reviews)
        ),
        "guarantee_days": settings.GUARANTEE_WINDOW_DAYS,
    }
    return render(request, "storefront/listing_detail.html", context)
