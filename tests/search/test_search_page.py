"""The search page (/zoeken/) and the header's suggestions (/zoeken/suggesties/).

Most tests put a recording stand-in in place of the search service's search(): they check what
the page asks the service for and how it shows what the service answers (facets, sorts, pages,
page hits), whatever the engine. Tests at the end go through the real service.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.search import service
from studymarket.search import views as search_views
from studymarket.search.types import FacetValue, PageHit, SearchHit, SearchQuery, SearchResult, Suggestion
from tests.factories import CourseFactory, InstitutionFactory, ListingFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:search")
SUGGEST = reverse("search:autocomplete")
FRAGMENT_HEADERS = {"HX-Request": "true", "HX-Target": "search-results"}


@dataclass
class FakeSearch:
    """search() as the page sees it: answers ``result`` (or ``results`` one after the other) and
    keeps every query it was asked."""

    result: SearchResult = field(default_factory=lambda: SearchResult(hits=[], total=0, facets={}))
    results: list[SearchResult] = field(default_factory=list)
    queries: list[SearchQuery] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    suggest_calls: list[tuple[str, int]] = field(default_factory=list)

    def search(self, query: SearchQuery) -> SearchResult:
        self.queries.append(query)
        return self.results.pop(0) if self.results else self.result

    def autocomplete(self, text: str, *, limit: int = 8) -> list[Suggestion]:
        self.suggest_calls.append((text, limit))
        return self.suggestions[:limit]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSearch:
    fake = FakeSearch()
    monkeypatch.setattr(service, "search", fake.search)
    monkeypatch.setattr(service, "autocomplete", fake.autocomplete)
    return fake


def _get(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _hits(*listings, page_hits=None) -> list[SearchHit]:
    return [SearchHit(listing_id=listing.pk, score=1.0, page_hits=page_hits or []) for listing in listings]


@pytest.fixture
def odisee_course():
    odisee = InstitutionFactory(name="Odisee", slug="odisee")
    return CourseFactory(
        programme=ProgrammeFactory(institution=odisee, name="Bedrijfsmanagement", slug="bedrijfsmanagement"),
        name="Account Management",
        code="MAN 3025",
        slug="account-management",
    )


# --- What the page asks the service for ------------------------------------------------------


def test_query_filters_sort_and_page_reach_the_service(client, fake, odisee_course):
    fake.result = SearchResult(hits=_hits(ListingFactory(course=odisee_course)), total=45, facets={})
    _get(
        client,
        f"{SEARCH}?q=account++management&instelling=odisee&vak={odisee_course.pk}&type=summary"
        "&jaar=2020/2021&taal=nl&prijs=500-1000&sortering=verkocht&pagina=2",
    )

    assert fake.queries == [
        SearchQuery(
            text="account management",
            institution="odisee",
            course=odisee_course.pk,
            document_type="summary",
            academic_year="2020/2021",
            language="nl",
            price_min_cents=500,
            price_max_cents=1000,
            sort="sales",
            page=2,
            page_size=20,
        )
    ]


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("", SearchQuery(sort="newest")),
        ("q=", SearchQuery(sort="newest")),
        ("q=kraljic", SearchQuery(text="kraljic", sort="relevance")),
        # Relevance without words means nothing: the newest first.
        ("sortering=relevantie", SearchQuery(sort="newest")),
        ("q=x&sortering=beoordeling", SearchQuery(text="x", sort="rating")),
        ("q=x&sortering=nieuwste", SearchQuery(text="x", sort="newest")),
        ("q=x&sortering=DROP+TABLE", SearchQuery(text="x", sort="relevance")),
        ("prijs=-750", SearchQuery(price_max_cents=750, sort="newest")),
        ("prijs=1500-", SearchQuery(price_min_cents=1500, sort="newest")),
        # Values that could never match are dropped, not reported.
        ("prijs=-", SearchQuery(sort="newest")),
        ("prijs=abc", SearchQuery(sort="newest")),
        ("prijs=99999999-", SearchQuery(sort="newest")),
        ("vak=abc", SearchQuery(sort="newest")),
        ("vak=-1", SearchQuery(sort="newest")),
        ("vak=99999999999", SearchQuery(sort="newest")),
        ("type=summary%27%20OR%201=1", SearchQuery(sort="newest")),
        ("jaar=2020-2021", SearchQuery(sort="newest")),
        ("taal=fr", SearchQuery(sort="newest")),
        ("instelling=..%2F..%2Fetc", SearchQuery(sort="newest")),
        ("pagina=0", SearchQuery(sort="newest")),
        ("pagina=-3", SearchQuery(sort="newest")),
        ("pagina=twee", SearchQuery(sort="newest")),
        ("pagina=1e9", SearchQuery(sort="newest")),
        ("pagina=100000", SearchQuery(sort="newest", page=500)),
        # Spaces are collapsed; a pasted page is cut at 200 characters.
        ("q=%20%20MAN%20%0A%203025%20", SearchQuery(text="MAN 3025", sort="relevance")),
        ("q=" + "a" * 5000, SearchQuery(text="a" * 200, sort="relevance")),
        # Given twice, the last one counts (QueryDict.get).
        ("taal=nl&taal=en", SearchQuery(language="en", sort="newest")),
    ],
)
def test_parameters_are_cleaned_before_the_service_sees_them(client, fake, query_string, expected):
    _get(client, f"{SEARCH}?{query_string}")
    assert fake.queries == [expected]


@pytest.mark.parametrize(
    "query_string",
    [
        "q=%00",
        "q=%22unbalanced",
        "q=title:(a OR b) AND -c* ~2 ^3",
        "q=%27%3B--",
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=%F0%9F%98%80%F0%9F%98%80",
        "q=%ff%fe",
        "q[]=a&vak[]=1",
        "pagina=%00",
        "vak=%00",
        "prijs=--",
        "instelling=" + "a" * 300,
        "q=" + "x%20" * 2000,
    ],
)
def test_hostile_parameters_never_break_the_page(client, query_string):
    # The real service: whatever the visitor types, the page answers.
    response = client.get(f"{SEARCH}?{query_string}")
    assert response.status_code == 200
    fragment = client.get(f"{SEARCH}?{query_string}", headers=FRAGMENT_HEADERS)
    assert fragment.status_code == 200
    suggestions = client.get(f"{SUGGEST}?{query_string}", headers={"HX-Request": "true"})
    assert suggestions.status_code == 200


# --- Results, page hits and facets -----------------------------------------------------------


def test_results_show_listing_facts_in_the_services_order(client, fake, odisee_course):
    first = ListingFactory(
        course=odisee_course, title="Account Management Samenvatting", price_cents=949, sold_count=3
    )
    second = ListingFactory(course=odisee_course, title="Oefenexamen Account Management", price_cents=1250)
    fake.result = SearchResult(hits=_hits(second, first), total=2, facets={})

    html = _get(client, f"{SEARCH}?q=account+management")

    assert "<title>Zoeken naar “account management” · studymarket</title>" in html
    assert "2 resultaten voor “account management”" in html
    assert html.index("Oefenexamen Account Management") < html.index("Account Management Samenvatting")
    assert f'<a href="{first.get_absolute_url()}">Account Management Samenvatting</a>' in html
    assert f'<a href="{odisee_course.get_absolute_url()}">Account Management</a> (MAN 3025) · Odisee' in html
    assert "€ 9,49" in html
    assert "€ 12,50" in html
    assert "3 keer verkocht" in html
    assert "12 pagina&#x27;s" in html or "12 pagina's" in html
    assert '<ol class="search-hits" id="hits" start="1">' in html
    assert 'value="account management"' in html


def test_listings_no_longer_published_are_left_out(client, fake):
    shown = ListingFactory(title="Nog online")
    gone = ListingFactory(title="Offline gehaald", status=ListingStatus.UNPUBLISHED)
    fake.result = SearchResult(hits=[*_hits(gone), *_hits(shown)], total=2, facets={})

    html = _get(client, f"{SEARCH}?q=online")

    assert "Nog online" in html
    assert "Offline gehaald" not in html


def test_page_hits_show_preview_snippets_and_never_the_text_of_locked_pages(client, fake):
    listing = ListingFactory(title="Account Management Samenvatting")
    fake.result = SearchResult(
        hits=_hits(
            listing,
            page_hits=[
                PageHit(
                    page_number=3,
                    locked=False,
                    snippet_html=(
                        'de <mark>Kraljic</mark>-matrix <script>alert(1)</script><b onclick="x()">vet</b>'
                    ),
                ),
                # A locked page never shows text, even if an engine sent some by mistake.
                PageHit(page_number=37, locked=True, snippet_html="geheime <mark>tekst</mark> van p. 37"),
            ],
        ),
        total=1,
        facets={},
    )

    html = _get(client, f"{SEARCH}?q=kraljic")

    assert (
        f'<a class="page-ref" href="{listing.get_absolute_url()}#preview">p. 3 (voorbeeld)</a>'
        ' <span class="snippet" lang="nl">de <mark>Kraljic</mark>-matrix vet</span>'
    ) in html
    assert "p. 37 (alleen voor kopers)" in html
    assert "geheime" not in html
    assert "alert(1)" not in html
    assert "onclick" not in html


def test_facets_show_counts_as_links_that_add_or_remove_a_filter(client, fake, odisee_course):
    listing = ListingFactory(course=odisee_course)
    fake.result = SearchResult(
        hits=_hits(listing),
        total=3,
        facets={
            "institution": [FacetValue("odisee", "Odisee", 3), FacetValue("kuleuven", "KU Leuven", 0)],
            "course": [FacetValue(str(odisee_course.pk), "Account Management", 3)],
            "document_type": [FacetValue("summary", "Samenvatting", 2), FacetValue("exam", "Tentamen", 1)],
            "academic_year": [FacetValue("2020/2021", "2020/2021", 3)],
            "language": [FacetValue("nl", "Nederlands", 3)],
            "price": [FacetValue("-500", "tot € 5,00", 1), FacetValue("500-1000", "€ 5,00 – € 10,00", 2)],
        },
    )

    html = _get(client, f"{SEARCH}?q=account&type=summary")

    # Not selected: a link that adds the filter (and keeps the words and the other filter).
    assert (
        '<a href="/zoeken/?q=account&amp;instelling=odisee&amp;type=summary" '
        'data-hx-get="/zoeken/?q=account&amp;instelling=odisee&amp;type=summary" rel="nofollow" '
        'class="facet-option">Odisee <span class="facet-count">3</span></a>'
    ) in html
    assert (
        '<a href="/zoeken/?q=account&amp;type=summary&amp;prijs=500-1000" '
        'data-hx-get="/zoeken/?q=account&amp;type=summary&amp;prijs=500-1000" rel="nofollow" '
        'class="facet-option">€ 5,00 – € 10,00 <span class="facet-count">2</span></a>'
    ) in html
    # Selected: marked, and its link removes the filter.
    assert (
        '<a href="/zoeken/?q=account" data-hx-get="/zoeken/?q=account" rel="nofollow" '
        'class="facet-option selected" aria-current="true" title="Filter wissen">'
        '<span aria-hidden="true">✓</span> Samenvatting <span class="facet-count">2</span></a>'
    ) in html
    # A value with nothing left is not offered.
    assert "KU Leuven" not in html
    # The active filter, with a link that removes it; the form keeps it for new words.
    assert '<span class="muted">Type document:</span> Samenvatting' in html
    assert '<input type="hidden" name="type" value="summary">' in html
    for title in ("Instelling", "Vak", "Type document", "Academisch jaar", "Taal", "Prijs"):
        assert f"<summary>{title}</summary>" in html


def test_a_filter_without_results_left_still_shows_and_can_be_removed(client, fake, odisee_course):
    fake.results = [
        SearchResult(hits=[], total=0, facets={}),
        SearchResult(hits=[], total=4, facets={}),  # the same words without the filters
    ]

    html = _get(client, f"{SEARCH}?q=account&vak={odisee_course.pk}&taal=en")

    assert '<span class="muted">Vak:</span> Account Management (Odisee)' in html
    assert '<span class="muted">Taal:</span> Engels' in html
    assert "Geen documenten gevonden voor “account”" in html
    assert (
        '<a href="/zoeken/?q=account" data-hx-get="/zoeken/?q=account" rel="nofollow">'
        "Zoek zonder filters: 4 resultaten</a>"
    ) in html
    assert [query.course for query in fake.queries] == [odisee_course.pk, None]
    assert "Alle filters wissen" in html


def test_long_facets_keep_the_selected_value_in_view_and_the_rest_behind_more(client, fake):
    listing = ListingFactory()
    years = [
        FacetValue(f"20{n:02d}/20{n + 1:02d}", f"20{n:02d}/20{n + 1:02d}", 30 - n) for n in range(10, 20)
    ]
    fake.result = SearchResult(hits=_hits(listing), total=1, facets={"academic_year": years})

    html = _get(client, f"{SEARCH}?jaar=2019/2020")

    facet = html.split('id="facet-jaar"', 1)[1].split("</details>\n", 2)
    visible, more = facet[0], facet[1]
    assert "✓</span> 2019/2020" in visible.split("facet-more")[0]
    assert visible.split("facet-more")[0].count('class="facet-option') == 6
    assert "<summary>Nog 4</summary>" in html
    assert "2010/2011" in visible.split("facet-more")[0]
    assert "2015/2016" in more or "2015/2016" in visible.split("facet-more")[1]


def test_sort_links_and_the_current_sort(client, fake):
    fake.result = SearchResult(hits=_hits(ListingFactory()), total=1, facets={})

    with_words = _get(client, f"{SEARCH}?q=marketing&sortering=beoordeling")
    without_words = _get(client, SEARCH)

    assert '<strong aria-current="true">Best beoordeeld</strong>' in with_words
    for label, url in [
        ("Relevantie", "/zoeken/?q=marketing"),
        ("Nieuwste", "/zoeken/?q=marketing&amp;sortering=nieuwste"),
        ("Best verkocht", "/zoeken/?q=marketing&amp;sortering=verkocht"),
    ]:
        assert f'<a href="{url}" data-hx-get="{url}" rel="nofollow">{label}</a>' in with_words
    assert '<input type="hidden" name="sortering" value="beoordeling">' in with_words
    assert "Relevantie" not in without_words
    assert '<strong aria-current="true">Nieuwste</strong>' in without_words


def test_pagination_links_and_a_page_past_the_end(client, fake):
    listing = ListingFactory()
    fake.result = SearchResult(hits=_hits(listing), total=45, facets={})

    second = _get(client, f"{SEARCH}?q=boek&pagina=2")
    assert '<a href="/zoeken/?q=boek" data-hx-get="/zoeken/?q=boek" rel="prev">‹ Vorige</a>' in second
    assert (
        '<a href="/zoeken/?q=boek&amp;pagina=3" data-hx-get="/zoeken/?q=boek&amp;pagina=3" rel="next">'
        in second
    )
    assert '<strong aria-current="page">2</strong>' in second
    assert '<ol class="search-hits" id="hits" start="21">' in second
    assert "<title>Zoeken naar “boek” · pagina 2 · studymarket</title>" in second

    fake.queries.clear()
    past = _get(client, f"{SEARCH}?q=boek&pagina=9")
    # Fewer results than the link promised: the last page, asked for again.
    assert [query.page for query in fake.queries] == [9, 3]
    assert '<strong aria-current="page">3</strong>' in past
    assert 'rel="next"' not in past


def test_one_page_has_no_pagination(client, fake):
    fake.result = SearchResult(hits=_hits(ListingFactory()), total=1, facets={})
    assert 'id="pagination"' not in _get(client, f"{SEARCH}?q=boek")


# --- htmx fragment or whole page -------------------------------------------------------------


def test_htmx_gets_the_results_fragment_and_plain_requests_the_whole_page(client, fake):
    fake.result = SearchResult(hits=_hits(ListingFactory(title="Marketing samenvatting")), total=1, facets={})
    url = f"{SEARCH}?q=marketing"

    page = client.get(url)
    fragment = client.get(url, headers=FRAGMENT_HEADERS)
    other_target = client.get(url, headers={"HX-Request": "true", "HX-Target": "main"})
    history = client.get(url, headers={**FRAGMENT_HEADERS, "HX-History-Restore-Request": "true"})

    page_html, fragment_html = page.content.decode(), fragment.content.decode()
    assert page_html.startswith("<!doctype html>")
    assert '<div id="search-results" class="search-page" data-hx-target="#search-results"' in page_html
    assert 'data-hx-push-url="true"' in page_html
    assert "<!doctype" not in fragment_html
    assert "site-header" not in fragment_html
    assert fragment_html.lstrip().startswith("<title>Zoeken naar “marketing” · studymarket</title>")
    assert "Marketing samenvatting" in fragment_html
    # The fragment is the whole page's #search-results, nothing less.
    inner = re.split(r'<div id="search-results"[^>]*>', page_html, maxsplit=1)[1].rsplit("</div>", 1)[0]
    assert fragment_html.split("</title>", 1)[1].strip() == inner.strip()
    for response in (other_target, history):
        assert response.content.decode().startswith("<!doctype html>")
    for response in (page, fragment):
        assert {"HX-Request", "HX-Target"} <= {v.strip() for v in response["Vary"].split(",")}


def test_without_javascript_every_control_is_a_plain_link_or_get_form(client, fake, odisee_course):
    fake.result = SearchResult(
        hits=_hits(ListingFactory(course=odisee_course)),
        total=45,
        facets={"institution": [FacetValue("odisee", "Odisee", 45)]},
    )

    html = _get(client, f"{SEARCH}?q=management")

    assert '<form action="/zoeken/" method="get" data-hx-get="/zoeken/" id="search-form">' in html
    # Every hx-get has the same URL as a plain href.
    hx = re.findall(r'<a href="([^"]*)" data-hx-get="([^"]*)"', html)
    assert len(hx) >= 5
    assert all(href == get for href, get in hx)
    # and the plain href gives the same page a visitor without JavaScript expects.
    assert _get(client, "/zoeken/?q=management&instelling=odisee").count("✓</span> Odisee") == 1


# --- Empty states ----------------------------------------------------------------------------


def test_no_results_gives_advice_and_close_names(client, fake, odisee_course):
    fake.suggestions = [
        Suggestion(
            kind="course",
            label="Account Management",
            detail="Odisee",
            url=odisee_course.get_absolute_url(),
        )
    ]

    html = _get(client, f"{SEARCH}?q=acount+managment")

    assert "Geen documenten gevonden voor “acount managment”" in html
    assert "Controleer de spelling" in html
    assert (
        f'<li><a href="{odisee_course.get_absolute_url()}">Account Management</a> '
        '<small class="muted">Odisee</small></li>'
    ) in html
    assert fake.suggest_calls == [("acount managment", 4)]
    assert "Zoek zonder filters" not in html  # there were none


def test_empty_search_page_explains_what_to_type(client, fake):
    html = _get(client, SEARCH)
    assert "Typ een of meer woorden" in html
    assert "Er staan nog geen documenten online" in html
    assert fake.suggest_calls == []


def test_the_query_is_escaped_everywhere(client, fake):
    html = _get(client, f"{SEARCH}?q=%3Cscript%3Ealert(1)%3C/script%3E")
    body = html.split("<body", 1)[1]
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- The header's suggestions ----------------------------------------------------------------


def test_suggestions_fragment_lists_links_by_kind_then_a_search_for_the_words(client, fake, odisee_course):
    fake.suggestions = [
        Suggestion(kind="institution", label="Odisee", detail="Brussel", url="/instelling/odisee/"),
        Suggestion(
            kind="course", label="Account Management", detail="Odisee", url=odisee_course.get_absolute_url()
        ),
        Suggestion(kind="book", label="Inkoopmanagement", detail="Weele", url="/boek/9789001234567/"),
    ]

    response = client.get(f"{SUGGEST}?q=acc", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<!doctype" not in html
    assert fake.suggest_calls == [("acc", 8)]
    assert '<a href="/instelling/odisee/"><span class="suggestion-kind">Instelling</span>' in html
    assert (
        f'<a href="{odisee_course.get_absolute_url()}"><span class="suggestion-kind">Vak</span>'
        ' <span class="suggestion-label">Account Management</span> <small class="muted">Odisee</small></a>'
    ) in html
    assert (
        '<span class="suggestion-kind">Boek</span> <span class="suggestion-label">Inkoopmanagement</span>'
        in html
    )
    assert '<a href="/zoeken/?q=acc">Zoek naar “acc”</a>' in html
    assert html.index("Odisee") < html.index("Account Management") < html.index("Inkoopmanagement")


def test_suggestions_need_two_characters(client, fake):
    for text in ("", "a", "%20a%20"):
        response = client.get(f"{SUGGEST}?q={text}", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "<li" not in response.content.decode()
    assert fake.suggest_calls == []


def test_suggestions_without_htmx_go_to_the_search_page(client, fake):
    response = client.get(f"{SUGGEST}?q=account+management")
    assert response.status_code == 302
    assert response["Location"] == "/zoeken/?q=account+management"
    assert client.get(SUGGEST)["Location"] == "/zoeken/"


def test_suggestions_escape_the_words(client, fake):
    html = client.get(f"{SUGGEST}?q=%3Cb%3Ex", headers={"HX-Request": "true"}).content.decode()
    assert "<b>" not in html
    assert "Zoek naar “&lt;b&gt;x”" in html


def test_the_header_search_box_asks_for_suggestions(client, fake):
    html = _get(client, reverse("storefront:home"))
    assert 'data-hx-get="/zoeken/suggesties/"' in html
    assert 'data-hx-target="#header-suggestions"' in html
    assert '<div id="header-suggestions" class="suggestions-box" aria-live="polite"></div>' in html
    assert "js/suggest" in html


def test_page_size_comes_from_settings(client, fake, settings):
    settings.SEARCH_PAGE_SIZE = 5
    fake.result = SearchResult(hits=_hits(ListingFactory()), total=12, facets={})
    html = _get(client, f"{SEARCH}?q=x&pagina=3")
    assert fake.queries[0].page_size == 5
    assert '<ol class="search-hits" id="hits" start="11">' in html
    assert 'rel="next"' not in html
    assert search_views.MAX_PAGE == 500


def test_headings_with_words_with_filters_only_and_with_neither(client, fake, odisee_course):
    fake.result = SearchResult(hits=_hits(ListingFactory(course=odisee_course)), total=1, facets={})
    assert '<h1 id="search-heading" tabindex="-1">1 resultaat voor “boek”</h1>' in _get(
        client, f"{SEARCH}?q=boek"
    )
    fake.result = SearchResult(hits=_hits(ListingFactory(course=odisee_course)), total=1234, facets={})
    assert '<h1 id="search-heading" tabindex="-1">1.234 documenten</h1>' in _get(
        client, f"{SEARCH}?vak={odisee_course.pk}"
    )
    assert '<h1 id="search-heading" tabindex="-1">Zoeken</h1>' in _get(client, SEARCH)


def test_queries_do_not_grow_with_the_number_of_results(client, fake):
    few = ListingFactory.create_batch(2)
    many = ListingFactory.create_batch(15)
    fake.result = SearchResult(hits=_hits(*few), total=2, facets={})
    with CaptureQueriesContext(connection) as two:
        _get(client, f"{SEARCH}?q=samenvatting")
    fake.result = SearchResult(hits=_hits(*many), total=15, facets={})
    with CaptureQueriesContext(connection) as fifteen:
        html = _get(client, f"{SEARCH}?q=samenvatting")
    assert html.count('<li class="search-hit">') == 15
    assert len(fifteen) == len(two)
