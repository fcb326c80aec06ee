"""Issue 12, finding 1: a page that cannot be drawn at the online reader's largest width within
the time a page may take is refused at the upload, with a reason that says what to do."""

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from studymarket.documents.models import VersionStatus
from studymarket.documents.processing import document_version_process
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.documents.services import document_upload
from tests.documents import hostile
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db


def _processed(seller, data: bytes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = document_upload(seller=seller, file=ContentFile(data), original_name="zwaar.pdf")
        version = document_version_process(version_id=version.pk)
    version.refresh_from_db()
    return version


def test_a_page_too_heavy_for_the_reader_is_refused_at_upload(seller, django_capture_on_commit_callbacks):
    # 5,000 half-transparent fills on page 2 (as in the issue): a few thousandths of a second
    # as a thumbnail, some 50 s at 1,600 px (the reader's largest width), against 10 s allowed.
    version = _processed(seller, hostile.heavy_page_pdf(fills=5000), django_capture_on_commit_callbacks)

    assert (version.status, version.reason_code, version.reason_params) == (
        VersionStatus.REJECTED,
        Reason.PAGE_TOO_HEAVY,
        {"page": 2, "seconds": 10},
    )
    assert not version.pages.exists()
    with translation.override("nl"):
        message = reason_text(version.reason_code, version.reason_params)
    assert message.startswith("Pagina 2 van dit PDF-bestand is te zwaar om te tonen")
    assert "langer dan 10 seconden" in message
    assert "Afdrukken > Opslaan als PDF" in message
    assert "transparantie" in message


def test_ordinary_pages_pass_the_drawing_check_even_when_it_is_strict(
    seller, settings, django_capture_on_commit_callbacks
):
    settings.READER_PAGE_DRAW_SECONDS = 0.5
    version = _processed(seller, pdf_bytes(pages=6, colour_page=2), django_capture_on_commit_callbacks)
    assert version.status == VersionStatus.ACCEPTED
    assert version.page_count == 6


def test_pages_of_many_cheap_strokes_are_projected_not_drawn_whole(
    seller, django_capture_on_commit_callbacks
):
    """A technical drawing (20,000 strokes a page) costs per stroke, not per pixel: its
    thumbnail's time scaled by area says "too heavy", the sampled draw at full width says not."""
    version = _processed(seller, hostile.drawings_pdf(pages=3), django_capture_on_commit_callbacks)
    assert version.status == VersionStatus.ACCEPTED


def test_a_fraction_of_a_second_is_written_the_dutch_way():
    with translation.override("nl"):
        message = reason_text(Reason.PAGE_TOO_HEAVY, {"page": 3, "seconds": 2.5})
    assert message.startswith("Pagina 3 van dit PDF-bestand")
    assert "langer dan 2,5 seconden" in message
