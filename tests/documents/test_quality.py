"""The quality card, read from what processing stored (documents/quality.py), and the table of
contents' titles kept whole (issue 16, defect 4)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from studymarket.documents.models import DocumentPage, TocEntry
from studymarket.documents.pages import _toc_title
from studymarket.documents.quality import TextKind, version_quality
from tests.factories import DocumentVersionFactory

pytestmark = pytest.mark.django_db

UPLOADED = datetime(2021, 7, 30, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _version(*, pages: int, scanned: int = 0, images: int = 0, toc: int = 0, **fields):
    version = DocumentVersionFactory(
        page_count=pages, scanned_page_count=scanned, word_count=31245, language="nl", **fields
    )
    DocumentPage.objects.bulk_create(
        DocumentPage(version=version, number=n, has_images=n <= images) for n in range(1, pages + 1)
    )
    TocEntry.objects.bulk_create(
        TocEntry(version=version, position=n, title=f"Hoofdstuk {n}") for n in range(1, toc + 1)
    )
    DocumentVersionFactory._meta.model.objects.filter(pk=version.pk).update(created_at=UPLOADED)
    version.refresh_from_db()
    return version


def test_the_card_of_a_typed_document(django_assert_num_queries):
    version = _version(pages=102, images=4, toc=54, number=2)

    with django_assert_num_queries(2):  # pages with images, entries of the table of contents
        quality = version_quality(version=version)

    assert quality.text_kind == TextKind.TYPED
    assert (quality.word_count, quality.language_name, quality.image_pages) == (31245, "Nederlands", 4)
    assert (quality.page_count, quality.has_toc, quality.toc_entries) == (102, True, 54)
    assert (quality.updated_at, quality.version_number) == (UPLOADED, 2)


@pytest.mark.parametrize(
    ("scanned", "kind"),
    [(0, TextKind.TYPED), (1, TextKind.MIXED), (4, TextKind.MIXED), (5, TextKind.SCANNED)],
)
def test_scanned_from_half_of_the_pages(scanned, kind):
    assert version_quality(version=_version(pages=10, scanned=scanned)).text_kind == kind


def test_without_table_of_contents_or_a_known_language():
    version = _version(pages=3)
    version.language = ""

    quality = version_quality(version=version)

    assert (quality.has_toc, quality.language_name, quality.image_pages) == (False, "", 0)


def test_a_toc_title_is_kept_whole_and_a_too_long_one_cut_after_a_word():
    assert _toc_title("Hoofdstuk 6: Nieuwe inzichten (nieuw in versie 2)") == (
        "Hoofdstuk 6: Nieuwe inzichten (nieuw in versie 2)"
    )
    long = "Een bladwijzer die een hele alinea is, " * 20
    cut = _toc_title(long)
    assert len(cut) <= 300
    assert cut.endswith("…")
    assert long.startswith(cut[:-1])
    assert cut[-2] != " "
    assert long[len(cut) - 1] == " "
