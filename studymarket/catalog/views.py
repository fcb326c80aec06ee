from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Course, Institution, Listing
from studymarket.catalog.selectors import (
    course_get,
    course_listing_list,
    institution_get,
    institution_listing_list,
    institution_programme_list,
    seller_get,
    seller_listing_list,
    seller_stats,
)

LISTINGS_PER_PAGE = 24


def listing_page(request: HttpRequest, listings: QuerySet[Listing]) -> Page:
    """One page of listing cards; a missing or bad page number shows the nearest page.
    The parameter's name is also in catalog/_listing_grid.html's page links."""
    return Paginator(listings, LISTINGS_PER_PAGE).get_page(request.GET.get("pagina"))


def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
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


def course_detail(request: HttpRequest, institution: str, programme: str, slug: str) -> HttpResponse:
    try:
        course = course_get(institution_slug=institution, programme_slug=programme, slug=slug)
    except Course.DoesNotExist:
        raise Http404 from None
    context = {"course": course, "page_obj": listing_page(request, course_listing_list(course=course))}
    return render(request, "catalog/course_detail.html", context)


def seller_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        seller = seller_get(slug=slug)
    except SellerProfile.DoesNotExist:
        raise Http404 from None
    context = {
        "seller": seller,
        "stats": seller_stats(seller=seller),
        "page_obj": listing_page(request, seller_listing_list(seller=seller)),
    }
    return render(request, "catalog/seller_detail.html", context)
