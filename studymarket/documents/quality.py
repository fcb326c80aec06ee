"""The quality card of a document: what a buyer wants to know about the file before paying,
read from what processing stored for its current version (documents/pages.py): typed or
scanned, how many words, which language, when it was last updated, how many pages have images,
and whether it has a table of contents. Nothing is measured again here."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from studymarket.documents.models import DocumentVersion

# The languages documents/language.py recognises, by name.
LANGUAGE_NAMES: dict[str, Promise] = {
    "nl": _("Nederlands"),
    "en": _("Engels"),
    "fr": _("Frans"),
    "de": _("Duits"),
}


class TextKind(StrEnum):
    TYPED = "typed"  # no scanned page: the text can be searched and copied
    MIXED = "mixed"  # some pages scanned
    SCANNED = "scanned"  # at least half of the pages scanned


@dataclass(frozen=True)
class DocumentQuality:
    version_number: int
    updated_at: datetime  # when the current version was uploaded
    page_count: int
    scanned_pages: int
    word_count: int
    language: str  # "nl", "en", "fr", "de"; "" when not recognised
    image_pages: int
    toc_entries: int

    @property
    def text_kind(self) -> TextKind:
        if not self.scanned_pages:
            return TextKind.TYPED
        return TextKind.SCANNED if self.scanned_pages * 2 >= self.page_count else TextKind.MIXED

    @property
    def language_name(self) -> str:
        name = LANGUAGE_NAMES.get(self.language)
        return str(name) if name else ""

    @property
    def has_toc(self) -> bool:
        return self.toc_entries > 0


def version_quality(*, version: DocumentVersion, toc_entry_count: int | None = None) -> DocumentQuality:
    """The card of ``version``, in one or two small counting queries (pages with images; the
    entries of the table of contents unless the caller, which already read them, gives their
    number); the rest is on the version's row."""
    return DocumentQuality(
        version_number=version.number,
        updated_at=version.created_at,
        page_count=version.page_count,
        scanned_pages=version.scanned_page_count,
        word_count=version.word_count,
        language=version.language,
        image_pages=version.pages.filter(has_images=True).count(),
        toc_entries=version.toc_entries.count() if toc_entry_count is None else toc_entry_count,
    )
