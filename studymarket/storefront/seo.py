"""What search engines read besides the page itself: the canonical address of a page, the same
page in the other languages, schema.org data of a listing, and robots.txt.

Addresses are absolute on ``settings.SITE_URL``, the one public address of the site, never on the
Host header of the request (which a proxy or a visitor chooses).
"""

import html
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
from studymarket.core.money import Money
from studymarket.core.translated_urls import translated_url
from studymarket.documents.models import DocumentPage
from studymarket.reviews.models import Review

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
# "Start met verkopen" explains selling to visitors, under /verkopen/.
PUBLIC_IN_PRIVATE_SECTIONS = ("selling:sell_info",)
# Outside the language prefixes (config/urls.py).
# The JSON API is for programs, not search results; /readyz and /metrics for monitoring.
PRIVATE_PATHS = ("/i18n/", "/webhooks/", "/healthz", "/readyz", "/metrics", "/api/")

SCHEMA_IN_STOCK = "https://schema.org/InStock"
# The newest reviews named in a listing's schema.org data: no more than the page shows (its
# newest page of reviews, storefront.review_views.REVIEWS_PER_PAGE), however many it has.
REVIEWS_IN_DATA = 5


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


def listing_structured_data(
    *, listing: Listing, preview_pages: list[DocumentPage], reviews: list[Review] | None = None
) -> dict[str, Any]:
    """schema.org Product with its Offer, and an AggregateRating when there are reviews: the
    figures the page shows (price, rating), for search results with price and stars. The
    rating counts every review; of ``reviews`` (the newest, as the page shows them) at most
    REVIEWS_IN_DATA are named, each author as the page does: first name and initial
    (User.public_name), never the full name."""
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
    if reviews:
        data["review"] = [_review_data(review) for review in reviews[:REVIEWS_IN_DATA]]
    return data


def _review_data(review: Review) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Review",
        "author": {"@type": "Person", "name": review.author.public_name},
        "datePublished": review.created_at.date().isoformat(),
        "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1},
    }
    if review.text:
        # Stored as HTML-safe text (reviews.services strips markup and escapes "&" and "<"):
        # the data holds the text itself, which json_ld escapes for the script element.
        data["reviewBody"] = html.unescape(review.text)
    return data


# --- Open Graph and Twitter cards ------------------------------------------------------------

# og:locale of each language of the site (Facebook's locale names).
OG_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
OG_DESCRIPTION_CHARS = 200
SITE_NAME = "studymarket"


def social_tags(
    *,
    title: str,
    description: str,
    path: str,
    image: str = "",
    image_size: tuple[int, int] | None = None,
    image_alt: str = "",
    kind: str = "website",
    price: Money | None = None,
) -> list[tuple[str, str, str]]:
    """The <meta> elements a shared link is shown with (Open Graph, read by most apps, and
    Twitter's card): (attribute, name, content). Addresses are absolute on SITE_URL; the locale
    is the active language's, the other languages are alternates."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    locale = OG_LOCALES.get(language, OG_LOCALES[settings.LANGUAGE_CODE])
    description = _shortened(" ".join(description.split()), OG_DESCRIPTION_CHARS)
    tags = [
        ("property", "og:site_name", SITE_NAME),
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", absolute_url(path)),
        ("property", "og:locale", locale),
        *[("property", "og:locale:alternate", other) for other in OG_LOCALES.values() if other != locale],
    ]
    if image:
        tags += [("property", "og:image", absolute_url(image))]
        if image_size:
            tags += [("property", "og:image:width", str(image_size[0]))]
            tags += [("property", "og:image:height", str(image_size[1]))]
        if image_alt:
            tags += [("property", "og:image:alt", image_alt)]
    if price is not None:
        tags += [
            ("property", "product:price:amount", str(price.to_decimal())),
            ("property", "product:price:currency", price.currency),
        ]
    tags += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image:
        tags += [("name", "twitter:image", absolute_url(image))]
    return tags


def _shortened(text: str, limit: int) -> str:
    """``text`` cut after a word to at most ``limit`` characters, ending in "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


# --- robots.txt ------------------------------------------------------------------------------


def robots_txt() -> str:
    """Everything public may be crawled; the private sections may not, in every language."""
    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefix = reverse("storefront:home")  # "/" or "/en/"
            # Public pages inside a private section (the most specific rule wins).
            lines += [f"Allow: {reverse(name)}" for name in PUBLIC_IN_PRIVATE_SECTIONS]
        lines += [f"Disallow: {prefix}{section}" for section in PRIVATE_SECTIONS]
    lines += [f"Disallow: {path}" for path in PRIVATE_PATHS]
    lines += ["Allow: /", "", f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    return "\n".join(lines)
