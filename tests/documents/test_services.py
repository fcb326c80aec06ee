import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from studymarket.core.errors import ApplicationError
from studymarket.documents.models import DocumentPage, DocumentVersion, TocEntry, VersionStatus
from studymarket.documents.pdf import reader
from studymarket.documents.services import document_create, document_version_extract, document_version_publish
from tests.documents.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

OUTLINE = [(1, "Hoofdstuk 1", 1), (2, "1.1 Appels", 2), (1, "Hoofdstuk 2", 4)]


def _version(seller, *, pages: int = 5, outline=OUTLINE, name: str = "samenvatting.pdf") -> DocumentVersion:
    document = document_create(
        seller=seller, file=ContentFile(pdf_bytes(pages=pages, outline=outline)), original_name=name
    )
    assert document.current_version is not None
    return document.current_version


def test_document_create_stores_version_one_privately_under_its_hash(seller):
    data = pdf_bytes(pages=2)
    document = document_create(seller=seller, file=ContentFile(data), original_name="Samenvatting H1.pdf")

    version = document.current_version
    assert version is not None
    assert (version.number, version.status, version.size_bytes) == (1, VersionStatus.UPLOADED, len(data))
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.file.name == f"documents/{document.pk}/{version.sha256}.pdf"
    assert version.original_name == "Samenvatting H1.pdf"
    with version.file.open("rb") as stored:
        assert stored.read() == data


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/etc/passwd.pdf"]
)
def test_document_create_never_uses_the_file_name_on_disk(seller, hostile):
    document = document_create(seller=seller, file=ContentFile(pdf_bytes(pages=1)), original_name=hostile)

    version = document.current_version
    assert version is not None
    assert version.file.name == f"documents/{document.pk}/{version.sha256}.pdf"
    assert not any(part in version.file.name for part in ("..", "passwd", "win"))
    assert version.original_name == hostile.replace("\\", "/").rsplit("/", 1)[-1]


def test_document_create_refuses_what_is_not_a_pdf(seller):
    with pytest.raises(ApplicationError):
        document_create(seller=seller, file=ContentFile(b"<html>hallo</html>"), original_name="x.pdf")
    assert not DocumentVersion.objects.exists()


def test_extract_fills_pages_previews_and_toc(seller, settings):
    settings.PREVIEW_IMAGE_WIDTH = 500
    version = _version(seller, pages=5)

    document_version_extract(version=version, preview_page_count=2)

    version.refresh_from_db()
    assert version.page_count == 5
    pages = list(version.pages.order_by("number"))
    assert [page.number for page in pages] == [1, 2, 3, 4, 5]
    assert pages[2].text == "Pagina 3 over appels en peren"
    assert pages[2].word_count == 6  # "3" counts, as in word processors
    assert [bool(page.preview_image) for page in pages] == [True, True, False, False, False]
    first = pages[0]
    assert first.preview_image.name == f"previews/{version.document_id}/{version.pk}/page-1.webp"
    with first.preview_image.open("rb") as image_file:
        image = Image.open(io.BytesIO(image_file.read()))
    assert (image.format, image.width) == ("WEBP", 500)
    assert (first.preview_width, first.preview_height) == image.size
    assert list(version.toc_entries.values_list("position", "level", "title", "page_number")) == [
        (1, 1, "Hoofdstuk 1", 1),
        (2, 2, "1.1 Appels", 2),
        (3, 1, "Hoofdstuk 2", 4),
    ]


def _rows(version: DocumentVersion) -> tuple[list[tuple], list[tuple]]:
    pages = DocumentPage.objects.filter(version=version).order_by("number")
    toc = TocEntry.objects.filter(version=version).order_by("position")
    return (
        list(pages.values_list("pk", "number", "text", "word_count", "preview_image", "preview_width")),
        list(toc.values_list("pk", "position", "level", "title", "page_number")),
    )


def test_extract_twice_gives_the_same_rows_and_renders_nothing_again(seller, monkeypatch):
    version = _version(seller, pages=4)
    document_version_extract(version=version, preview_page_count=2)
    before = _rows(version)
    rendered: list[list[int]] = []
    original = reader.render_pages_webp

    def counting(document, indexes, **options):
        rendered.append(list(indexes))
        return original(document, indexes, **options)

    monkeypatch.setattr(reader, "render_pages_webp", counting)

    document_version_extract(version=version, preview_page_count=2)

    assert _rows(version) == before
    assert rendered == [[]]


def test_extract_renders_a_preview_whose_file_went_missing(seller):
    version = _version(seller, pages=3)
    document_version_extract(version=version, preview_page_count=2)
    page = version.pages.get(number=2)
    page.preview_image.storage.delete(page.preview_image.name)

    document_version_extract(version=version, preview_page_count=2)

    page.refresh_from_db()
    assert page.preview_image.storage.exists(page.preview_image.name)


def test_fewer_preview_pages_removes_the_images_beyond(seller):
    version = _version(seller, pages=4)
    document_version_extract(version=version, preview_page_count=3)
    third = version.pages.get(number=3)
    name = third.preview_image.name

    document_version_extract(version=version, preview_page_count=1)

    third.refresh_from_db()
    assert (third.preview_image.name, third.preview_width, third.preview_height) == ("", 0, 0)
    assert not third.preview_image.storage.exists(name)
    assert list(version.pages.exclude(preview_image="").values_list("number", flat=True)) == [1]


def test_publish_version_once(seller):
    version = _version(seller, pages=1)

    document_version_publish(version=version)
    document_version_publish(version=version)

    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
