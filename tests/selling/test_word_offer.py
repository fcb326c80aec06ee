"""Word and OpenDocument files are offered only where LibreOffice can convert them; without it
the form, its help text and the picker's accept= say PDF only, and a Word file sent anyway is
refused at once on the form, before anything is stored: never accepted and then refused."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from studymarket.documents.models import Document
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from tests.documents.test_conversion import docx_bytes
from tests.factories import SellerFactory
from tests.logins import MODEL_BACKEND
from tests.selling.test_upload import UPLOAD, tasks_on_commit

pytestmark = pytest.mark.django_db

_OFFICE_ACCEPT = (
    'accept=".pdf,.docx,.odt,application/pdf,'
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    'application/vnd.oasis.opendocument.text"'
)


@pytest.fixture
def seller_client(client):
    client.force_login(SellerFactory().user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def without_libreoffice(settings):
    settings.SOFFICE_PATH = "/nonexistent/soffice"


@pytest.fixture
def with_libreoffice(settings, tmp_path):
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\nexit 1\n")
    soffice.chmod(0o755)
    settings.SOFFICE_PATH = str(soffice)


def test_without_libreoffice_the_form_offers_pdf_only(seller_client, without_libreoffice):
    html = seller_client.get(UPLOAD).content.decode()

    assert 'accept=".pdf,application/pdf"' in html
    assert ".docx" not in html
    assert "Word (.docx)" not in html
    help_text = (
        "PDF, tot 50,0\xa0MB. Een Word-document sla je eerst op als PDF (Bestand > Opslaan als > PDF)."
    )
    assert help_text in html
    assert escape(reason_text(Reason.NOT_PDF)) in html  # upload.js's words for another type


def test_with_libreoffice_the_form_offers_word_and_opendocument(seller_client, with_libreoffice):
    html = seller_client.get(UPLOAD).content.decode()

    assert _OFFICE_ACCEPT in html
    assert "PDF, Word (.docx) of OpenDocument (.odt), tot 50,0\xa0MB." in html


def test_without_libreoffice_a_word_file_is_refused_before_it_is_stored(seller_client, without_libreoffice):
    with tasks_on_commit():
        response = seller_client.post(
            UPLOAD, {"file": SimpleUploadedFile("verslag.docx", docx_bytes(["Hallo"]))}
        )

    assert response.status_code == 200  # the form again, with the reason at the file field
    assert escape(reason_text(Reason.CONVERSION_UNAVAILABLE)) in response.content.decode()
    assert not Document.objects.exists()


def test_without_libreoffice_an_unknown_type_is_told_to_send_a_pdf(seller_client, without_libreoffice):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("iets.txt", "geen document")
    response = seller_client.post(UPLOAD, {"file": SimpleUploadedFile("map.zip", archive.getvalue())})

    html = response.content.decode()
    assert escape(reason_text(Reason.NOT_PDF)) in html
    assert "Word- (.docx)" not in html
    assert not Document.objects.exists()


def test_with_libreoffice_a_word_file_is_stored_and_processed(seller_client, with_libreoffice):
    response = seller_client.post(UPLOAD, {"file": SimpleUploadedFile("verslag.docx", docx_bytes(["Hallo"]))})

    assert response.status_code == 302
    assert Document.objects.get().versions.get().source_format == "docx"
