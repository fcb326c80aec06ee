"""Autocomplete for the search box: institutions, courses and books straight from the
database (small tables), by word prefix everywhere and by trigram similarity on PostgreSQL."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Greatest

from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, ListingStatus
from studymarket.core.text import printable_words
from studymarket.search import analysis
from studymarket.search.types import Suggestion

# Trigram word similarity from which a name counts as a near match ("acount" ~ "Account").
SIMILARITY = 0.5
MAX_TEXT = 100


def _prefix(field: str, text: str) -> Q:
    """The field starts with the text, or one of its words does."""
    return Q(**{f"{field}__istartswith": text}) | Q(**{f"{field}__icontains": f" {text}"})


def _trigram() -> bool:
    if connection.vendor != "postgresql":
        return False
    from studymarket.search.backends.postgres import schema

    return "pg_trgm" in schema.pg_extensions()


def _near(queryset: QuerySet, text: str, *fields: str) -> tuple[QuerySet, Q]:
    """On PostgreSQL with pg_trgm: the queryset annotated with ``similarity`` and a filter
    for near matches; elsewhere the queryset and an always-false filter."""
    if not _trigram():
        return queryset, Q(pk__in=[])
    from django.contrib.postgres.search import TrigramWordSimilarity

    similarities = [TrigramWordSimilarity(text, field) for field in fields]
    annotated = queryset.annotate(
        similarity=similarities[0] if len(similarities) == 1 else Greatest(*similarities)
    )
    return annotated, Q(similarity__gte=SIMILARITY)


def suggestions_find(text: str, *, limit: int = 8) -> list[Suggestion]:
    text = " ".join(printable_words(text or ""))[:MAX_TEXT]
    if len(text) < 2 or limit <= 0:
        return []
    published = Q(listings__status=ListingStatus.PUBLISHED)
    suggestions: list[Suggestion] = []

    institutions, near = _near(Institution.objects.all(), text, "name")
    for institution in institutions.filter(_prefix("name", text) | near).order_by("name")[:3]:
        suggestions.append(
            Suggestion(
                kind="institution",
                label=institution.name,
                detail=institution.city or institution.get_country_display(),
                url=institution.get_absolute_url(),
            )
        )

    code = analysis.course_code_normalise(text)
    courses = Course.objects.select_related("programme__institution").annotate(
        documents=Count("listings", filter=Q(listings__status=ListingStatus.PUBLISHED))
    )
    courses, near = _near(courses, text, "name", "code")
    code_match = Q(code__istartswith=text)
    if any(ch.isdigit() for ch in code):
        # "MAN3025" typed for the code "MAN 3025" and the other way round: compare normalised
        # codes in Python over the few courses whose code starts with the same letters.
        letters = "".join(ch for ch in code if ch.isalpha())[:3]
        if letters:
            ids = [
                pk
                for pk, value in Course.objects.filter(code__istartswith=letters).values_list("pk", "code")[
                    :500
                ]
                if analysis.course_code_normalise(value).startswith(code)
            ]
            code_match |= Q(pk__in=ids)
    for course in courses.filter(_prefix("name", text) | code_match | near).order_by("-documents", "name")[
        :4
    ]:
        institution = course.programme.institution
        suggestions.append(
            Suggestion(
                kind="course",
                label=course.name,
                detail=" · ".join(part for part in (course.code, institution.name) if part),
                url=course.get_absolute_url(),
            )
        )

    books = Book.objects.exclude(isbn13=None).annotate(documents=Count("listings", filter=published))
    books, near = _near(books, text, "title")
    book_match = _prefix("title", text) | near
    digits = "".join(ch for ch in text if ch.isdigit() or ch in "xX")
    if len(digits) >= 4 and len(digits) >= len(text.replace("-", "").replace(" ", "")):
        try:
            isbn = isbn_normalise(digits)
        except ValidationError:
            isbn = digits
        book_match |= Q(isbn13__startswith=isbn)
    for book in books.filter(book_match).order_by("-documents", "title")[: max(0, limit - len(suggestions))]:
        suggestions.append(
            Suggestion(
                kind="book",
                label=book.title,
                detail=" · ".join(part for part in (book.authors, f"ISBN {book.isbn13}") if part),
                url=book.get_absolute_url(),
            )
        )
    return suggestions[:limit]
