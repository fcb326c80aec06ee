"""Issue 14: a page image drawn before is served from the storage as it is (no draw, no PDF
opened, few queries), cached by the buyer's browser only, revalidated by its ETag (304); only
the entitled buyer gets it, ETag or not; the first pages are drawn ahead when a copy is bought."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import FileResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from studymarket.core.storage import private_storage
from studymarket.documents import drawing, extraction
from studymarket.library import reader, views
from studymarket.library.reader import reader_page_image, reader_pages_predraw
from studymarket.library.services import entitlement_revoke
from tests.factories import UserFactory
from tests.logins import login
from tests.purchases import listing_with_pdf, purchase
from tests.reader_draws import reader_draws_finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(buyer):
    line = purchase(buyer=buyer, listing=listing_with_pdf(pages=5))
    assert line.entitlement is not None
    return line, line.entitlement.document.current_version


def _url(line, version, number=1, width=800) -> str:
    return reverse("library:page", args=[line.entitlement.document_id, version.pk, number, width])


def _no_drawing(monkeypatch) -> None:
    """Any draw, PDF copied out of the storage, or page-size read fails the test."""
    fail = lambda *args, **kwargs: pytest.fail("the PDF was opened")  # noqa: E731
    monkeypatch.setattr(reader, "reader_pages_draw", fail)
    monkeypatch.setattr(drawing, "sandbox_run", fail)
    monkeypatch.setattr(extraction, "stored_file_local", fail)
    monkeypatch.setattr(drawing, "stored_file_local", fail)
    monkeypatch.setattr(reader, "stored_file_local", fail)


def test_a_drawn_page_is_sent_from_the_storage_without_opening_the_pdf(client, buyer, bought, monkeypatch):
    line, version = bought
    drawn = reader_page_image(version=version, number=1, width=800)
    reader_draws_finish()
    login(client, buyer)
    _no_drawing(monkeypatch)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(line, version))

    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response.getvalue() == drawn
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Length"] == str(len(drawn))
    # The user (and the session, unless cached), and the entitlement, which brings the
    # document's current version: no more.
    sql = [q["sql"] for q in queries]
    assert len(sql) <= 3, sql
    assert [q for q in sql if "library_" in q or "documents_" in q] == [
        next(q for q in sql if q.startswith('SELECT "library_entitlement"'))
    ]


def test_page_images_are_for_the_buyers_browser_only(client, buyer, bought):
    line, version = bought
    login(client, buyer)

    for _ in ("drawn now", "from the storage"):
        response = client.get(_url(line, version, number=2))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, max-age=86400"
        assert response["ETag"] == f'W/"reader-{version.pk}-2-800"'
        reader_draws_finish()


def test_the_browser_holding_the_image_gets_304_without_the_storage_being_asked(
    client, buyer, bought, monkeypatch
):
    line, version = bought
    login(client, buyer)
    first = client.get(_url(line, version))
    reader_draws_finish()
    _no_drawing(monkeypatch)
    monkeypatch.setattr(views, "reader_page_open", lambda **kwargs: pytest.fail("the storage was asked"))

    again = client.get(_url(line, version), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "private, max-age=86400"


def test_another_pages_etag_is_no_match(client, buyer, bought):
    line, version = bought
    login(client, buyer)
    page_one = client.get(_url(line, version, number=1))

    other = client.get(_url(line, version, number=2), headers={"if-none-match": page_one["ETag"]})

    assert other.status_code == 200
    assert other.getvalue()[:4] == b"RIFF"


@pytest.mark.parametrize("who", ["stranger", "refunded_buyer"])
def test_an_etag_opens_nothing_for_someone_not_entitled(client, buyer, bought, who):
    """An attacker with another buyer's URL and ETag gets 404 and no byte, not 304 or the image."""
    line, version = bought
    reader_page_image(version=version, number=1, width=800)
    etag = f'W/"reader-{version.pk}-1-800"'
    if who == "stranger":
        login(client, UserFactory())
    else:
        entitlement_revoke(entitlement_id=line.entitlement_id, reason="refund")
        login(client, buyer)

    for headers in ({}, {"if-none-match": etag}, {"if-none-match": "*"}):
        response = client.get(_url(line, version), headers=headers)
        assert response.status_code == 404
        assert b"RIFF" not in response.content
        assert not response.has_header("ETag")


def test_page_images_answer_only_get_and_head(client, buyer, bought):
    line, version = bought
    login(client, buyer)
    assert client.head(_url(line, version)).status_code == 200
    reader_draws_finish()
    assert client.post(_url(line, version)).status_code == 405


def test_buying_queues_the_first_pages_drawn_ahead(
    settings, db_task_backend, buyer, django_capture_on_commit_callbacks
):
    settings.READER_PREDRAW_PAGES = 3

    with django_capture_on_commit_callbacks(execute=True):
        line = purchase(buyer=buyer, listing=listing_with_pdf(pages=5))

    queued = DBTaskResult.objects.filter(task_path="studymarket.library.tasks.reader_pages_predraw_task")
    assert line.entitlement is not None
    version_id = line.entitlement.document.current_version_id
    assert [row.args_kwargs["args"] for row in queued] == [[version_id, 3]]


def test_without_predraw_pages_nothing_is_queued(
    settings, db_task_backend, buyer, django_capture_on_commit_callbacks
):
    settings.READER_PREDRAW_PAGES = 0
    with django_capture_on_commit_callbacks(execute=True):
        purchase(buyer=buyer, listing=listing_with_pdf(pages=5))
    assert not DBTaskResult.objects.filter(task_path__endswith="reader_pages_predraw_task").exists()
    assert DBTaskResult.objects.filter(task_path__endswith="stamped_copy_build_task").count() == 1


def test_predrawn_pages_are_served_without_a_draw(client, buyer, bought, monkeypatch):
    line, version = bought
    cache.clear()

    reader_pages_predraw(version_id=version.pk, pages=2, widths=(800, 1200))

    for width in (800, 1200):
        stored = private_storage().listdir(f"reader/{version.document_id}/{version.pk}/{width}")[1]
        assert sorted(stored) == ["1.webp", "2.webp"]
    _no_drawing(monkeypatch)
    # Again: everything is there, nothing is drawn.
    reader_pages_predraw(version_id=version.pk, pages=2, widths=(800, 1200))
    login(client, buyer)
    # The reader's page too: the pages' sizes were read with the predraw.
    assert client.get(reverse("library:read", args=[line.entitlement.document_id])).status_code == 200
    for number in (1, 2):
        response = client.get(_url(line, version, number=number, width=1200))
        assert (response.status_code, response.getvalue()[:4]) == (200, b"RIFF")


def test_predraw_skips_a_version_without_its_file(bought, monkeypatch):
    _, version = bought
    type(version).objects.filter(pk=version.pk).update(file="")
    monkeypatch.setattr(reader, "reader_pages_draw", lambda **kwargs: pytest.fail("drawn"))
    reader_pages_predraw(version_id=version.pk, pages=2)
    reader_pages_predraw(version_id=version.pk + 1000, pages=2)


def test_the_first_page_image_is_fetched_first(client, buyer, bought):
    line, _ = bought
    login(client, buyer)
    html = client.get(reverse("library:read", args=[line.entitlement.document_id])).content.decode()
    images = re.findall(r"<img src=\"/mijn-documenten/[^>]+>", html)
    assert len(images) == 5
    assert ['fetchpriority="high"' in image for image in images] == [True, False, False, False, False]
