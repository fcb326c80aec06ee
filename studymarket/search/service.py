"""The search service: what pages call. One API over the configured backend
(settings.SEARCH_BACKEND: "tantivy" embedded, or "postgres").

Only published listings are found; page hits come from the listing's current published
version; pages after the preview are reported as locked and never with their text.
"""

from __future__ import annotations

import functools

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from studymarket.catalog.models import Course, DocumentType, Institution, Language, Listing, ListingStatus
from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.search.backends import backend_get
from studymarket.search.suggestions import suggestions_find
from studymarket.search.types import FacetValue, PageHit, SearchHit, SearchQuery, SearchResult, Suggestion


def search(query: SearchQuery) -> SearchResult:
    """Published listings matching the query, one page of them, with facet counts.

    The backend answers; the database has the last word: a hit whose listing is no longer
    published is dropped (the index task removes it moments later), and a page after the
    listing's current preview is reported locked, without text, whatever the index says."""
    result = backend_get().search(query)
    # By primary key only, without the model's ordering, and the status checked here: with the
    # status in the query (or an ORDER BY) SQLite plans a scan of the status/published_at index,
    # tens of milliseconds at a few hundred thousand listings, against under one by key.
    states = {
        pk: preview
        for pk, status, preview in Listing.objects.filter(pk__in=[hit.listing_id for hit in result.hits])
        .order_by()
        .values_list("pk", "status", "preview_page_count")
        if status == ListingStatus.PUBLISHED
    }
    hits = []
    for hit in result.hits:
        preview = states.get(hit.listing_id)
        if preview is None:
            continue
        page_hits = [
            page_hit
            if not page_hit.locked and page_hit.page_number <= preview
            else PageHit(page_number=page_hit.page_number, locked=True, snippet_html="")
            for page_hit in hit.page_hits
        ]
        hits.append(SearchHit(listing_id=hit.listing_id, score=hit.score, page_hits=page_hits))
    dropped = len(result.hits) - len(hits)
    return SearchResult(
        hits=hits,
        total=max(0, result.total - dropped),
        facets=_facets_labelled(result.facets),
        total_capped=result.total_capped,
    )


def _price_label(value: str) -> str:
    return _price_label_in(value, get_language())


@functools.lru_cache(maxsize=256)
def _price_label_in(value: str, language: str | None) -> str:
    """The label of a price bucket in the active language (cached: a handful of buckets, and
    formatting money is the slowest part of labelling facets)."""
    low_text, high_text = value.split("-", 1)
    low, high = (int(low_text) if low_text else None), (int(high_text) if high_text else None)
    if low is not None and high is not None:
        return f"{money_display(Money(low))} – {money_display(Money(high))}"
    if high is not None:
        return _("tot %(price)s") % {"price": money_display(Money(high))}
    return _("vanaf %(price)s") % {"price": money_display(Money(low or 0))}


def _facets_labelled(facets: dict[str, list[FacetValue]]) -> dict[str, list[FacetValue]]:
    """The backend's raw facet values with the labels people read, most found first."""
    labels: dict[str, dict[str, str]] = {}
    if facets.get("institution"):
        labels["institution"] = dict(
            Institution.objects.filter(slug__in=[f.value for f in facets["institution"]]).values_list(
                "slug", "name"
            )
        )
    if facets.get("course"):
        ids = [int(f.value) for f in facets["course"] if f.value.isdigit()]
        labels["course"] = {
            str(pk): f"{name} ({institution})"
            for pk, name, institution in Course.objects.filter(pk__in=ids).values_list(
                "pk", "name", "programme__institution__name"
            )
        }
    labels["document_type"] = {value: str(label) for value, label in DocumentType.choices}
    labels["language"] = {value: str(label) for value, label in Language.choices}
    labelled: dict[str, list[FacetValue]] = {}
    for key, values in facets.items():
        out = []
        for facet in values:
            if key == "price":
                label = _price_label(facet.value)
            elif key == "academic_year":
                label = facet.value
            else:
                known = labels.get(key, {})
                if facet.value not in known:
                    continue  # gone from the database since it was indexed
                label = known[facet.value]
            out.append(FacetValue(value=facet.value, label=label, count=facet.count))
        if key == "price":
            labelled[key] = out  # in price order
        elif key == "academic_year":
            labelled[key] = sorted(out, key=lambda f: f.value, reverse=True)
        else:
            labelled[key] = sorted(out, key=lambda f: (-f.count, f.label.lower()))
    return labelled


def autocomplete(text: str, *, limit: int = 8) -> list[Suggestion]:
    """Institutions, courses (by name or code) and books (by title or ISBN) whose names start
    with the text (any word of them), or on PostgreSQL nearly match it (trigram similarity)."""
    return suggestions_find(text, limit=limit)
