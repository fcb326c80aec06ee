import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.reasons import Reason
from studymarket.documents.services import (
    UploadRejected,
    document_create,
    document_upload,
    document_version_accept,
    document_version_extract,
)
from tests.data_files import stored_files
from tests.factories import SellerFactory
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

OUTLINE = [(1, "Hoofdstuk 1", 1), (2, "1.1 Appels", 2), (1, "Hoofdstuk 2", 4)]


def _upload(seller, data: bytes, name: str = "samenvatting.pdf", **options) -> DocumentVersion:
    return document_upload(seller=seller, file=ContentFile(data), original_name=name, **options)


def test_upload_stores_version_one_privately_under_its_hash(seller):
    data = pdf_bytes(pages=2)

    version = _upload(seller, data, "Samenvatting H1.pdf")

    assert (version.number, version.status, version.size_bytes, version.source_format) == (
        1,
        VersionStatus.UPLOADED,
        len(data),
        "pdf",
    )
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.file.name == f"documents/{version.document_id}/{version.sha256}.pdf"
    assert version.original_name == "Samenvatting H1.pdf"
    with version.file.open("rb") as stored:
        assert stored.read() == data
    assert version.document.current_version is None  # not before it is accepted
    assert AuditEvent.objects.filter(action="document_version.uploaded", object_id=str(version.pk)).exists()


def test_storing_an_upload_queues_nothing(seller, django_capture_on_commit_callbacks):
    # Processing is queued by the seller's journey (selling.services.upload_store), not here.
    with django_capture_on_commit_callbacks() as callbacks:
        _upload(seller, pdf_bytes(pages=1))
    assert callbacks == []


def test_a_new_version_of_a_document(seller):
    first = _upload(seller, pdf_bytes(pages=2))

    second = _upload(seller, pdf_bytes(pages=3), "v2.pdf", document=first.document)

    assert (second.document_id, second.number) == (first.document_id, 2)
    assert list(first.document.versions.values_list("number", flat=True)) == [2, 1]
    assert first.file.storage.exists(first.file.name)  # earlier versions are kept


def test_a_new_version_only_of_ones_own_document(seller):
    first = _upload(seller, pdf_bytes(pages=2))

    with pytest.raises(ApplicationError):
        _upload(SellerFactory(), pdf_bytes(pages=3), document=first.document)
    assert first.document.versions.count() == 1


def test_the_same_file_twice_is_stored_once(seller):
    data = pdf_bytes(pages=1)
    first = _upload(seller, data)

    second = _upload(seller, data, document=first.document)

    assert second.file.name == first.file.name
    assert stored_files("private") == [first.file.name]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "leeg.pdf", Reason.EMPTY),
        (b"<html><body>hallo</body></html>", "pagina.pdf", Reason.NOT_PDF),
        (b"just some text", "notities.txt", Reason.NOT_PDF),
        (b"PK\x03\x04 not really a zip", "archief.zip", Reason.UNSUPPORTED_TYPE),
        (b"%PDF-1.7 fine", "../../etc/passwd.pdf", Reason.UNSAFE_NAME),
        (b"%PDF-1.7 fine", "..\\..\\windows\\win.ini.pdf", Reason.UNSAFE_NAME),
    ],
)
def test_cheap_checks_refuse_before_anything_is_stored(seller, data, name, code):
    with pytest.raises(UploadRejected) as refused:
        _upload(seller, data, name)

    assert refused.value.code == code
    assert refused.value.message
    assert not Document.objects.exists()
    assert stored_files("private") == []


def test_too_large_is_refused_by_size_before_reading(seller, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024

    with pytest.raises(UploadRejected) as refused:
        _upload(seller, pdf_bytes(pages=1) + b"\0" * (1024 * 1024))

    assert (refused.value.code, refused.value.params) == (Reason.TOO_LARGE, {"max_mb": 1})
    assert "groter dan 1 MB" in refused.value.message


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("members", "source_format"),
    [
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}, "docx"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}, "odt"),
    ],
)
def test_word_and_opendocument_files_are_taken_by_their_content(seller, members, source_format):
    version = _upload(seller, _zip(members), f"verslag.{source_format}")

    assert version.source_format == source_format
    assert version.file.name.endswith(f".{source_format}")


def test_a_spreadsheet_is_not_a_document(seller):
    spreadsheet = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    with pytest.raises(UploadRejected) as refused:
        _upload(seller, spreadsheet, "cijfers.ods")
    assert refused.value.code == Reason.UNSUPPORTED_TYPE


