import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.catalog.selectors import seller_stats
from studymarket.catalog.views import LISTINGS_PER_PAGE
from tests.factories import (
    CourseFactory,
    InstitutionFactory,
    ListingFactory,
    ProgrammeFactory,
    SellerFactory,
)

pytestmark = pytest.mark.django_db


def _html(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def course():
    institution = InstitutionFactory(name="Odisee", slug="odisee", country="BE", city="Brussel")
    programme = ProgrammeFactory(
        institution=institution, name="Bachelor Bedrijfsmanagement", slug="bedrijfsmanagement"
    )
    return CourseFactory(
        programme=programme, name="Account Management", code="MAN 3025", slug="account-management"
    )


def test_institution_page_shows_programmes_courses_and_documents(client, course):
    ListingFactory(course=course, title="Account Management Samenvatting")
    ListingFactory(course=course, title="Oefenexamen Account Management")
    ListingFactory(course=course, title="Nog niet klaar", status=ListingStatus.DRAFT)
    CourseFactory(programme=course.programme, name="Marketing", slug="marketing")

    html = _html(client, reverse("catalog:institution", kwargs={"slug": "odisee"}))

    assert "<h1>Odisee</h1>" in html
    assert "Brussel, België" in html
    assert "Bachelor Bedrijfsmanagement" in html
    assert f'<a href="{course.get_absolute_url()}">Account Management</a>' in html
    assert "2 documenten" in html  # Account Management: the draft is not counted
    assert "0 documenten" in html  # Marketing
    assert "Documenten van Odisee (2)" in html
    assert "Account Management Samenvatting" in html
    assert "Oefenexamen Account Management" in html
    assert "Nog niet klaar" not in html


def test_institution_page_queries_do_not_grow_with_courses(client, course):
    url = reverse("catalog:institution", kwargs={"slug": "odisee"})
    ListingFactory(course=course)
    with CaptureQueriesContext(connection) as few:
        _html(client, url)
    for _ in range(5):
        ListingFactory(
            course=CourseFactory(programme=ProgrammeFactory(institution=course.programme.institution))
        )
    with CaptureQueriesContext(connection) as many:
        _html(client, url)
    assert len(many) == len(few)


def test_unknown_institution_is_404(client):
    assert client.get(reverse("catalog:institution", kwargs={"slug": "bestaat-niet"})).status_code == 404


def test_course_page_lists_published_documents_with_count(client, course):
    ListingFactory(course=course, title="Account Management Samenvatting", price_cents=949)
    ListingFactory(course=course, title="Oefenexamen Account Management")
    ListingFactory(course=course, title="Offline gehaald", status=ListingStatus.UNPUBLISHED)
    ListingFactory(title="Ander vak")

    html = _html(client, course.get_absolute_url())

    assert "Alle documenten voor dit vak (2)" in html
    assert '<small class="muted">MAN 3025</small>' in html
    assert '<a href="/instelling/odisee/">Odisee</a>' in html
    assert '<a href="/instelling/odisee/bedrijfsmanagement/">Bachelor Bedrijfsmanagement</a>' in html
    assert "Account Management Samenvatting" in html
    assert "Oefenexamen Account Management" in html
    assert "Offline gehaald" not in html
    assert "Ander vak" not in html
    # The card: type, page count and price.
    assert '<span class="pill">Samenvatting</span>' in html
    assert "12 pagina's" in html
    assert "€ 9,49" in html


def test_course_page_counts_all_documents_and_pages_the_cards(client, course):
    ListingFactory.create_batch(LISTINGS_PER_PAGE + 1, course=course)

    first = _html(client, course.get_absolute_url())
    second = _html(client, course.get_absolute_url() + "?pagina=2")

    assert f"Alle documenten voor dit vak ({LISTINGS_PER_PAGE + 1})" in first
    assert first.count('<li class="listing-card">') == LISTINGS_PER_PAGE
    assert 'href="?pagina=2"' in first
    assert second.count('<li class="listing-card">') == 1
    assert "Pagina 2 van 2" in second


@pytest.mark.parametrize(
    ("institution", "programme", "slug"),
    [
        ("odisee", "bedrijfsmanagement", "bestaat-niet"),
        ("andere-school", "bedrijfsmanagement", "account-management"),
        ("odisee", "andere-opleiding", "account-management"),
    ],
)
def test_unknown_or_mismatched_course_is_404(client, course, institution, programme, slug):
    InstitutionFactory(slug="andere-school")
    url = reverse("catalog:course", kwargs={"institution": institution, "programme": programme, "slug": slug})
    assert client.get(url).status_code == 404


def test_seller_page_shows_profile_figures_and_documents(client):
    seller = SellerFactory(display_name="Lotte", slug="lotte", bio="Derdejaars bedrijfsmanagement.")
    ListingFactory(seller=seller, title="Marketing", sold_count=3, review_count=1, rating_sum=5)
    ListingFactory(seller=seller, title="Boekhouden", sold_count=4, review_count=4, rating_sum=8)
    ListingFactory(seller=seller, title="Concept", status=ListingStatus.DRAFT, sold_count=9)

    html = _html(client, seller.get_absolute_url())

    assert "<h1>Lotte</h1>" in html
    assert '<span class="avatar" aria-hidden="true">L</span>' in html
    assert "Lid sinds" in html
    assert "Derdejaars bedrijfsmanagement." in html
    assert "<li>2 documenten</li>" in html
    assert "7 keer verkocht" in html
    assert "<span>2,6</span>" in html
    assert "(5 reviews)" in html
    assert "Marketing" in html
    assert "Boekhouden" in html
    assert "Concept" not in html


def test_seller_average_is_weighted_by_review_count():
    seller = SellerFactory()
    ListingFactory(seller=seller, sold_count=3, review_count=1, rating_sum=5)
    ListingFactory(seller=seller, sold_count=4, review_count=4, rating_sum=8)
    ListingFactory(seller=seller, sold_count=0)

    stats = seller_stats(seller=seller)

    # 13 stars over 5 reviews; the mean of the listings' averages would be 3.5.
    assert (stats.listing_count, stats.sold_total, stats.rating.count) == (3, 7, 5)
    assert stats.rating.average == 2.6
    assert stats.rating.stars == 3


def test_seller_without_documents_or_reviews():
    stats = seller_stats(seller=SellerFactory())
    assert (
        stats.listing_count,
        stats.sold_total,
        stats.rating.count,
        stats.rating.average,
        stats.rating.stars,
    ) == (
        0,
        0,
        0,
        None,
        0,
    )


def test_unknown_seller_is_404(client):
    assert client.get(reverse("catalog:seller", kwargs={"slug": "niemand"})).status_code == 404
