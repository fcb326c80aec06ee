"""Storing what the PDF pass found (page rows, their images, the table of contents, the quality
card), and removing a refused version's files.

Images are named after their content ("thumbnail-3-<hash>.webp"), so a URL never shows an old
image (a page that was blurred and no longer is gets a new name), a second run writes nothing
new, and files are deleted only after the rows that named them are gone.
"""

import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from studymarket.documents.extraction import ExtractionResult, Image, PageResult
from studymarket.documents.language import text_language
from studymarket.documents.models import DocumentPage, DocumentVersion, TocEntry, preview_image_path
from studymarket.documents.pdf import OutlineItem

_DIGEST_CHARS = 12
_TOC_TITLE_MAX = TocEntry._meta.get_field("title").max_length or 300
_IMAGE_FIELDS = ("thumbnail", "preview_image")


def version_results_store(*, version: DocumentVersion, result: ExtractionResult) -> DocumentVersion:
    """Replace the version's pages and table of contents with what the pass found."""
    rows = []
    existing = _existing_images(version)
    for page in result.pages:
        row = DocumentPage(
            version=version,
            number=page.number,
            text=page.text,
            word_count=page.words,
            has_images=page.has_images,
            is_scanned=page.is_scanned,
        )
        _images_put(row, page, existing)
        rows.append(row)
    texts = [page.text for page in result.pages]
    with transaction.atomic():
        old = _image_names(version.pages.all())
        version.pages.all().delete()
        DocumentPage.objects.bulk_create(rows)
        _toc_replace(version=version, toc=result.toc)
        version.page_count = version.pages_processed = result.page_count
        version.word_count = sum(page.words for page in result.pages)
        version.scanned_page_count = sum(page.is_scanned for page in result.pages)
        version.language = text_language(texts)
        version.toc_source = result.toc_source
        version.save(
            update_fields=[
                "page_count",
                "pages_processed",
                "word_count",
                "scanned_page_count",
                "language",
                "toc_source",
                "updated_at",
            ]
        )
        _delete_after_commit(old - _image_names(rows))
    return version


def page_images_update(
    *, version: DocumentVersion, result: ExtractionResult, unpreviewed: Iterable[int]
) -> None:
    """Store the images of the pages drawn again, and take the preview image off the pages
    numbered in ``unpreviewed`` (no longer shown before purchase)."""
    drawn = {page.number: page for page in result.pages}
    unpreviewed = set(unpreviewed)
    with transaction.atomic():
        rows = list(version.pages.select_for_update().filter(number__in=drawn.keys() | unpreviewed))
        old = _image_names(rows)
        existing = _existing_images(version)
        for row in rows:
            if row.number in unpreviewed:
                row.preview_image.name = ""
                row.preview_width = row.preview_height = 0
            if row.number in drawn:
                _images_put(row, drawn[row.number], existing)
        DocumentPage.objects.bulk_update(
            rows, ["thumbnail", "thumbnail_blurred", "preview_image", "preview_width", "preview_height"]
        )
        _delete_after_commit(old - _image_names(rows))


def version_files_discard(*, version: DocumentVersion) -> None:
    """A refused version keeps its row and reason, not the seller's file nor anything made
    from it."""
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        names = _image_names(locked.pages.all())
        private = locked.file.name
        locked.pages.all().delete()
        locked.toc_entries.all().delete()
        locked.file.name = ""
        locked.save(update_fields=["file", "updated_at"])
        # Another version of the document may be the same file (uploaded twice).
        shared = bool(private) and DocumentVersion.objects.filter(file=private).exclude(pk=locked.pk).exists()
        storage = DocumentVersion._meta.get_field("file").storage
        if private and not shared:
            transaction.on_commit(lambda: storage.delete(private))
        _delete_after_commit(names)
    version.file.name = ""


def _images_put(row: DocumentPage, page: PageResult, existing: set[str]) -> None:
    row.thumbnail.name = _image_save(row.thumbnail, f"thumbnail-{page.number}", page.thumbnail, existing)
    row.thumbnail_blurred = page.thumbnail_blurred
    if page.preview is not None:
        row.preview_image.name = _image_save(row.preview_image, f"page-{page.number}", page.preview, existing)
        row.preview_width, row.preview_height = page.preview.width, page.preview.height


def _image_save(field_file: FieldFile, stem: str, image: Image, existing: set[str]) -> str:
    data = image.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:_DIGEST_CHARS]
    name = field_file.field.generate_filename(field_file.instance, f"{stem}-{digest}.webp")
    if name in existing:
        return name
    return str(field_file.storage.save(name, ContentFile(data), max_length=field_file.field.max_length))


def _existing_images(version: DocumentVersion) -> set[str]:
    """The version's image files already stored: one listing instead of a look-up per image."""
    folder = preview_image_path(DocumentPage(version=version), "")
    storage = DocumentPage._meta.get_field("thumbnail").storage
    try:
        return {folder + name for name in storage.listdir(folder)[1]}
    except FileNotFoundError:
        return set()


def _image_names(rows: Iterable[DocumentPage]) -> set[str]:
    return {getattr(row, field).name for row in rows for field in _IMAGE_FIELDS if getattr(row, field).name}


def _delete_after_commit(names: set[str]) -> None:
    if not names:
        return
    storage = DocumentPage._meta.get_field("thumbnail").storage

    def delete() -> None:
        for name in sorted(names):
            storage.delete(name)

    transaction.on_commit(delete)


def _toc_replace(*, version: DocumentVersion, toc: list[OutlineItem]) -> None:
    version.toc_entries.all().delete()
    TocEntry.objects.bulk_create(
        TocEntry(
            version=version,
            position=position,
            level=item.level,
            title=_toc_title(item.title),
            page_number=item.page,
        )
        for position, item in enumerate(toc, 1)
    )


def _toc_title(title: str) -> str:
    """The title whole; one longer than the column (a paragraph in a bookmark) is cut after a
    word and ends in "…", never inside a word."""
    if len(title) <= _TOC_TITLE_MAX:
        return title
    cut = title[: _TOC_TITLE_MAX - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"
