"""Word and OpenDocument uploads become PDFs with LibreOffice, when it is installed."""

import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from studymarket.documents.models import VersionStatus
from studymarket.documents.processing import document_version_process
from studymarket.documents.reasons import Reason
from studymarket.documents.services import document_upload
from tests.data_files import stored_files, workspaces
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(paragraphs: list[str]) -> bytes:
    """The smallest .docx Word and LibreOffice open."""
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>',
        )
    return out.getvalue()


def _fake_soffice(tmp_path: Path, script: str) -> str:
    """A stand-in for LibreOffice's command: same arguments, a script for what it does."""
    path = tmp_path / "soffice"
    path.write_text(
        "#!/bin/sh\n"
        'out=""; for arg in "$@"; do case "$prev" in --outdir) out="$arg";; esac; prev="$arg"; done\n'
        + script
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def _docx_version(seller, paragraphs=("Hallo",)):
    return document_upload(
        seller=seller, file=ContentFile(docx_bytes(list(paragraphs))), original_name="verslag.docx"
    )


def test_without_libreoffice_the_seller_is_told_to_upload_a_pdf(
    seller, settings, django_capture_on_commit_callbacks
):
    settings.SOFFICE_PATH = "/nonexistent/soffice"
    version = _docx_version(seller)

    with django_capture_on_commit_callbacks(execute=True):
        version = document_version_process(version_id=version.pk)

    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.CONVERSION_UNAVAILABLE)
    assert stored_files("private") == []
    assert workspaces() == []


def test_a_converted_document_goes_through_the_pdf_pipeline(seller, settings, tmp_path):
    converted = tmp_path / "converted.pdf"
    converted.write_bytes(pdf_bytes(pages=2))
    settings.SOFFICE_PATH = _fake_soffice(tmp_path, f'cp {converted} "$out/document.pdf"\n')
    version = _docx_version(seller)
    original = version.file.name

    version = document_version_process(version_id=version.pk)

    assert (version.status, version.source_format, version.page_count) == (VersionStatus.ACCEPTED, "docx", 2)
    assert version.file.name == original.replace(".docx", ".pdf")
    assert stored_files("private") == [version.file.name]  # the .docx itself is not kept
    assert version.pages.get(number=1).text == "Pagina 1 over appels en peren"


def test_a_document_libreoffice_cannot_convert(
    seller, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SOFFICE_PATH = _fake_soffice(
        tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1\n"
    )
    version = _docx_version(seller)

    with django_capture_on_commit_callbacks(execute=True):
        version = document_version_process(version_id=version.pk)

    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.CONVERSION_FAILED)
    assert stored_files("private") == []
    assert workspaces() == []


def test_a_conversion_that_hangs_is_stopped(seller, settings, tmp_path):
    settings.SOFFICE_PATH = _fake_soffice(tmp_path, "sleep 30 & sleep 30\n")
    settings.PROCESSING_TIME_LIMIT_SECONDS = 1

    version = document_version_process(version_id=_docx_version(seller).pk)

    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.TIMEOUT)
    assert workspaces() == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_a_real_docx(seller, settings):
    settings.SOFFICE_PATH = "soffice"
    version = _docx_version(seller, ["Samenvatting marketing", "De marketingmix heeft vier onderdelen."])

    version = document_version_process(version_id=version.pk)

    assert (version.status, version.page_count) == (VersionStatus.ACCEPTED, 1)
    assert "De marketingmix heeft vier onderdelen." in version.pages.get(number=1).text
