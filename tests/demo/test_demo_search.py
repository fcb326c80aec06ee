"""The issue's "done when", on the demo data (loaded once for this module, inside a
transaction rolled back at the end): what a new user types finds the reference listing."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import DocumentPage
from studymarket.search.backends import backend_get
from studymarket.search.index_sync import search_rebuild
from studymarket.search.types import PageHit
from studymarket.storefront.demo.listings import reference_facts
from tests.demo.loading import DemoLoad
from tests.search.searching import found, ids

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_data")]

FACTS = reference_facts()["listing"]


@pytest.fixture(scope="module")
def demo(demo_load: DemoLoad, django_db_blocker, tmp_path_factory) -> Iterator[Path]:
    """The demo data, indexed into a tantivy index of this module's (and, on PostgreSQL, the
    postgres backend's tables, inside the same rolled-back transaction)."""
    index_dir = tmp_path_factory.mktemp("demo-search")
    with django_db_blocker.unblock(), transaction.atomic():
        search_rebuild(backend=backend_get("tantivy", index_dir=index_dir))
        if connection.vendor == "postgresql":
            search_rebuild(backend=backend_get("postgres"))
        yield index_dir
        transaction.set_rollback(True)


@pytest.fixture(params=["tantivy", "postgres"])
def demo_backend(request, demo, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres backend runs when the tests run on PostgreSQL")
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = demo


@pytest.fixture
def reference(demo_backend) -> Listing:
    return Listing.objects.get(title=FACTS["title"])


def test_every_published_demo_listing_is_indexed(demo_backend):
    assert backend_get().count() == Listing.objects.filter(status=ListingStatus.PUBLISHED).count() == 56


@pytest.mark.parametrize("typed", ["account management", "Account Management", "acount managment"])
def test_account_management_finds_the_reference_listing_first(reference, typed):
    assert ids(typed)[0] == reference.pk


def test_kraljic_finds_it_through_its_table_of_contents(reference):
    assert reference.pk in ids("Kraljic")
    assert ids("Kraljic-matrix")[0] == reference.pk


def test_a_phrase_from_a_locked_page_says_only_buyers_read_it(reference):
    version = reference.document.current_version
    texts = dict(DocumentPage.objects.filter(version=version).values_list("number", "text"))
    on_pages = {number for number, text in texts.items() if "kraljic" in text.lower()}
    locked = {number for number in on_pages if number > reference.preview_page_count}
    assert locked  # section 4.5, which only buyers read (the contents page lists it too)
    hit = next(hit for hit in found("Kraljic-matrix").hits if hit.listing_id == reference.pk)
    assert {p.page_number for p in hit.page_hits} == on_pages
    for page_hit in hit.page_hits:
        if page_hit.page_number in locked:
            assert page_hit == PageHit(page_number=page_hit.page_number, locked=True, snippet_html="")
        else:
            assert not page_hit.locked
            assert "<mark>Kraljic</mark>" in page_hit.snippet_html


def test_a_phrase_from_a_preview_page_comes_with_its_snippet(reference):
    version = reference.document.current_version
    text = DocumentPage.objects.get(version=version, number=reference.preview_page_count).text
    words = [w for w in re.findall(r"\w+", text) if len(w) > 6][:3]
    hit = next(hit for hit in found(" ".join(words)).hits if hit.listing_id == reference.pk)
    preview = [p for p in hit.page_hits if p.page_number == reference.preview_page_count]
    assert preview
    assert not preview[0].locked
    assert f"<mark>{words[0]}</mark>" in preview[0].snippet_html


def test_the_course_facet_offers_the_reference_course(reference):
    result = found("account management")
    assert {f.label for f in result.facets["institution"]} >= {"Odisee"}
    assert f"{FACTS['course']} ({FACTS['institution']})" in {f.label for f in result.facets["course"]}
