import pytest
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.catalog.selectors import listing_search_basic
from studymarket.search.index_sync import search_index_listings
from tests.factories import CourseFactory, InstitutionFactory, ListingFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _html(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _search(client, query: str):
    return _html(client, reverse("search:search") + "?" + f"q={query}".replace(" ", "+"))


def test_home_page_shows_search_popular_courses_recent_documents_and_figures(client):
    course = CourseFactory(name="Account Management")
    ListingFactory(course=course, title="Account Management Samenvatting", sold_count=3)
    ListingFactory(title="Verborgen concept", status=ListingStatus.DRAFT)

    html = _html(client, reverse("storefront:home"))

    assert f'action="{reverse("search:search")}"' in html
    assert 'id="home-search" name="q"' in html
    assert "Populaire vakken" in html
    assert f'<a href="{course.get_absolute_url()}">Account Management</a>' in html
    assert "Nieuwste documenten" in html
    assert "Account Management Samenvatting" in html
    assert "Verborgen concept" not in html
    assert "documenten verkocht in de laatste 30 dagen" in html
    assert "reviews geschreven" in html
    assert f'<a href="{reverse("selling:sell_info")}" role="button">Start met verkopen</a>' in html


def test_home_page_lists_institutions(client):
    institution = InstitutionFactory(name="Odisee")
    ListingFactory(course=CourseFactory(programme=ProgrammeFactory(institution=institution)))

    html = _html(client, reverse("storefront:home"))

    assert f'<a href="{institution.get_absolute_url()}">Odisee</a>' in html


@pytest.fixture
def catalog():
    odisee = InstitutionFactory(name="Odisee")
    maastricht = InstitutionFactory(name="Maastricht University", country="NL")
    account = CourseFactory(
        programme=ProgrammeFactory(institution=odisee), name="Account Management", code="MAN 3025"
    )
    finance = CourseFactory(
        programme=ProgrammeFactory(institution=maastricht), name="Corporate Finance", code="EBC2021"
    )
    return {
        "summary": ListingFactory(
            course=account, title="Samenvatting hele boek", description="Alle hoofdstukken."
        ),
        "exam": ListingFactory(
            course=account, title="Oefenexamen met uitwerkingen", description="Vragen en antwoorden."
        ),
        "finance": ListingFactory(
            course=finance, title="Samenvatting Corporate Finance", description="Week 1 tot 7."
        ),
        "draft": ListingFactory(course=account, title="Samenvatting concept", status=ListingStatus.DRAFT),
    }


def _found(query: str) -> set[str]:
    return {listing.title for listing in listing_search_basic(query=query)}


def test_search_requires_every_word_somewhere(catalog):
    # "samenvatting" in the title, "odisee" in the institution name.
    assert _found("samenvatting odisee") == {"Samenvatting hele boek"}
    assert _found("account uitwerkingen") == {"Oefenexamen met uitwerkingen"}
    assert _found("samenvatting") == {"Samenvatting hele boek", "Samenvatting Corporate Finance"}
    assert _found("samenvatting onbekendwoord") == set()


def test_search_is_case_insensitive_and_covers_description_course_and_institution(catalog):
    assert _found("SAMENVATTING") == {"Samenvatting hele boek", "Samenvatting Corporate Finance"}
    assert _found("hoofdstukken") == {"Samenvatting hele boek"}
    assert _found("corporate") == {"Samenvatting Corporate Finance"}
    assert _found("maastricht") == {"Samenvatting Corporate Finance"}


def test_search_normalises_course_codes(catalog):
    both = {"Samenvatting hele boek", "Oefenexamen met uitwerkingen"}
    assert _found("MAN3025") == both  # stored as "MAN 3025"
    assert _found("man 3025") == both
    assert _found("EBC 2021") == {"Samenvatting Corporate Finance"}  # stored as "EBC2021"


def test_search_never_shows_unpublished_listings(catalog):
    assert "Samenvatting concept" not in _found("samenvatting concept")
    assert _found("concept") == set()


def test_search_treats_wildcards_as_text(catalog):
    assert _found("%") == set()
    assert _found("_") == set()


def test_search_page_shows_results_with_count(client, catalog):
    # The page asks the search index, which the publish task fills; the factories skip it.
    search_index_listings(listing_ids=[listing.pk for listing in catalog.values()])
    html = _search(client, "samenvatting")
    assert "2 resultaten voor “samenvatting”" in html
    assert "Samenvatting hele boek" in html
    assert "Samenvatting Corporate Finance" in html
    assert "Oefenexamen met uitwerkingen" not in html
    assert 'value="samenvatting"' in html

    assert "1 resultaat voor “MAN3025 oefenexamen”" in _search(client, "MAN3025 oefenexamen")
    assert "Geen documenten gevonden" in _search(client, "onbekendwoord")


def test_search_page_without_query_shows_a_hint(client, catalog):
    html = _html(client, reverse("search:search"))
    assert "Typ een of meer woorden" in html
    assert "listing-card" not in html
    assert "Typ een of meer woorden" in _search(client, "   ")


def test_search_page_escapes_the_query(client, catalog):
    html = _search(client, "<script>")
    assert "<script>" not in html.split("<body", 1)[1].replace('<script src="', "")
    assert "&lt;script&gt;" in html
