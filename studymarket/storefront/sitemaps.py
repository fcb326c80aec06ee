"""/sitemap.xml and /robots.txt: what search engines may crawl and where to find it.

/sitemap.xml is an index of one sitemap per kind of public page (listings, institutions,
programmes, courses, sellers, books), each page of each at most 50,000 addresses, every address in
each language with its hreflang alternates. Only pages with something on sale are listed: a course
without documents is no answer to anyone's search.

Django's i18n sitemaps make a list of every (object, language) pair before they cut a page out of
it; ``_PerLanguage`` cuts the page out of the query instead, so a sitemap of a million listings reads
one page of rows, not the whole table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import F, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.bundle_selectors import bundle_on_sale
from studymarket.catalog.models import Book, Bundle, Course, Institution, Listing, ListingStatus, Programme
from studymarket.storefront.seo import absolute_url, robots_txt


class _PerLanguage:
    """The rows of a query, each once per language, as the sequence a Paginator cuts pages from."""

    def __init__(self, queryset: QuerySet[Any], languages: Sequence[str]) -> None:
        self.queryset = queryset
        self.languages = list(languages)

    def count(self) -> int:
        return self.queryset.count() * len(self.languages)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[Any, str]]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Only pages (plain slices) are taken from a sitemap")
        per_row = len(self.languages)
        start = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        first_row, end_row = start // per_row, -(-stop // per_row)
        pairs = [(row, code) for row in self.queryset[first_row:end_row] for code in self.languages]
        skip = start - first_row * per_row
        return pairs[skip : skip + (stop - start)]


def _site() -> SplitResult:
    site: str = settings.SITE_URL
    return urlsplit(site)


class _PublicPages(Sitemap):
    """A kind of public page, in every language, with its hreflang alternates; addresses on
    SITE_URL. Subclasses give ``items()`` (a query in a stable order) whose rows carry
    ``last_changed``: when a published listing on the page last changed."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol: str | None = None) -> str:
        return _site().scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return _site().netloc

    @property
    def paginator(self) -> Paginator:
        languages = [code for code, _name in settings.LANGUAGES]
        return Paginator(_PerLanguage(self.items(), languages), self.limit)  # type: ignore[arg-type]

    def lastmod(self, item: Any) -> datetime | None:
        last_changed: datetime | None = item.last_changed
        return last_changed

    def get_latest_lastmod(self) -> datetime | None:
        # The index asks each sitemap for its newest change: one aggregate, not a pass over all rows.
        latest: datetime | None = (
            Listing.objects.filter(self.listings_filter()).aggregate(latest=Max("updated_at")).get("latest")
        )
        return latest

    def listings_filter(self) -> Q:
        """The published listings that appear on the pages of this sitemap."""
        return Q(status=ListingStatus.PUBLISHED)


def _published(path: str) -> Q:
    """Listings (reached from a model through ``path``) that are on sale."""
    return Q(**{f"{path}__status": ListingStatus.PUBLISHED})


class ListingSitemap(_PublicPages):
    def items(self) -> QuerySet[Listing]:
        return (
            Listing.objects.filter(status=ListingStatus.PUBLISHED)
            .annotate(last_changed=F("updated_at"))
            .only("pk", "slug", "updated_at")
            .order_by("pk")
        )


class InstitutionSitemap(_PublicPages):
    def items(self) -> QuerySet[Institution]:
        path = "programmes__courses__listings"
        return (
            Institution.objects.annotate(last_changed=Max(f"{path}__updated_at", filter=_published(path)))
            .filter(last_changed__isnull=False)
            .only("pk", "slug")
            .order_by("pk")
        )


class ProgrammeSitemap(_PublicPages):
    def items(self) -> QuerySet[Programme]:
        path = "courses__listings"
        return (
            Programme.objects.annotate(last_changed=Max(f"{path}__updated_at", filter=_published(path)))
            .filter(last_changed__isnull=False)
            .select_related("institution")
            .only("pk", "slug", "institution__slug")
            .order_by("pk")
        )


class CourseSitemap(_PublicPages):
    def items(self) -> QuerySet[Course]:
        return (
            Course.objects.annotate(last_changed=Max("listings__updated_at", filter=_published("listings")))
            .filter(last_changed__isnull=False)
            .select_related("programme__institution")
            .only("pk", "slug", "programme__slug", "programme__institution__slug")
            .order_by("pk")
        )


class SellerSitemap(_PublicPages):
    def items(self) -> QuerySet[SellerProfile]:
        return (
            SellerProfile.objects.annotate(
                last_changed=Max("listings__updated_at", filter=_published("listings"))
            )
            .filter(last_changed__isnull=False)
            .only("pk", "slug")
            .order_by("pk")
        )


class BookSitemap(_PublicPages):
    """Books have pages by ISBN: books without one are left out."""

    def items(self) -> QuerySet[Book]:
        return (
            Book.objects.filter(isbn13__isnull=False)
            .exclude(isbn13="")
            .annotate(last_changed=Max("listings__updated_at", filter=_published("listings")))
            .filter(last_changed__isnull=False)
            .only("pk", "isbn13")
            .order_by("pk")
        )

    def listings_filter(self) -> Q:
        return super().listings_filter() & Q(book__isbn13__isnull=False) & ~Q(book__isbn13="")


class BundleSitemap(_PublicPages):
    """Bundles on sale (issue 17): published, with every document in them on sale."""

    def items(self) -> QuerySet[Bundle]:
        bundles = bundle_on_sale().annotate(last_changed=F("updated_at"))
        return bundles.only("pk", "slug", "updated_at").order_by("pk")

    def get_latest_lastmod(self) -> datetime | None:
        latest: datetime | None = bundle_on_sale().aggregate(latest=Max("updated_at")).get("latest")
        return latest


SITEMAPS: dict[str, type[_PublicPages]] = {
    "documenten": ListingSitemap,
    "instellingen": InstitutionSitemap,
    "opleidingen": ProgrammeSitemap,
    "vakken": CourseSitemap,
    "verkopers": SellerSitemap,
    "boeken": BookSitemap,
    "bundels": BundleSitemap,
}


@dataclass(frozen=True)
class _IndexEntry:
    """One <sitemap> of the index (what Django's sitemap_index.xml reads)."""

    location: str
    last_mod: datetime | None


# Crawlers come back often; an hour of staleness costs nothing and spares the database.
_CACHE = cache_control(public=True, max_age=3600)


@require_safe
@_CACHE
@sitemap_views.x_robots_tag
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every page of every section's sitemap, on SITE_URL (Django's index view
    takes the domain from the request)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        paginator = sitemap.paginator
        if not paginator.count:
            continue  # nothing of this kind on sale yet
        location = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries += [
            _IndexEntry(location if page == 1 else f"{location}?p={page}", lastmod)
            for page in paginator.page_range
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_safe
@_CACHE
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """/sitemap-<section>.xml[?p=2]: one page of one section (Django's view; 404 for an unknown
    section or page)."""
    maps: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {**SITEMAPS}
    response: HttpResponse = sitemap_views.sitemap(request, sitemaps=maps, section=section)
    return response


@require_safe
@_CACHE
def robots(request: HttpRequest) -> HttpResponse:
    """/robots.txt (seo.robots_txt)."""
    return HttpResponse(robots_txt(), content_type="text/plain; charset=utf-8")
