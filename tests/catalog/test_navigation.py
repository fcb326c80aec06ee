"""Institution → programme → course pages, book pages by ISBN, the seller page, and the links
from each to the search page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studymarket.catalog.models import Book, ListingStatus
from tests.factories import (
    CourseFactory,
    InstitutionFactory,
    ListingFactory,
    ProgrammeFactory,
    SellerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ISBN13 = "9789001234560"  # a valid ISBN-13
ISBN10 = "9001234569"  # the same book's ISBN-10


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return str(response.content.decode())


@pytest.fixture
def course():
    institution = InstitutionFactory(name="Odisee", slug="odisee", city="Brussel")
    programme = ProgrammeFactory(
        institution=institution, name="Bedrijfsmanagement", slug="bedrijfsmanagement"
    )
    return CourseFactory(
        programme=programme, name="Account Management", code="MAN 3025", slug="account-management"
    )


def test_institution_links_to_its_programme_pages_and_each_courses_documents(client, course):
    ListingFactory(course=course)
    empty = CourseFactory(programme=course.programme, name="Marketing", slug="marketing")

    html = _html(client, reverse("catalog:institution", kwargs={"slug": "odisee"}))

    assert '<a href="/instelling/odisee/bedrijfsmanagement/">Bedrijfsmanagement</a>' in html
    assert f'<a href="/zoeken/?vak={course.pk}" title="Alle documenten voor dit vak">1 document</a>' in html
    assert f"?vak={empty.pk}" not in html
    assert '<small class="muted">0 documenten</small>' in html


def test_programme_page_lists_its_courses_with_counts_and_its_documents(client, course):
    marketing = CourseFactory(programme=course.programme, name="Marketing", slug="marketing")
    ListingFactory(course=course, title="Account Management Samenvatting")
    ListingFactory(course=marketing, title="Marketing in 20 pagina's")
    ListingFactory(course=marketing, title="Concept", status=ListingStatus.DRAFT)
    ListingFactory(title="Ergens anders")

    html = _html(client, "/instelling/odisee/bedrijfsmanagement/")

    assert "<h1>Bedrijfsmanagement</h1>" in html
    assert '<li><a href="/">Startpagina</a></li>' in html
    assert '<li><a href="/instelling/odisee/">Odisee</a></li>' in html
    assert (
        '<li><a href="/vak/odisee/bedrijfsmanagement/account-management/">Account Management</a>'
        ' <span class="muted">(MAN 3025)</span> · <small class="muted">'
        f'<a href="/zoeken/?vak={course.pk}" title="Alle documenten voor dit vak">1 document</a></small></li>'
    ) in html
    assert (
        '<li><a href="/vak/odisee/bedrijfsmanagement/marketing/">Marketing</a>'
        ' · <small class="muted">'
        f'<a href="/zoeken/?vak={marketing.pk}" title="Alle documenten voor dit vak">1 document</a>'
        "</small></li>"
    ) in html
    assert "Documenten voor Bedrijfsmanagement (2)" in html
    assert "Account Management Samenvatting" in html
    assert "Marketing in 20 pagina" in html
    assert "Concept" not in html
    assert "Ergens anders" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/instelling/odisee/bestaat-niet/",
        "/instelling/andere-school/bedrijfsmanagement/",
        "/instelling/bestaat-niet/bedrijfsmanagement/",
    ],
)
def test_unknown_or_mismatched_programme_is_404(client, course, url):
    InstitutionFactory(slug="andere-school")
    assert client.get(url).status_code == 404


def test_programme_page_queries_do_not_grow_with_courses(client, course):
    ListingFactory(course=course)
    with CaptureQueriesContext(connection) as few:
        _html(client, course.programme.get_absolute_url())
    for _ in range(5):
        ListingFactory(course=CourseFactory(programme=course.programme))
    with CaptureQueriesContext(connection) as many:
        _html(client, course.programme.get_absolute_url())
    assert len(many) == len(few)


def test_course_page_lists_documents_and_links_to_the_search_filtered_by_course(client, course):
    ListingFactory(course=course, title="Account Management Samenvatting")
    ListingFactory(course=course, title="Oefenexamen")

    html = _html(client, course.get_absolute_url())

    assert (
        f'<a href="/zoeken/?vak={course.pk}" id="course-search">Alle documenten voor dit vak (2)</a>' in html
    )
    assert '<li><a href="/instelling/odisee/bedrijfsmanagement/">Bedrijfsmanagement</a></li>' in html
    assert "Account Management Samenvatting" in html
    assert "Oefenexamen" in html


def test_course_page_without_documents_has_no_search_link(client, course):
    html = _html(client, course.get_absolute_url())
    assert "Alle documenten voor dit vak (0)" in html
    assert 'id="course-search"' not in html
    assert "Nog geen documenten voor dit vak." in html


def test_course_and_seller_pages_have_follow_buttons(client, course):
    seller = SellerFactory(display_name="Lotte", slug="lotte")
    ListingFactory(course=course, seller=seller)

    course_html = _html(client, course.get_absolute_url())
    seller_html = _html(client, seller.get_absolute_url())

    # Anonymous: a link to log in that comes back here.
    assert f'id="follow-course-{course.pk}"' in course_html
    assert "Volg dit vak" in course_html
    assert f'<a href="/account/inloggen/?next={course.get_absolute_url()}" role="button"' in course_html
    assert f'id="follow-seller-{seller.pk}"' in seller_html
    assert "Volg deze verkoper" in seller_html

    client.force_login(UserFactory())
    course_html = _html(client, course.get_absolute_url())
    assert f'action="/volgen/vak/{course.pk}/"' in course_html


# --- Books -----------------------------------------------------------------------------------


@pytest.fixture
def book():
    return Book.objects.create(
        title="Inkoop- en leveranciersmanagement", authors="Arjan van Weele", edition="7e druk", isbn13=ISBN13
    )


def test_book_page_lists_its_documents_and_the_courses_that_use_it(client, course, book):
    ListingFactory(course=course, book=book, title="Samenvatting Van Weele")
    ListingFactory(course=course, title="Zonder boek")
    other_course = CourseFactory(name="Inkoop", slug="inkoop")
    ListingFactory(course=other_course, book=book, title="Inkoop hoofdstuk 1-6")
    ListingFactory(course=other_course, book=book, title="Concept", status=ListingStatus.DRAFT)

    html = _html(client, f"/boek/{ISBN13}/")

    assert "<h1>Inkoop- en leveranciersmanagement</h1>" in html
    assert "<dt>Auteurs</dt><dd>Arjan van Weele</dd>" in html
    assert "<dt>Editie</dt><dd>7e druk</dd>" in html
    assert f"<dt>ISBN</dt><dd>{ISBN13}</dd>" in html
    assert "Documenten over dit boek (2)" in html
    assert "Samenvatting Van Weele" in html
    assert "Inkoop hoofdstuk 1-6" in html
    assert "Zonder boek" not in html
    assert "Concept" not in html
    # Each course that uses it, with all of that course's documents (about the book or not).
    assert f'<a href="/zoeken/?vak={course.pk}">Alle documenten voor dit vak (2)</a>' in html
    assert f'<a href="/zoeken/?vak={other_course.pk}">Alle documenten voor dit vak (1)</a>' in html
    assert f'<a href="{course.get_absolute_url()}">Account Management</a>' in html


@pytest.mark.parametrize("spelling", ["978-90-01-23456-0", "978 90 01 23456 0", ISBN10, "90-01-23456-9"])
def test_other_isbn_spellings_redirect_permanently_to_the_isbn13_page(client, book, spelling):
    response = client.get(f"/boek/{spelling}/")
    assert response.status_code == 301
    assert response["Location"] == f"/boek/{ISBN13}/"


@pytest.mark.parametrize("isbn", ["9789001234561", "123", "abc", "97890012345600000", "%3Cscript%3E"])
def test_invalid_isbn_is_404(client, book, isbn):
    assert client.get(f"/boek/{isbn}/").status_code == 404


def test_unknown_book_is_404(client):
    assert client.get(f"/boek/{ISBN13}/").status_code == 404


def test_book_urls(book):
    assert book.get_absolute_url() == f"/boek/{ISBN13}/"
    assert Book(title="Zonder ISBN").get_absolute_url() == ""


def test_listing_page_links_its_book(client, course, book):
    listing = ListingFactory(course=course, book=book)
    html = _html(client, listing.get_absolute_url())
    assert f"/boek/{ISBN13}/" in html


# --- Seller ----------------------------------------------------------------------------------


def test_seller_page_shows_documents_sales_rating_and_tier(client):
    seller = SellerFactory(display_name="Lotte", slug="lotte")
    ListingFactory(seller=seller, title="Marketing", sold_count=20, review_count=2, rating_sum=9)
    ListingFactory(seller=seller, title="Boekhouden", sold_count=10, review_count=1, rating_sum=3)
    ListingFactory(seller=seller, title="Offline", sold_count=5, status=ListingStatus.UNPUBLISHED)

    html = _html(client, "/verkoper/lotte/")

    assert "<li>2 documenten</li>" in html
    assert "30 keer verkocht" in html  # the published listings' sales
    assert "<span>4</span>" in html  # 12 stars over 3 reviews
    assert "(3 reviews)" in html
    assert "Marketing" in html
    assert "Boekhouden" in html
    # 35 points: every paid sale counts, also of the listing taken offline (no reviews here).
    assert "Verkoper Brons" in html
    assert "35 punten" in html
