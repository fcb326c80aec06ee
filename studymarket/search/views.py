"""The search page ("Zoeken", /zoeken/?q=…) and the header's suggestions (/zoeken/suggesties/).

The views read the request, call the search service (search.service), load the
listings it found in one query and render. Every filter, sort and page is a plain link and the
query a plain GET form, so all of it works without JavaScript; with htmx the links and the form
inside #search-results fetch only that fragment (HX-Target "search-results") and push the URL.
"""

import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import nh3
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.catalog.bundle_selectors import bundle_search_list
from studymarket.catalog.models import DocumentType, Language, Listing
from studymarket.catalog.selectors import course_find, institution_find, listing_published_in_order
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.core.page_cache import public_page
from studymarket.core.ratelimits import rate_limited
from studymarket.search import service as search_service

# Longer input is cut, not refused: people paste whole sentences into search boxes.
QUERY_MAX_LENGTH = 200
SUGGEST_MIN_LENGTH = 2
SUGGEST_LIMIT = 8
# Deep pages cost the engine an ever larger offset and nobody reads page 600.
MAX_PAGE = 500
# Options a facet shows before "Meer" (the rest sit in a <details>).
FACET_VISIBLE = 6
RESULTS_TARGET = "search-results"

# The URL's sort words (Dutch, like the rest of the URL) → the service's sort keys.
SORTS: dict[str, str] = {
    "relevantie": "relevance",
    "nieuwste": "newest",
    "beoordeling": "rating",
    "verkocht": "sales",
}
SORT_LABELS: dict[str, Promise] = {
    "relevantie": gettext_lazy("Relevantie"),
    "nieuwste": gettext_lazy("Nieuwste"),
    "beoordeling": gettext_lazy("Best beoordeeld"),
    "verkocht": gettext_lazy("Best verkocht"),
}

# Facet key (the service's) → its parameter in the URL, in the order the page shows them.
FACET_PARAMS: dict[str, str] = {
    "institution": "instelling",
    "course": "vak",
    "document_type": "type",
    "academic_year": "jaar",
    "language": "taal",
    "price": "prijs",
}
FACET_TITLES: dict[str, Promise] = {
    "institution": gettext_lazy("Instelling"),
    "course": gettext_lazy("Vak"),
    "document_type": gettext_lazy("Type document"),
    "academic_year": gettext_lazy("Academisch jaar"),
    "language": gettext_lazy("Taal"),
    "price": gettext_lazy("Prijs"),
}
_VALID = {
    "institution": re.compile(r"[-a-zA-Z0-9_]{1,220}"),
    "course": re.compile(r"[0-9]{1,10}"),
    "document_type": re.compile("|".join(DocumentType.values)),
    "academic_year": re.compile(r"20\d\d/20\d\d"),
    "language": re.compile("|".join(Language.values)),
    "price": re.compile(r"[0-9]{0,7}-[0-9]{0,7}"),
}


@dataclass(frozen=True)
class SearchParams:
    """What the visitor asked for, as it appears in the URL. Values that could never match
    (a course that is not a number, an unknown type) are dropped, not reported."""

    text: str
    filters: dict[str, str]  # facet key → URL value
    sort: str  # a key of SORTS
    page: int

    @property
    def default_sort(self) -> str:
        # Without words there is nothing to be relevant to: the newest come first.
        return "relevantie" if self.text else "nieuwste"

    def url(self, **changes: object) -> str:
        """This search's URL with ``changes`` (text=, sort=, page=, or a facet key: None
        removes the filter). Any change other than the page starts again at page 1."""
        text = str(changes.get("text", self.text))
        filters = dict(self.filters)
        for key in FACET_PARAMS:
            if key in changes:
                value = changes[key]
                if value is None:
                    filters.pop(key, None)
                else:
                    filters[key] = str(value)
        sort = str(changes.get("sort", self.sort))
        page = int(str(changes.get("page", 1)))
        params: list[tuple[str, str]] = []
        if text:
            params.append(("q", text))
        params += [(FACET_PARAMS[key], filters[key]) for key in FACET_PARAMS if key in filters]
        if sort != ("relevantie" if text else "nieuwste"):  # the default for these words
            params.append(("sortering", sort))
        if page > 1:
            params.append(("pagina", str(page)))
        base = reverse("search:search")
        return f"{base}?{urlencode(params)}" if params else base


