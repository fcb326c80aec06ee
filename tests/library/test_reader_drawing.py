"""Issue 12, finding 1: reader page images are drawn in the sandboxed child, one document at a
time and a few documents at once, so a heavy document waits only behind itself; a page that
cannot be drawn within the limits is shown as too heavy (and not tried on every request)."""

import re
import threading
from typing import Any

import pytest
from django.urls import reverse

from studymarket.library import reader
from studymarket.library.reader import PageTooHeavy, reader_page_image
from tests.documents.hostile import heavy_page_pdf
from tests.logins import login
from tests.purchases import listing_with_pdf, purchase, version_with_pdf

pytestmark = pytest.mark.django_db

# Generous waits for what must happen; nothing here measures how fast.
WAIT = 30


def _version(data: bytes | None = None, pages: int = 5):
    listing = listing_with_pdf(pages=pages)
    version = listing.document.current_version
    assert version is not None
    if data is not None:
        version = version_with_pdf(version, pages=pages, data=data)
    return listing, version


class _Gate:
    """Holds the draws of one version until released, and counts draws inside at once."""

    def __init__(self, monkeypatch, held_version_id: int) -> None:
        self.held = held_version_id
        self.started = threading.Event()
        self.release = threading.Event()
        self.inside: dict[int, int] = {}
        self.most: dict[int, int] = {}
        self._count = threading.Lock()
        real = reader.reader_pages_draw

        def gated(*, version, numbers, width, **options):
            with self._count:
                self.inside[version.pk] = self.inside.get(version.pk, 0) + 1
                self.most[version.pk] = max(self.most.get(version.pk, 0), self.inside[version.pk])
            try:
                if version.pk == self.held:
                    self.started.set()
                    assert self.release.wait(WAIT)
                return real(version=version, numbers=numbers, width=width, **options)
            finally:
                with self._count:
                    self.inside[version.pk] -= 1

        monkeypatch.setattr(reader, "reader_pages_draw", gated)


def _in_thread(**kwargs) -> tuple[threading.Thread, threading.Event, dict]:
    done = threading.Event()
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["data"] = reader_page_image(**kwargs)
        except Exception as error:  # reported to the test
            result["error"] = error
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done, result


def test_another_documents_page_is_answered_while_a_heavy_draw_runs(monkeypatch):
    _, heavy = _version()
    _, other = _version()
    gate = _Gate(monkeypatch, heavy.pk)
    slow, _, _ = _in_thread(version=heavy, number=1, width=1200)
    assert gate.started.wait(WAIT)

    # The heavy document's draw is still going on, and another document's page comes back.
    data = reader_page_image(version=other, number=1, width=1200)

    assert (data[:4], data[8:12]) == (b"RIFF", b"WEBP")
    assert not gate.release.is_set()
    gate.release.set()
    slow.join(WAIT)


def test_control_with_room_for_one_draw_the_other_document_waits(monkeypatch):
    """Shows the test above can see a blocked request: with one draw at a time overall (as with
    the old process-wide lock), the other document's page waits for the heavy one."""
    monkeypatch.setattr(reader, "_DRAWS", threading.BoundedSemaphore(1))
    _, heavy = _version()
    _, other = _version()
    gate = _Gate(monkeypatch, heavy.pk)
    slow, _, _ = _in_thread(version=heavy, number=1, width=1200)
    assert gate.started.wait(WAIT)

    waiting, done, result = _in_thread(version=other, number=1, width=1200)

    assert not done.wait(1.0)
    gate.release.set()
    assert done.wait(WAIT)
    assert "data" in result
    slow.join(WAIT)
    waiting.join(WAIT)


def test_one_document_draws_one_request_at_a_time(monkeypatch):
    _, version = _version(pages=8)
    gate = _Gate(monkeypatch, version.pk)
    first, first_done, first_result = _in_thread(version=version, number=1, width=800)
    assert gate.started.wait(WAIT)
    # Pages 1-4 are being drawn; page 6 needs a draw of its own, after this one.
    second, second_done, second_result = _in_thread(version=version, number=6, width=800)
    assert not second_done.wait(0.5)
    gate.release.set()
    assert first_done.wait(WAIT)
    assert second_done.wait(WAIT)
    assert ("data" in first_result, "data" in second_result) == (True, True)
    assert gate.most[version.pk] == 1
    first.join(WAIT)
    second.join(WAIT)


def test_a_page_too_heavy_to_draw_is_refused_and_remembered(settings, monkeypatch):
    # About 9 s at 1,600 px; the reader gives a page twice READER_PAGE_DRAW_SECONDS.
    settings.READER_PAGE_DRAW_SECONDS = 0.25
    _, version = _version(heavy_page_pdf(fills=1000), pages=3)

    with pytest.raises(PageTooHeavy):
        reader_page_image(version=version, number=2, width=1600)

    monkeypatch.setattr(reader, "reader_pages_draw", lambda **kwargs: pytest.fail("drawn again"))
    with pytest.raises(PageTooHeavy):
        reader_page_image(version=version, number=2, width=800)
    # The other pages of the document are drawn as ever.
    monkeypatch.undo()
    assert reader_page_image(version=version, number=3, width=1600)[:4] == b"RIFF"


def test_a_draw_stopped_by_the_sandbox_limits_is_too_heavy(settings):
    """The child's wall clock (the upload limit) stops a draw the per-page budget did not."""
    settings.READER_PAGE_DRAW_SECONDS = 1000
    settings.PROCESSING_TIME_LIMIT_SECONDS = 1
    _, version = _version(heavy_page_pdf(fills=1000), pages=3)

    with pytest.raises(PageTooHeavy):
        reader_page_image(version=version, number=2, width=1600)


def test_the_reader_shows_a_too_heavy_page_as_a_message(client, buyer, settings):
    settings.READER_PAGE_DRAW_SECONDS = 0.25
    listing, version = _version(heavy_page_pdf(fills=1000), pages=3)
    purchase(buyer=buyer, listing=listing)
    login(client, buyer)
    document_id = listing.document_id

    image = client.get(reverse("library:page", args=[document_id, version.pk, 2, 1200]))

    # The image the browser shows in the page's place says it, in words.
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert "no-store" in image["Cache-Control"]
    svg = image.content.decode()
    assert "te zwaar" in svg
    html = client.get(reverse("library:read", args=[document_id])).content.decode()
    page_two = html.split('id="pagina-2"', 1)[1].split("</figure>", 1)[0]
    assert "Deze pagina is te zwaar om in de lezer te tonen." in page_two
    assert "<img" not in page_two
    assert len(re.findall(r"<img src=\"/mijn-documenten/", html)) == 2


def test_with_no_room_to_draw_the_answer_is_busy_with_a_retry(client, buyer, settings, monkeypatch):
    listing, version = _version()
    purchase(buyer=buyer, listing=listing)
    login(client, buyer)
    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(reader, "_DRAWS", full)
    settings.PROCESSING_TIME_LIMIT_SECONDS = 0  # how long a request waits for room

    response = client.get(reverse("library:page", args=[listing.document_id, version.pk, 1, 800]))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
