"""The upload pipeline: an uploaded version becomes accepted, held for review, rejected (with
its reason) or failed (to be retried). See docs/state-machines.md.

Every step is safe to run again: the claim (uploaded/failed → processing) lets one worker in;
results replace what an earlier, interrupted run left; a version that was killed mid-run
(heartbeat gone stale) is found by ``document_versions_unfinished``. Queuing the work is the
seller's journey's (selling.tasks): this module only does it.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from studymarket.documents.conversion import pdf_convert
from studymarket.documents.extraction import (
    ExtractionBroken,
    ExtractionRejected,
    ExtractionResult,
    extract_job,
    extraction_run,
    extraction_workspace,
    extraction_workspaces_prune,
    stored_file_local,
)
from studymarket.documents.models import DocumentPage, DocumentVersion, VersionStatus
from studymarket.documents.originality import Verdict, originality_check
from studymarket.documents.pages import page_images_update, version_files_discard, version_results_store
from studymarket.documents.previews import preview_page_count_max
from studymarket.documents.reasons import Reason
from studymarket.documents.rights_mail import rights_holder_held_notify_quietly
from studymarket.documents.rights_matching import rights_holder_check
from studymarket.documents.transitions import document_version_transition

logger = logging.getLogger(__name__)

# A version that fails (or whose worker dies) this often is left failed for a person to look at.
MAX_ATTEMPTS = 3
# Progress is written every this many pages or seconds, whichever comes first.
_HEARTBEAT_PAGES = 10
_HEARTBEAT_SECONDS = 0.5


def document_version_process(*, version_id: int) -> DocumentVersion:
    """Process an uploaded (or failed) version; any other state returns it as it is."""
    version, claimed = document_version_transition(version_id=version_id, to=VersionStatus.PROCESSING)
    if not claimed:
        return version
    try:
        with extraction_workspace() as workdir:
            source = _local_pdf(version, workdir)
            job = extract_job(source, workdir, text=True, by_length=True)
            result = extraction_run(job, progress=_heartbeat(version_id))
            version_results_store(version=version, result=result)
        verdict = originality_check(version=version).verdict
        # An exact copy is refused anyway; anything else may still repeat a registered work.
        rights = rights_holder_check(version=version) if verdict != Verdict.EXACT else None
    except ExtractionRejected as rejected:
        return _reject(version, rejected.code, rejected.params)
    except Exception:
        # Ours, not the file's (storage, database, a bug): the version may be tried again.
        logger.exception("Processing document version %s failed", version_id)
        version, _ = document_version_transition(
            version_id=version_id, to=VersionStatus.FAILED, reason=Reason.PROCESSING_ERROR
        )
        return version
    if verdict == Verdict.EXACT:
        return _reject(version, Reason.EXACT_COPY, {})
    held_for_rights = rights is not None and rights.held
    held = verdict == Verdict.NEAR or held_for_rights
    target = VersionStatus.HELD_FOR_REVIEW if held else VersionStatus.ACCEPTED
    version, moved = document_version_transition(version_id=version_id, to=target)
    if moved and held_for_rights:
        rights_holder_held_notify_quietly(version_id=version_id)
    return version


def _reject(version: DocumentVersion, code: Reason, params: dict[str, object]) -> DocumentVersion:
    moved, changed = document_version_transition(
        version_id=version.pk, to=VersionStatus.REJECTED, reason=code, params=params
    )
    if changed:
        version_files_discard(version=moved)
    return moved


def _heartbeat(version_id: int) -> Callable[[int, int], None]:
    """Writes progress ("Pagina 37 van 102 verwerkt…") and proof of life, not on every page."""
    last = {"pages": -_HEARTBEAT_PAGES, "at": 0.0}

    def beat(pages: int, page_count: int) -> None:
        now = time.monotonic()
        if pages - last["pages"] < _HEARTBEAT_PAGES and now - last["at"] < _HEARTBEAT_SECONDS:
            return
        last.update(pages=pages, at=now)
        DocumentVersion.objects.filter(pk=version_id, status=VersionStatus.PROCESSING).update(
            pages_processed=pages, page_count=page_count, heartbeat_at=timezone.now()
        )

    return beat


def _local_pdf(version: DocumentVersion, workdir: Path) -> Path:
    """The version's PDF as a file on this machine: converted first if the seller sent a
    Word or OpenDocument file, copied from object storage if the storage is remote."""
    local = stored_file_local(version.file, workdir / f"source{Path(version.file.name).suffix}")
    if local.suffix == ".pdf":
        return local
    converted = pdf_convert(source=local, source_format=version.source_format, workdir=workdir)
    field = DocumentVersion._meta.get_field("file")
    original = version.file.name
    name = field.generate_filename(version, "converted.pdf")
    with converted.open("rb") as handle:
        if not field.storage.exists(name):
            name = field.storage.save(name, File(handle), max_length=field.max_length)
    DocumentVersion.objects.filter(pk=version.pk).update(file=name)
    version.file.name = name
    # The seller's original is not kept: buyers get the PDF, and the original may be hostile.
    field.storage.delete(original)
    return converted


def document_version_previews_ensure(*, version_id: int, count: int) -> DocumentVersion:
    """Pages 1..count with a preview image and a clear thumbnail, the pages after them without
    a preview image and with a blurred thumbnail. Draws only what is not so yet; never shows
    every page, whatever ``count`` says."""
    version = DocumentVersion.objects.get(pk=version_id)
    if (
        version.status not in (VersionStatus.ACCEPTED, VersionStatus.HELD_FOR_REVIEW)
        or not version.page_count
    ):
        return version
    count = min(max(count, 1), preview_page_count_max(version.page_count))
    width = settings.PREVIEW_IMAGE_WIDTH
    pages = list(
        version.pages.only("number", "preview_image", "preview_width", "thumbnail", "thumbnail_blurred")
    )
    draw = [page.number for page in pages if _needs_drawing(page, count=count, width=width)]
    unpreviewed = [page.number for page in pages if page.number > count and page.preview_image]
    if not draw and not unpreviewed:
        return version
    result = ExtractionResult()
    try:
        with extraction_workspace() as workdir:
            if draw:
                source = stored_file_local(version.file, workdir / "source.pdf")
                job = extract_job(source, workdir, text=False, preview_count=count, pages=draw)
                result = extraction_run(job)
            page_images_update(version=version, result=result, unpreviewed=unpreviewed)
    except (ExtractionRejected, ExtractionBroken):
        # The same file passed the full run; a page it cannot draw now stays as it was.
        logger.exception("Preview images of document version %s could not be made", version_id)
    return version


def _needs_drawing(page: DocumentPage, *, count: int, width: int) -> bool:
    if page.number > count:
        return not page.thumbnail_blurred
    return (
        page.thumbnail_blurred
        or not page.preview_image
        or page.preview_width != width
        or not page.preview_image.storage.exists(page.preview_image.name)
    )


def document_versions_unfinished() -> list[int]:
    """The uploads left unfinished, to be processed again, by id; queuing them is the caller's
    (selling.services.uploads_reconcile).

    - processing with no heartbeat for PROCESSING_STALE_SECONDS: its worker died (killed,
      machine restarted). It becomes failed ("interrupted") here, and is retried;
    - failed, tried fewer than MAX_ATTEMPTS times: retried;
    - uploaded for longer than PROCESSING_STALE_SECONDS (its task may have been lost between
      the upload and the queue; the caller leaves out those still waiting in it).

    Also removes the workspaces that dead processes on this machine left.
    """
    stale = timezone.now() - timedelta(seconds=settings.PROCESSING_STALE_SECONDS)
    for version_id in DocumentVersion.objects.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True), status=VersionStatus.PROCESSING
    ).values_list("pk", flat=True):
        document_version_transition(version_id=version_id, to=VersionStatus.FAILED, reason=Reason.INTERRUPTED)
    candidates = DocumentVersion.objects.filter(
        Q(status=VersionStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        | Q(status=VersionStatus.UPLOADED, created_at__lt=stale)
    ).order_by("pk")
    extraction_workspaces_prune()
    return list(candidates.values_list("pk", flat=True))
