"""Suggestions in the search box: institutions, courses (name or code) and books (title or ISBN)."""

import pytest
from django.db import connection

from studymarket.catalog.models import Book
from studymarket.search.service import autocomplete
from studymarket.search.types import Suggestion
from tests.search.searching import course_make, listing_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    account = course_make(name="Account Management", code="MAN 3025", institution="Odisee")
    course_make(name="Accounting", code="ACC1001", institution="KU Leuven")
    listing_make(title="Samenvatting", course=account)
    book = Book.objects.create(
        title="Accountmanagement in de praktijk", authors="Jansen", isbn13="9789001234563"
    )
    Book.objects.create(title="Zonder ISBN geen pagina")
    return account, book


def _labels(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.label) for s in autocomplete(text)]


def test_word_prefixes_of_institutions_courses_and_books(catalogue):
    account, book = catalogue
    suggestions = autocomplete("acc")
    # Courses with published documents first; books by title; never a book without a page.
    assert [(s.kind, s.label) for s in suggestions] == [
        ("course", "Account Management"),
        ("course", "Accounting"),
        ("book", "Accountmanagement in de praktijk"),
    ]
    assert suggestions[0] == Suggestion(
        kind="course", label="Account Management", detail="MAN 3025 · Odisee", url=account.get_absolute_url()
    )
    assert suggestions[2] == Suggestion(
        kind="book",
        label="Accountmanagement in de praktijk",
        detail="Jansen · ISBN 9789001234563",
        url=book.get_absolute_url(),
    )
    assert _labels("manage")[0] == ("course", "Account Management")
    assert _labels("odi")[0] == ("institution", "Odisee")
    assert autocomplete("odi")[0].url == "/instelling/odisee/"


@pytest.mark.parametrize("typed", ["MAN 3025", "man3025", "MAN30"])
def test_course_codes_however_typed(catalogue, typed):
    assert _labels(typed) == [("course", "Account Management")]


def test_isbn(catalogue):
    assert _labels("978900123") == [("book", "Accountmanagement in de praktijk")]
    assert _labels("978-90-01-23456-3") == [("book", "Accountmanagement in de praktijk")]


def test_short_or_empty_text_suggests_nothing(catalogue):
    assert autocomplete("") == []
    assert autocomplete("a") == []
    assert autocomplete("   ") == []
    assert autocomplete("acc", limit=0) == []
    assert len(autocomplete("acc", limit=2)) == 2


def test_near_misses_on_postgresql(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is PostgreSQL's (pg_trgm)")
    assert ("course", "Account Management") in _labels("acount managment")
    assert ("institution", "Odisee") in _labels("Odise")