def search_params_parse(data: QueryDict) -> SearchParams:
    text = " ".join(data.get("q", "").split())[:QUERY_MAX_LENGTH].strip()
    filters = {}
    for key, param in FACET_PARAMS.items():
        value = data.get(param, "").strip()
        if value and _VALID[key].fullmatch(value) and value != "-":
            filters[key] = value
    sort = data.get("sortering", "")
    if sort not in SORTS or (sort == "relevantie" and not text):
        sort = "relevantie" if text else "nieuwste"
    try:
        page = min(max(int(data.get("pagina", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return SearchParams(text=text, filters=filters, sort=sort, page=page)


def _price_bounds(value: str) -> tuple[int | None, int | None]:
    low, high = value.split("-", 1)
    return (int(low) if low else None, int(high) if high else None)


def _search_query(
    params: SearchParams, *, page: int | None = None, with_filters: bool = True
) -> search_service.SearchQuery:
    filters = params.filters if with_filters else {}
    price_min, price_max = _price_bounds(filters["price"]) if "price" in filters else (None, None)
    return search_service.SearchQuery(
        text=params.text,
        institution=filters.get("institution"),
        course=int(filters["course"]) if "course" in filters else None,
        document_type=filters.get("document_type"),
        academic_year=filters.get("academic_year"),
        language=filters.get("language"),
        price_min_cents=price_min,
        price_max_cents=price_max,
        sort=SORTS[params.sort],
        page=page or params.page,
    )


@dataclass(frozen=True)
class FacetOption:
    label: str
    count: int
    url: str
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    key: str
    param: str
    title: str
    options: list[FacetOption]  # the first FACET_VISIBLE, the selected one always among them
    more: list[FacetOption]  # the rest, behind "Meer"
    clear_url: str | None  # when one of its values is selected


@dataclass(frozen=True)
class ActiveFilter:
    title: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class PageHitView:
    page_number: int
    locked: bool
    snippet: SafeString  # always empty for a locked page


@dataclass(frozen=True)
class HitView:
    listing: Listing
    page_hits: list[PageHitView]


def _filter_label(key: str, value: str) -> str:
    """A filter's label when the facets do not carry it (e.g. a value with no results left)."""
    if key == "institution":
        institution = institution_find(slug=value)
        return institution.name if institution else value
    if key == "course":
        course = course_find(pk=int(value))
        return f"{course.name} ({course.programme.institution.name})" if course else value
    if key == "document_type":
        return str(DocumentType(value).label)
    if key == "language":
        return str(Language(value).label)
    if key == "price":
        low, high = _price_bounds(value)
        if low is not None and high is not None:
            return f"{money_display(Money(low))} – {money_display(Money(high))}"
        if high is not None:
            return _("tot %(price)s") % {"price": money_display(Money(high))}
        return _("vanaf %(price)s") % {"price": money_display(Money(low or 0))}
    return value


def _facet_groups(
    params: SearchParams, facets: dict[str, list[search_service.FacetValue]], total: int
) -> tuple[list[FacetGroup], list[ActiveFilter]]:
    groups, active = [], []
    for key, param in FACET_PARAMS.items():
        selected_value = params.filters.get(key)
        options: list[FacetOption] = []
        selected_label = None
        for facet in facets.get(key, []):
            selected = facet.value == selected_value
            if facet.count <= 0 and not selected:
                continue
            if selected:
                selected_label = facet.label
            url = params.url(**{key: None}) if selected else params.url(**{key: facet.value})
            options.append(FacetOption(label=facet.label, count=facet.count, url=url, selected=selected))
        if selected_value is not None and selected_label is None:
            # Filtered on it, so every result has it.
            selected_label = _filter_label(key, selected_value)
            options.insert(
                0,
                FacetOption(label=selected_label, count=total, url=params.url(**{key: None}), selected=True),
            )
        title = str(FACET_TITLES[key])
        if selected_value is not None:
            assert selected_label is not None
            active.append(
                ActiveFilter(title=title, label=selected_label, remove_url=params.url(**{key: None}))
            )
        if not options:
            continue
        # The selected option stays in view, even if it ranks low.
        visible = options[:FACET_VISIBLE]
        more = options[FACET_VISIBLE:]
        hidden_selected = [option for option in more if option.selected]
        if hidden_selected:
            visible = [*hidden_selected, *visible[:-1]]
            more = [option for option in options if option not in visible]
        groups.append(
            FacetGroup(
                key=key,
                param=param,
                title=title,
                options=visible,
                more=more,
                clear_url=params.url(**{key: None}) if selected_value is not None else None,
            )
        )
    return groups, active


def _hit_views(hits: list[search_service.SearchHit]) -> list[HitView]:
    listings = {
        listing.pk: listing for listing in listing_published_in_order(ids=[h.listing_id for h in hits])
    }
    views = []
    for hit in hits:
        listing = listings.get(hit.listing_id)
        if listing is None:
            continue
        page_hits = [
            PageHitView(
                page_number=page_hit.page_number,
                locked=page_hit.locked,
                # A locked page never shows its text, whatever the engine sent. A preview
                # page's snippet is escaped text with <mark>; nh3 keeps it to exactly that.
                snippet=mark_safe(
                    "" if page_hit.locked else nh3.clean(page_hit.snippet_html, tags={"mark"}, attributes={})
                ),
            )
            for page_hit in hit.page_hits[:3]
        ]
        views.append(HitView(listing=listing, page_hits=page_hits))
    return views


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for the "…" between page ranges
    url: str
    current: bool


def _page_links(params: SearchParams, *, page: int, num_pages: int) -> list[PageLink]:
    if num_pages <= 1:
        return []
    # Paginator over a range only counts it: the elided page range without the results.
    paginator = Paginator(range(num_pages), 1)
    links = []
    for number in paginator.get_elided_page_range(page, on_each_side=2, on_ends=1):
        if isinstance(number, int):
            links.append(PageLink(number=number, url=params.url(page=number), current=number == page))
        else:
            links.append(PageLink(number=None, url="", current=False))
    return links


def _wants_fragment(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == RESULTS_TARGET
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# The parameters search_params_parse reads: with any other, the page cache is passed by.
SEARCH_PARAMS = ("q", *FACET_PARAMS.values(), "sortering", "pagina")


@rate_limited("search_ip")
def search(request: HttpRequest) -> HttpResponse:
    # A visitor without a session may get the page another visitor's same search made within
    # the minute (core.page_cache); it still counts against the limit, which is also there
    # against scraping (ASVS 2.4.1), not only to spare the engine.
    return public_page(request, lambda: _search(request), params=SEARCH_PARAMS)


def _search(request: HttpRequest) -> HttpResponse:
    params = search_params_parse(request.GET)
    result = search_service.search(_search_query(params))
    page_size = int(settings.SEARCH_PAGE_SIZE)
    num_pages = min(math.ceil(result.total / page_size), MAX_PAGE) if result.total else 0
    page = params.page
    if num_pages and page > num_pages:
        # Past the end (an old link, fewer results now): the last page instead of nothing.
        page = num_pages
        result = search_service.search(_search_query(params, page=page))
    facet_groups, active_filters = _facet_groups(params, result.facets, result.total)
    hits = _hit_views(result.hits)
    context: dict[str, object] = {
        "params": params,
        "query": params.text,
        "result": result,
        "hits": hits,
        # Bundles with a document of this page in them, or the words in their title (one query).
        "bundles": bundle_search_list(listing_ids=[hit.listing.pk for hit in hits], query=params.text),
        "facet_groups": facet_groups,
        "active_filters": active_filters,
        "clear_all_url": params.url(**dict.fromkeys(FACET_PARAMS)),
        "sorts": [
            {"label": str(label), "url": params.url(sort=key), "current": key == params.sort}
            for key, label in SORT_LABELS.items()
            if key != "relevantie" or params.text
        ],
        "page": page,
        "num_pages": num_pages,
        "page_links": _page_links(params, page=page, num_pages=num_pages),
        "previous_url": params.url(page=page - 1) if page > 1 else None,
        "next_url": params.url(page=page + 1) if page < num_pages else None,
        "first_rank": (page - 1) * page_size + 1,
        "results_target": RESULTS_TARGET,
        # The form sends new words within the same filters and sort (each filter shows with a
        # link that removes it).
        "hidden_fields": _hidden_fields(params),
    }
    if result.total == 0:
        context.update(_no_result_help(params))
    fragment = _wants_fragment(request)
    template = "search/_results.html" if fragment else "search/search.html"
    response = render(request, template, {**context, "fragment": fragment})
    # The same URL answers with a fragment or a whole page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _hidden_fields(params: SearchParams) -> list[tuple[str, str]]:
    fields = [(FACET_PARAMS[key], params.filters[key]) for key in FACET_PARAMS if key in params.filters]
    if params.sort not in ("relevantie", "nieuwste"):
        # Relevance and newest are the defaults with and without words: new words pick their own.
        fields.append(("sortering", params.sort))
    return fields


def _no_result_help(params: SearchParams) -> dict[str, object]:
    """What to offer when nothing was found: the same words without the filters (with how many
    that finds) and places whose names come close to the words."""
    help_context: dict[str, object] = {}
    if params.filters and params.text:
        without = search_service.search(_search_query(params, page=1, with_filters=False))
        help_context["without_filters_total"] = without.total
    if params.text:
        help_context["suggestions"] = search_service.autocomplete(params.text, limit=4)
    return help_context


@rate_limited("suggest_ip")
def autocomplete(request: HttpRequest) -> HttpResponse:
    """Institutions, courses and books for the header's search box (a small htmx fragment).
    Without htmx the visitor gets the search page for the same words."""
    text = " ".join(request.GET.get("q", "").split())[:QUERY_MAX_LENGTH]
    if request.headers.get("HX-Request") != "true":
        search_url = reverse("search:search")
        return HttpResponseRedirect(f"{search_url}?{urlencode({'q': text})}" if text else search_url)
    suggestions = (
        search_service.autocomplete(text, limit=SUGGEST_LIMIT) if len(text) >= SUGGEST_MIN_LENGTH else []
    )
    response = render(
        request,
        "search/_suggestions.html",
        {
            "suggestions": suggestions,
            "text": text,
            "open": len(text) >= SUGGEST_MIN_LENGTH,
            "search_url": f"{reverse('search:search')}?{urlencode({'q': text})}",
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
