"""Public endpoints: search, a listing, a bundle, courses. No token needed; they show only
what the site shows every visitor (published listings, buyable bundles)."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from studymarket.api import present
from studymarket.api.pages import PAGE_SIZE, PAGE_SIZE_MAX, MappedPage
from studymarket.api.schemas import BundleOut, CourseOut, ListingOut, SearchItemOut
from studymarket.api.selectors import bundle_public_get, bundle_search, course_get, course_list
from studymarket.catalog.models import Bundle, Course, Listing
from studymarket.catalog.selectors import listing_get_for_page, listing_published_in_order
from studymarket.search import service as search_service
from studymarket.search.types import SearchQuery

router = Router(tags=[gettext_noop("openbaar")])

# The search service pages at most this deep (as the search page does).
_SEARCH_RESULTS_MAX = 1000


class _SearchResults:
    """Bundles that match first, then the search engine's listings, sliced as one list."""

    def __init__(self, request: HttpRequest, text: str) -> None:
        self.request = request
        self.text = text
        self.bundles = list(bundle_search(query=text)[:PAGE_SIZE_MAX]) if text else []
        self.listing_total: int | None = None

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = int(window.start or 0), int(window.stop or 0)
        items = [present.search_bundle_item(self.request, b) for b in self.bundles[start:stop]]
        first = max(start - len(self.bundles), 0)
        wanted = stop - len(self.bundles) - first
        listings = self._listings(first, wanted) if wanted > 0 else []
        if wanted <= 0:
            self._count_listings()
        return items + [present.search_listing_item(self.request, listing) for listing in listings]

    def _listings(self, first: int, wanted: int) -> list[Listing]:
        # The engine pages by a fixed size: read the one or two of its pages the window covers.
        size = wanted
        page = first // size + 1
        ids: list[int] = []
        result = search_service.search(SearchQuery(text=self.text, page=page, page_size=size))
        ids += [hit.listing_id for hit in result.hits]
        self.listing_total = min(result.total, _SEARCH_RESULTS_MAX)
        skip = first - (page - 1) * size
        if skip:
            more = search_service.search(SearchQuery(text=self.text, page=page + 1, page_size=size))
            ids += [hit.listing_id for hit in more.hits]
        ids = ids[skip : skip + wanted]
        return listing_published_in_order(ids=ids)

    def _count_listings(self) -> None:
        if self.listing_total is None:
            result = search_service.search(SearchQuery(text=self.text, page=1, page_size=1))
            self.listing_total = min(result.total, _SEARCH_RESULTS_MAX)

    def __len__(self) -> int:
        self._count_listings()
        return len(self.bundles) + (self.listing_total or 0)


@router.get(
    "/search", response=list[SearchItemOut], summary=gettext_noop("Zoeken naar documenten en bundels")
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX)
def search(request: HttpRequest, q: str = "") -> Any:
    return _SearchResults(request, q.strip()[:200])


@router.get(
    "/listings/{listing_id}", response=ListingOut, summary=gettext_noop("Een document dat te koop is")
)
def listing_detail(request: HttpRequest, listing_id: int) -> dict[str, Any]:
    try:
        listing = listing_get_for_page(pk=listing_id)
    except Listing.DoesNotExist:
        raise Http404 from None
    return present.listing_item(request, listing)


@router.get("/bundles/{bundle_id}", response=BundleOut, summary=gettext_noop("Een bundel die te koop is"))
def bundle_detail(request: HttpRequest, bundle_id: int) -> dict[str, Any]:
    try:
        bundle, listings = bundle_public_get(pk=bundle_id)
    except Bundle.DoesNotExist:
        raise Http404 from None
    return present.bundle_item(request, bundle, listings)


@router.get("/courses", response=list[CourseOut], summary=gettext_noop("Vakken zoeken"))
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX)
def courses(request: HttpRequest, q: str = "") -> Any:
    return MappedPage(course_list(query=q[:200]), lambda course: present.course_item(request, course))


@router.get("/courses/{course_id}", response=CourseOut, summary=gettext_noop("Een vak"))
def course_detail(request: HttpRequest, course_id: int) -> dict[str, Any]:
    try:
        return present.course_item(request, course_get(pk=course_id))
    except Course.DoesNotExist:
        raise Http404 from None
