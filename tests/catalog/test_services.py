from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from studymarket.catalog.models import ListingStatus
from studymarket.catalog.services import (
    book_create,
    course_create,
    default_preview_page_count,
    institution_create,
    listing_create,
    listing_publish,
    preview_page_count_allowed,
    programme_create,
)
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.documents.models import DocumentVersion, VersionStatus
from tests.factories import (
    CourseFactory,
    DocumentFactory,
    DocumentVersionFactory,
    SellerFactory,
    document_with_pages,
)

NOON_30_JULY_2021 = datetime(2021, 7, 30, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize(
    ("page_count", "preview"), [(1, 1), (3, 1), (4, 2), (14, 2), (15, 3), (30, 3), (31, 4), (102, 4)]
)
def test_default_preview_page_count(page_count, preview):
    assert default_preview_page_count(page_count) == preview


def test_default_preview_page_count_follows_the_setting(settings):
    settings.PREVIEW_PAGES_BY_LENGTH = [(10, 5), (1, 1)]
    assert (default_preview_page_count(9), default_preview_page_count(10)) == (1, 5)


def test_a_document_without_pages_has_no_preview():
    with pytest.raises(ValueError, match="at least one page"):
        default_preview_page_count(0)


@pytest.mark.parametrize(
    ("preview", "page_count", "allowed"),
    [
        (1, 1, True),
        (2, 3, True),
        (3, 3, False),
        (10, 102, True),
        (101, 102, True),
        (102, 102, False),
        (0, 5, False),
    ],
)
def test_more_preview_pages_than_the_default_but_never_all(preview, page_count, allowed):
    assert preview_page_count_allowed(preview_page_count=preview, page_count=page_count) is allowed


@pytest.fixture
def seller(db):
    return SellerFactory()


def _create(seller, document=None, **overrides):
    fields = {
        "seller": seller,
        "document": document or document_with_pages(seller=seller, page_count=102),
        "course": CourseFactory(),
        "title": "Account Management Samenvatting Odisee",
        "description": "Alle hoofdstukken.",
        "document_type": "summary",
        "language": "nl",
        "academic_year": "2020/2021",
        "price_cents": 949,
    }
    return listing_create(**{**fields, **overrides})


def test_listing_create_makes_a_draft_with_the_default_preview(seller):
    listing = _create(seller)

    assert listing.status == ListingStatus.DRAFT
    assert listing.published_at is None
    assert listing.slug == "account-management-samenvatting-odisee"
    assert listing.preview_page_count == 4
    assert listing.price_cents == 949


def test_listing_create_with_more_preview_pages(seller):
    assert _create(seller, preview_page_count=10).preview_page_count == 10


def test_listing_create_refuses_to_show_every_page(seller):
    document = document_with_pages(seller=seller, page_count=3)
    with pytest.raises(ApplicationError):
        _create(seller, document=document, preview_page_count=3)


def test_listing_create_only_for_the_sellers_own_document(seller):
    with pytest.raises(ApplicationError):
        _create(seller, document=document_with_pages(seller=SellerFactory()))


@pytest.mark.parametrize(
    ("field", "value"), [("price_cents", 99), ("academic_year", "2020-2021"), ("title", "")]
)
def test_listing_create_validates_the_model(seller, field, value):
    with pytest.raises(ValidationError):
        _create(seller, **{field: value})


def test_listing_publish_sets_the_upload_date_and_leaves_the_version_to_selling(seller):
    listing = listing_publish(listing=_create(seller), published_at=NOON_30_JULY_2021)

    assert listing.status == ListingStatus.PUBLISHED
    assert listing.published_at == NOON_30_JULY_2021
    assert AuditEvent.objects.filter(action="listing.published", object_id=str(listing.pk)).count() == 1
    # Accepting the version is the seller's journey's (selling.services.listing_publish).
    version = DocumentVersion.objects.get(document=listing.document)
    assert version.status == VersionStatus.UPLOADED


def test_listing_publish_twice_keeps_the_first_date(seller):
    listing = listing_publish(listing=_create(seller), published_at=NOON_30_JULY_2021)

    again = listing_publish(listing=listing)

    assert again.published_at == NOON_30_JULY_2021


def test_listing_publish_waits_for_the_processed_document(seller):
    document = DocumentFactory(seller=seller)
    document.current_version = DocumentVersionFactory(document=document, page_count=0)
    document.save()
    listing = _create(seller, document=document)
    assert listing.preview_page_count == 1

    with pytest.raises(ApplicationError):
        listing_publish(listing=listing)


def test_institution_programme_course_get_slugs(db):
    institution = institution_create(name="Universiteit Gent", country="BE", city="Gent")
    programme = programme_create(institution=institution, name="Bachelor Psychologie")
    course = course_create(programme=programme, name="Ontwikkelingspsychologie", code="H000452")

    assert (institution.slug, programme.slug, course.slug) == (
        "universiteit-gent",
        "bachelor-psychologie",
        "ontwikkelingspsychologie",
    )
    assert course.institution == institution


def test_book_create_stores_the_isbn_13(db):
    book = book_create(title="Psychologie", authors="M. de Wit", edition="9e druk", isbn="90-01-11358-3")
    assert book.isbn13 == "9789001113582"


def test_book_create_refuses_a_wrong_check_digit(db):
    with pytest.raises(ValidationError):
        book_create(title="Psychologie", isbn="9789001113583")


def test_book_without_isbn(db):
    assert book_create(title="Syllabus").isbn13 is None
