"""What search engines read besides the page itself: the canonical address of a page, the same
page in the other languages, schema.org data of a listing, and robots.txt.

Addresses are absolute on ``settings.SITE_URL``, the one public address of the site, never on the
Host header of the request (which a proxy or a visitor chooses).
"""

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from studymarket.catalog.models import Listing
from studymarket.core.translated_urls import translated_url
from studymarket.documents.models import DocumentPage

# The query parameter of paginated lists (catalog/_listing_grid.html): page 2 and on are pages
# of their own for a search engine; every other parameter (sorting, tracking) is the same page.
PAGE_PARAMETER = "pagina"

# First path segments (after the language prefix) that are nobody's business but the user's
# or the staff's: account, selling, following and opting out, cart and checkout, payment returns,
# the library with its reader and downloads, review forms, the back office, and fragments.
PRIVATE_SECTIONS = (
    "account/",
    "verkopen/",
    "volgen/",
    "winkelwagen/",
    "betalen/",
    "mijn-documenten/",
    "reviews/",
    "beheer/",
    "jsi18n/",
    "zoeken/suggesties/",
)
# Outside the language prefixes (config/urls.py).
PRIVATE_PATHS = ("/i18n/", "/webhooks/", "/healthz")

SCHEMA_IN_STOCK = "https://schema.org/InStock"


def absolute_url(path_or_url: str) -> str:
    """``/document/1/x/`` → ``https://studymarket.example/document/1/x/``; a full URL (a
    preview on object storage) stays as it is."""
    site: str = settings.SITE_URL
    return urljoin(site.rstrip("/") + "/", path_or_url)


def canonical_path(request: HttpRequest) -> str:
    """The request's path without its query, but for the page number of a paginated list."""
    page = request.GET.get(PAGE_PARAMETER, "")
    if page.isdigit() and int(page) > 1:
        return f"{request.path}?{urlencode({PAGE_PARAMETER: int(page)})}"
    return request.path


def language_alternates(path: str) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of the page at ``path`` in each language, and x-default (the
    default language, which has no prefix). Empty for a page that has no other language (a 404)."""
    alternates = [(code, translated_url(path, code)) for code, _name in settings.LANGUAGES]
    if len({url for _code, url in alternates}) < len(alternates):
        return []  # translate_url found no match: the same address for every language
    default = dict(alternates)[settings.LANGUAGE_CODE]
    return [(code, absolute_url(url)) for code, url in [*alternates, ("x-default", default)]]


# --- schema.org data of a listing ------------------------------------------------------------

# What json_script escapes, so that no text (a title with "</script>") ends the script element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any]) -> SafeString:
    """``data`` as JSON to put between <script type="application/ld+json"> and </script>.
    (Django's json_script filter writes type="application/json", which search engines skip.)"""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above


def _decimal_one_place(total: int, count: int) -> str:
    """4.5 as "4.5": the average rating from integers, rounded half up to one decimal."""
    return str((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def listing_structured_data(*, listing: Listing, preview_pages: list[DocumentPage]) -> dict[str, Any]:
    """schema.org Product with its Offer, and an AggregateRating when there are reviews: the
    figures the page shows (price, rating), for search results with price and stars."""
    url = absolute_url(listing.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.title,
        "description": listing.description,
        "sku": str(listing.pk),
        "url": url,
        "category": str(listing.get_document_type_display()),
    }
    images = [absolute_url(page.preview_image.url) for page in preview_pages if page.preview_image][:3]
    if images:
        data["image"] = images
    data["offers"] = {
        "@type": "Offer",
        "url": url,
        "price": str(listing.price.to_decimal()),
        "priceCurrency": listing.price.currency,
        "availability": SCHEMA_IN_STOCK,
        "seller": {"@type": "Person", "name": listing.seller.display_name},
    }
    rating = listing.rating
    if rating.count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": _decimal_one_place(rating.total, rating.count),
            "reviewCount": rating.count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return data


# --- robots.txt ------------------------------------------------------------------------------


def robots_txt() -> str:
    """Everything public may be crawled; the private sections may not, in every language."""
    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefix = reverse("storefront:home")  # "/" or "/en/"
        lines += [f"Disallow: {prefix}{section}" for section in PRIVATE_SECTIONS]
    lines += [f"Disallow: {path}" for path in PRIVATE_PATHS]
    lines += ["Allow: /", "", f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    return "\n".join(lines)
