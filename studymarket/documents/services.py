import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import Document, DocumentPage, DocumentVersion, TocEntry, VersionStatus
from studymarket.documents.pdf import OutlineItem, RenderedPage, pdf_open

_PDF_HEADER = b"%PDF-"
_WORD = re.compile(r"\w[\w'’-]*")
_TOC_TITLE_MAX = TocEntry._meta.get_field("title").max_length or 300
_NAME_MAX = DocumentVersion._meta.get_field("original_name").max_length or 255


def document_create(*, seller: SellerProfile, file: File, original_name: str) -> Document:
    """Store a seller's PDF privately as version 1 of a new document.

    On disk the file is named by its SHA-256 (``version_file_path``); the name the
    seller gave it is kept only as data, since it may be hostile ("../../etc/passwd.pdf").
    """
    file.seek(0)
    if file.read(len(_PDF_HEADER)) != _PDF_HEADER:
        raise ApplicationError(_("Dit bestand is geen PDF."))
    digest = hashlib.sha256()
    size = 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)

    # The storage path needs the document's id; the file is written outside any
    # transaction (object storage is an external call), so a failed write undoes the row.
    document = Document.objects.create(seller=seller)
    version = DocumentVersion(
        document=document,
        number=1,
        original_name=_plain_name(original_name),
        sha256=digest.hexdigest(),
        size_bytes=size,
    )
    field = DocumentVersion._meta.get_field("file")
    name = field.generate_filename(version, "upload.pdf")
    try:
        if field.storage.exists(name):
            # The name holds the content's hash: this is the same file, left by an earlier database.
            version.file.name = name
        else:
            version.file.name = field.storage.save(name, file, max_length=field.max_length)
    except BaseException:
        document.delete()
        raise
    with transaction.atomic():
        version.save()
        document.current_version = version
        document.save(update_fields=["current_version", "updated_at"])
        audit_record(action="document.created", obj=document, actor=seller.user, sha256=version.sha256)
    return document


def _plain_name(original_name: str) -> str:
    # Only for showing the seller what they uploaded: no folders, no control characters.
    name = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-_NAME_MAX:] or "document.pdf"


@dataclass(frozen=True)
class _Extracted:
    page_count: int
    texts: list[str]
    outline: list[OutlineItem]
    renders: dict[int, RenderedPage]


def document_version_extract(*, version: DocumentVersion, preview_page_count: int) -> DocumentVersion:
    """Page count, text of every page, outline and the preview images of the first pages.

    Idempotent: a second run gives the same rows and re-renders only preview images that
    are missing or were made at another width. Slow (renders images): run it in a task,
    never inside a transaction.
    """
    existing = {page.number: page for page in version.pages.all()}
    width = settings.PREVIEW_IMAGE_WIDTH
    extracted = _extract(version, existing, preview_page_count=preview_page_count, width=width)
    image_field = DocumentPage._meta.get_field("preview_image")

    pages: list[DocumentPage] = []  # new rows
    stale_images: list[str] = []
    changed: list[DocumentPage] = []
    for number, text in enumerate(extracted.texts, start=1):
        page = existing.get(number) or DocumentPage(version=version, number=number)
        before = _page_state(page)
        page.text = text
        page.word_count = len(_WORD.findall(text))
        rendered = extracted.renders.get(number)
        if rendered is not None:
            name = image_field.generate_filename(page, f"page-{number}.webp")
            image_field.storage.delete(name)  # a re-render replaces the file under the same name
            page.preview_image.name = image_field.storage.save(name, ContentFile(rendered.data))
            page.preview_width, page.preview_height = rendered.width, rendered.height
        elif number > preview_page_count and page.preview_image:
            stale_images.append(page.preview_image.name)
            page.preview_image.name = ""
            page.preview_width = page.preview_height = 0
        if page.pk is None:
            pages.append(page)
        elif _page_state(page) != before:
            changed.append(page)

    with transaction.atomic():
        DocumentPage.objects.bulk_create(pages)
        DocumentPage.objects.bulk_update(
            changed, ["text", "word_count", "preview_image", "preview_width", "preview_height"]
        )
        version.pages.filter(number__gt=extracted.page_count).delete()
        _toc_replace(version=version, outline=extracted.outline)
        version.page_count = extracted.page_count
        version.save(update_fields=["page_count", "updated_at"])
    for name in stale_images:
        image_field.storage.delete(name)
    return version


def _page_state(page: DocumentPage) -> tuple[object, ...]:
    return page.text, page.word_count, page.preview_image.name, page.preview_width, page.preview_height


def _extract(
    version: DocumentVersion, existing: dict[int, DocumentPage], *, preview_page_count: int, width: int
) -> _Extracted:
    storage = DocumentPage._meta.get_field("preview_image").storage
    with version.file.open("rb") as handle, pdf_open(handle) as pdf:
        count = pdf.page_count
        missing = [
            number
            for number in range(1, min(preview_page_count, count) + 1)
            if not _preview_current(existing.get(number), width=width, storage=storage)
        ]
        return _Extracted(
            page_count=count,
            texts=[pdf.page_text(number) for number in range(1, count + 1)],
            outline=pdf.outline(),
            renders=pdf.render_pages(missing, width=width),
        )


def _preview_current(page: DocumentPage | None, *, width: int, storage: Storage) -> bool:
    # A version's file never changes, so an image made at today's width can stay.
    return bool(
        page
        and page.preview_image
        and page.preview_width == width
        and storage.exists(page.preview_image.name)
    )


def _toc_replace(*, version: DocumentVersion, outline: list[OutlineItem]) -> None:
    wanted = [
        (position, item.level, item.title[:_TOC_TITLE_MAX], item.page)
        for position, item in enumerate(outline, 1)
    ]
    current = list(
        version.toc_entries.order_by("position").values_list("position", "level", "title", "page_number")
    )
    if current == wanted:
        return
    version.toc_entries.all().delete()
    TocEntry.objects.bulk_create(
        TocEntry(version=version, position=position, level=level, title=title, page_number=page)
        for position, level, title, page in wanted
    )


def document_version_publish(*, version: DocumentVersion) -> DocumentVersion:
    """Mark a version as live (its listing went public). "Already published" returns quietly."""
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.PUBLISHED:
            locked.status = VersionStatus.PUBLISHED
            locked.save(update_fields=["status", "updated_at"])
            audit_record(action="document_version.published", obj=locked)
    version.status = VersionStatus.PUBLISHED
    return version
