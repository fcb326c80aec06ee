import hashlib
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.storage import storage_reached
from studymarket.documents.extraction import (
    ExtractionRejected,
    extract_job,
    extraction_run,
    extraction_workspace,
    stored_file_local,
)
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.pages import version_results_store
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.documents.sniffing import HEAD_BYTES, NotAcceptable, upload_format
from studymarket.documents.transitions import document_version_transition

_NAME_MAX = DocumentVersion._meta.get_field("original_name").max_length or 255


class UploadRejected(ApplicationError):
    """Refused before anything was stored; ``code`` is a documents.reasons.Reason."""

    def __init__(self, code: Reason, params: dict[str, Any] | None = None) -> None:
        self.code = code
        self.params = params or {}
        super().__init__(reason_text(code, self.params), extra={"code": code.value, **self.params})


def document_upload(
    *,
    seller: SellerProfile,
    file: File,
    original_name: str,
    document: Document | None = None,
) -> DocumentVersion:
    """Store a seller's upload privately as a new document, or as the next version of
    ``document`` ("Nieuwe versie uploaden"). Processing it is the caller's business
    (selling.services.upload_store queues it; ``manage.py ingest`` runs it at once).

    Checks that need only the bytes come first and store nothing when they refuse (UploadRejected):
    a name with folders in it, empty, over UPLOAD_MAX_BYTES, neither a PDF from byte 0 nor a
    Word/OpenDocument file. On disk the file is named by its SHA-256, never by the seller.
    """
    name = _upload_name(original_name)
    source_format = upload_bytes_check(file)
    if document is not None and document.seller_id != seller.pk:
        raise ApplicationError(_("Je kunt alleen een nieuwe versie van je eigen document uploaden."))
    return _version_store(
        seller=seller, document=document, file=file, original_name=name, source_format=source_format
    )


def upload_bytes_check(file: File) -> str:
    """The checks that need only the bytes, for any PDF a person sends us (an upload, a rights
    holder's work): not empty, not over UPLOAD_MAX_BYTES, a PDF from byte 0 or a Word/OpenDocument
    file. Returns the format ("pdf", ...); raises UploadRejected with the reason."""
    size = file.size
    if not size:
        raise UploadRejected(Reason.EMPTY)
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(Reason.TOO_LARGE, {"max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
    file.seek(0)
    try:
        return upload_format(file.read(HEAD_BYTES), file)
    except NotAcceptable as refused:
        raise UploadRejected(refused.code, refused.params) from None


def _upload_name(original_name: str) -> str:
    # Browsers send a bare name; folders in it ("../../etc/passwd.pdf") mean a crafted request.
    if "/" in original_name or "\\" in original_name or original_name.strip() in (".", ".."):
        raise UploadRejected(Reason.UNSAFE_NAME)
    return _plain_name(original_name)


def _plain_name(original_name: str) -> str:
    # Only for showing the seller what they uploaded: no folders, no control characters.
    name = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-_NAME_MAX:] or "document.pdf"


def _version_store(
    *, seller: SellerProfile, document: Document | None, file: File, original_name: str, source_format: str
) -> DocumentVersion:
    digest = hashlib.sha256()
    size = 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    field = DocumentVersion._meta.get_field("file")
    created = document is None
    with transaction.atomic():
        if document is None:
            document = Document.objects.create(seller=seller)
        else:
            document = Document.objects.select_for_update().get(pk=document.pk)
        number = (document.versions.aggregate(Max("number"))["number__max"] or 0) + 1
        version = DocumentVersion(
            document=document,
            number=number,
            original_name=original_name,
            sha256=digest.hexdigest(),
            size_bytes=size,
            source_format=source_format,
        )
        version.file.name = field.generate_filename(version, f"upload.{source_format}")
        version.save()
        audit_record(
            action="document_version.uploaded",
            obj=version,
            actor=seller.user,
            sha256=version.sha256,
            number=number,
        )
    # The file is written after the rows (its path holds the document's id) and outside the
    # transaction (object storage is an external call); a failed write takes the rows back,
    # and a store that does not answer says so (StorageUnavailable: try again in a minute).
    try:
        with storage_reached():
            if not field.storage.exists(version.file.name):
                # The name holds the content's hash: an existing file is this same file.
                version.file.name = field.storage.save(version.file.name, file, max_length=field.max_length)
                DocumentVersion.objects.filter(pk=version.pk).update(file=version.file.name)
    except BaseException:
        version.delete()
        if created:
            document.delete()
        raise
    return version


def document_create(*, seller: SellerProfile, file: File, original_name: str) -> Document:
    """Store a PDF the platform made itself (the demo data) as version 1 of a new document,
    current at once; ``document_version_extract`` reads it. Uploads go through ``document_upload``.
    """
    file.seek(0)
    try:
        source_format = upload_format(file.read(HEAD_BYTES), file)
    except NotAcceptable as refused:
        raise UploadRejected(refused.code, refused.params) from None
    if source_format != "pdf":
        raise UploadRejected(Reason.NOT_PDF)
    version = _version_store(
        seller=seller, document=None, file=file, original_name=_plain_name(original_name), source_format="pdf"
    )
    document = version.document
    with transaction.atomic():
        document.current_version = version
        document.save(update_fields=["current_version", "updated_at"])
        audit_record(action="document.created", obj=document, actor=seller.user, sha256=version.sha256)
    return document


def document_version_extract(*, version: DocumentVersion, preview_page_count: int) -> DocumentVersion:
    """Pages, text, table of contents, thumbnails and the first ``preview_page_count`` preview
    images of a PDF the platform made itself, read in this process (no child process: it is
    not a stranger's file, and the demo loads dozens). Uploads go through the pipeline
    (processing.document_version_process). Running it again gives the same result.
    """
    with extraction_workspace() as workdir:
        source = stored_file_local(version.file, workdir / "source.pdf")
        job = extract_job(source, workdir, text=True, preview_count=preview_page_count)
        try:
            result = extraction_run(job, sandbox=False)
        except ExtractionRejected as rejected:
            raise ApplicationError(reason_text(rejected.code, rejected.params)) from None
        return version_results_store(version=version, result=result)


def document_version_accept(*, version: DocumentVersion) -> DocumentVersion:
    """Accept a version the platform processed itself (the demo data's, as its listing goes on
    sale); one the pipeline or staff accepted stays as it is. "Already accepted" returns quietly."""
    moved, _changed = document_version_transition(version_id=version.pk, to=VersionStatus.ACCEPTED)
    version.status = moved.status
    return version
