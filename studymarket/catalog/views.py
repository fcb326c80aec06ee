from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.bundle_selectors import bundle_course_list, bundle_seller_list
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, Programme
from studymarket.catalog.reputation import reputation_tiers, seller_reputation
from studymarket.catalog.selectors import (
    book_course_list,
    book_get,
    book_listing_list,
    course_get,
    course_listing_list,
    institution_get,
    institution_listing_list,
    institution_programme_list,
    programme_course_list,
    programme_get,
    programme_listing_list,
    seller_get,
    seller_listing_list,
    seller_stats,
)
from studymarket.core.page_cache import public_page

LISTINGS_PER_PAGE = 24
# The query parameters the listing grids read (listing_page): with any other, no page cache.
PAGE_PARAMS = ("pagina",)


def listing_page(request: HttpRequest, listings: QuerySet[Listing]) -> Page:
    """One page of listing cards; a missing or bad page number shows the nearest page.
    The parameter's name is also in catalog/_listing_grid.html's page links."""
    return Paginator(listings, LISTINGS_PER_PAGE).get_page(request.GET.get("pagina"))


def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return public_page(request, lambda: _institution_detail(request, slug=slug), params=PAGE_PARAMS)


def _institution_detail(request: HttpRequest, *, slug: str) -> HttpResponse:
    try:
        institution = institution_get(slug=slug)
    except Institution.DoesNotExist:
        raise Http404 from None
    context = {
        "institution": institution,
        "programmes": institution_programme_list(institution=institution),
        "page_obj": listing_page(request, institution_listing_list(institution=institution)),
    }
    return render(request, "catalog/institution_detail.html", context)


def programme_detail(request: HttpRequest, institution: str, slug: str) -> HttpResponse:
    return public_page(
        request, lambda: _programme_detail(request, institution=institution, slug=slug), params=PAGE_PARAMS
    )


def _programme_detail(request: HttpRequest, *, institution: str, slug: str) -> HttpResponse:
    try:
        programme = programme_get(institution_slug=institution, slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None
    context = {
        "programme": programme,
        "institution": programme.institution,
        "courses": programme_course_list(programme=programme),
        "page_obj": listing_page(request, programme_listing_list(programme=programme)),
    }
    return render(request, "catalog/programme_detail.html", context)


def course_detail(request: HttpRequest, institution: str, programme: str, slug: str) -> HttpResponse:
    return public_page(
        request,
        lambda: _course_detail(request, institution=institution, programme=programme, slug=slug),
        params=PAGE_PARAMS,
    )


def _course_detail(request: HttpRequest, *, institution: str, programme: str, slug: str) -> HttpResponse:
    try:
        course = course_get(institution_slug=institution, programme_slug=programme, slug=slug)
    except Course.DoesNotExist:
        raise Http404 from None
    context = {
        "course": course,
        "page_obj": listing_page(request, course_listing_list(course=course)),
        "bundles": list(bundle_course_list(course=course)),
    }
    return render(request, "catalog/course_detail.html", context)


def seller_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return public_page(request, lambda: _seller_detail(request, slug=slug), params=PAGE_PARAMS)


def _seller_detail(request: HttpRequest, *, slug: str) -> HttpResponse:
    try:
        seller = seller_get(slug=slug)
    except SellerProfile.DoesNotExist:
        raise Http404 from None
    context = {
        "seller": seller,
        "stats": seller_stats(seller=seller),
        "reputation": seller_reputation(seller=seller),
        "tiers": reputation_tiers(),
        "page_obj": listing_page(request, seller_listing_list(seller=seller)),
        "bundles": list(bundle_seller_list(seller=seller)),
    }
    return render(request, "catalog/seller_detail.html", context)


def book_detail(request: HttpRequest, isbn13: str) -> HttpResponse:
    return public_page(request, lambda: _book_detail(request, isbn13=isbn13), params=PAGE_PARAMS)


def _book_detail(request: HttpRequest, *, isbn13: str) -> HttpResponse:
    try:
        canonical = isbn_normalise(isbn13)
    except ValidationError:
        raise Http404 from None
    if canonical != isbn13:
        return HttpResponsePermanentRedirect(reverse("catalog:book", kwargs={"isbn13": canonical}))
    try:
        book = book_get(isbn13=canonical)
    except Book.DoesNotExist:
        raise Http404 from None
    context = {
        "book": book,
        "courses": book_course_list(book=book),
        "page_obj": listing_page(request, book_listing_list(book=book)),
    }
    return render(request, "catalog/book_detail.html", context)