def test_a_failed_write_leaves_no_rows(seller, monkeypatch):
    storage = DocumentVersion._meta.get_field("file").storage

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        _upload(seller, pdf_bytes(pages=1))
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


# --- The demo data's way in: document_create + document_version_extract -------------------


def _created(seller, *, pages: int = 5, outline=OUTLINE) -> DocumentVersion:
    document = document_create(
        seller=seller, file=ContentFile(pdf_bytes(pages=pages, outline=outline)), original_name="demo.pdf"
    )
    assert document.current_version is not None
    return document.current_version


def test_document_create_makes_a_current_version_at_once(seller):
    version = _created(seller, pages=2)

    assert version.status == VersionStatus.UPLOADED
    assert version.document.current_version == version
    assert version.file.name == f"documents/{version.document_id}/{version.sha256}.pdf"


def test_document_create_takes_only_pdfs(seller):
    with pytest.raises(UploadRejected):
        document_create(seller=seller, file=ContentFile(b"<html></html>"), original_name="x.pdf")
    assert not DocumentVersion.objects.exists()


def test_extract_fills_pages_previews_thumbnails_and_toc(seller, settings):
    settings.PREVIEW_IMAGE_WIDTH = 500
    version = _created(seller, pages=5)

    document_version_extract(version=version, preview_page_count=2)

    version.refresh_from_db()
    assert (version.page_count, version.word_count, version.language, version.toc_source) == (
        5,
        30,
        "nl",
        "outline",
    )
    pages = list(version.pages.order_by("number"))
    assert [page.number for page in pages] == [1, 2, 3, 4, 5]
    assert pages[2].text == "Pagina 3 over appels en peren"
    assert pages[2].word_count == 6  # "3" counts, as in word processors
    assert [bool(page.preview_image) for page in pages] == [True, True, False, False, False]
    assert [page.thumbnail_blurred for page in pages] == [False, False, True, True, True]
    assert all(page.thumbnail for page in pages)
    first = pages[0]
    assert first.preview_image.name.startswith(f"previews/{version.document_id}/{version.pk}/page-1-")
    with first.preview_image.open("rb") as image_file:
        image = Image.open(io.BytesIO(image_file.read()))
    assert (image.format, image.width) == ("WEBP", 500)
    assert (first.preview_width, first.preview_height) == image.size
    assert list(version.toc_entries.values_list("position", "level", "title", "page_number")) == [
        (1, 1, "Hoofdstuk 1", 1),
        (2, 2, "1.1 Appels", 2),
        (3, 1, "Hoofdstuk 2", 4),
    ]
    assert version.status == VersionStatus.UPLOADED  # accepted with its listing (selling)


def test_extract_twice_gives_the_same_pages_and_files(seller):
    version = _created(seller, pages=4)
    document_version_extract(version=version, preview_page_count=2)
    before = (
        list(version.pages.values_list("number", "text", "word_count", "preview_image", "thumbnail")),
        list(version.toc_entries.values_list("position", "level", "title", "page_number")),
        stored_files("public"),
    )

    document_version_extract(version=version, preview_page_count=2)

    after = (
        list(version.pages.values_list("number", "text", "word_count", "preview_image", "thumbnail")),
        list(version.toc_entries.values_list("position", "level", "title", "page_number")),
        stored_files("public"),
    )
    assert after == before


def test_fewer_preview_pages_removes_the_images_beyond(seller, django_capture_on_commit_callbacks):
    version = _created(seller, pages=4)
    document_version_extract(version=version, preview_page_count=3)
    third = version.pages.get(number=3)

    with django_capture_on_commit_callbacks(execute=True):
        document_version_extract(version=version, preview_page_count=1)

    third_now = version.pages.get(number=3)
    assert (third_now.preview_image.name, third_now.preview_width, third_now.thumbnail_blurred) == (
        "",
        0,
        True,
    )
    assert not third.preview_image.storage.exists(third.preview_image.name)
    assert not third.thumbnail.storage.exists(third.thumbnail.name)  # the clear one is gone
    assert list(version.pages.exclude(preview_image="").values_list("number", flat=True)) == [1]


def test_accept_a_created_version_once(seller):
    version = _created(seller, pages=1)

    document_version_accept(version=version)
    document_version_accept(version=version)

    version.refresh_from_db()
    assert version.status == VersionStatus.ACCEPTED
    assert (
        AuditEvent.objects.filter(action="document_version.accepted", object_id=str(version.pk)).count() == 1
    )
