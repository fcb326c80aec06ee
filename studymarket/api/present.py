"""Model rows as the API's items (dicts the schemas in schemas.py validate): amounts as cents
and as people read them, addresses absolute."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from studymarket.catalog.models import Bundle, Course, Listing
from studymarket.core.formatting import money_display
from studymarket.core.money import Money


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path) if path else ""


def money_text(cents: int) -> str:
    return money_display(Money(cents, settings.CURRENCY))


def course_item(request: HttpRequest, course: Course) -> dict[str, Any]:
    programme = course.programme
    return {
        "id": course.pk,
        "name": course.name,
        "code": course.code,
        "institution": programme.institution.name,
        "programme": programme.name,
        "url": absolute(request, course.get_absolute_url()),
    }


def bundle_url(request: HttpRequest, bundle: Bundle) -> str:
    return absolute(request, bundle.get_absolute_url())


def search_listing_item(request: HttpRequest, listing: Listing) -> dict[str, Any]:
    return {
        "type": "listing",
        "id": listing.pk,
        "title": listing.title,
        "price_cents": listing.price_cents,
        "price": money_text(listing.price_cents),
        "url": absolute(request, listing.get_absolute_url()),
        "course": course_item(request, listing.course),
    }


def search_bundle_item(request: HttpRequest, bundle: Bundle) -> dict[str, Any]:
    return {
        "type": "bundle",
        "id": bundle.pk,
        "title": bundle.title,
        "price_cents": bundle.price_cents,
        "price": money_text(bundle.price_cents),
        "url": bundle_url(request, bundle),
        "course": course_item(request, bundle.course),
    }


def listing_item(request: HttpRequest, listing: Listing) -> dict[str, Any]:
    version = listing.document.current_version
    return {
        **search_listing_item(request, listing),
        "description": listing.description,
        "seller": listing.seller.display_name,
        "document_type": listing.document_type,
        "language": listing.language,
        "academic_year": listing.academic_year,
        "page_count": version.page_count if version is not None else 0,
        "preview_page_count": listing.preview_page_count,
        "published_at": listing.published_at,
        "sold_count": listing.sold_count,
        "review_count": listing.review_count,
    }


def bundle_item(request: HttpRequest, bundle: Bundle, listings: list[Listing]) -> dict[str, Any]:
    return {
        **search_bundle_item(request, bundle),
        "description": bundle.description,
        "seller": bundle.seller.display_name,
        "listings": [
            {
                "id": listing.pk,
                "title": listing.title,
                "price_cents": listing.price_cents,
                "url": absolute(request, listing.get_absolute_url()),
            }
            for listing in listings
        ],
    }
