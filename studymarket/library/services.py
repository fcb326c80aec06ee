"""Entitlements (who may read what), the buyers' stamped copies, and downloads.

orders sits above library: it grants and revokes entitlements through these services, passing
plain values, and keeps the link to its order line itself (OrderLine.entitlement). Nothing here
reads an order: the purchase facts library shows (the order's number, the checkout language)
are copied onto the entitlement when it is granted.

A stamped copy is built once per buyer and version, in the background: the task takes the
copy's id, runs after the commit, and does nothing when the copy is ready.
"""

import hashlib
import logging
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, override

from studymarket.core.audit import audit_record
from studymarket.core.storage import storage_unreachable
from studymarket.documents.extraction import extraction_workspace, stored_file_local
from studymarket.documents.models import Document, DocumentVersion
from studymarket.library.models import Download, Entitlement, StampedCopy, StampedCopyStatus
from studymarket.library.states import stamped_copy_transition

logger = logging.getLogger(__name__)

# A copy still pending after this long lost its task (a worker died, the queue was lost).
STAMPED_COPY_STALE_SECONDS = 300
# A pending copy's error when its build found the object store down: queued again by the next sweep.
STORE_DOWN = "object storage unreachable"


@transaction.atomic
def entitlement_grant(
    *, buyer_id: int, document_id: int, granted_at: datetime, order_number: str, language: str
) -> Entitlement:
    """The buyer's access to one document, and their stamped copy of its current version
    queued after the commit. orders calls it once per paid order line, in the transaction that
    marks the order paid, and links the line to it (only orders decides when access is due).
    ``order_number`` and ``language`` (the checkout's) are kept for the stamp and the file name."""
    document = Document.objects.select_related("current_version").get(pk=document_id)
    entitlement = Entitlement.objects.create(
        buyer_id=buyer_id,
        document=document,
        granted_at=granted_at,
        order_number=order_number,
        language=language,
    )
    audit_record(action="entitlement.granted", obj=entitlement, document=document.pk)
    if document.current_version is not None:
        stamped_copy_request(entitlement=entitlement, version=document.current_version)
        if settings.READER_PREDRAW_PAGES:
            # The reader's first screen, drawn before the buyer opens it (library/reader.py).
            transaction.on_commit(partial(_predraw_enqueue, document.current_version.pk))
    return entitlement


@transaction.atomic
def entitlement_revoke(*, entitlement_id: int, reason: str) -> Entitlement:
    """Take access away; only orders calls it (a reversal, or an approved guarantee request).
    The copies and download records stay: they are the evidence. "Already revoked" returns
    quietly."""
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement_id)
    if entitlement.revoked_at is None:
        entitlement.revoked_at = timezone.now()
        entitlement.revoke_reason = reason[:200]
        entitlement.save(update_fields=["revoked_at", "revoke_reason"])
        audit_record(action="entitlement.revoked", obj=entitlement, reason=entitlement.revoke_reason)
    return entitlement


def stamped_copy_request(*, entitlement: Entitlement, version: DocumentVersion) -> StampedCopy:
    """The buyer's copy of ``version``, queued for building if it is not there yet (or failed
    before). Safe to call on every page view: a ready or pending copy is returned as it is."""
    # Most calls find the copy there: no transaction (on SQLite each one takes the write lock).
    existing = StampedCopy.objects.filter(entitlement=entitlement, version=version).first()
    if existing is not None and existing.status != StampedCopyStatus.FAILED:
        return existing
    with transaction.atomic():
        copy = (
            StampedCopy.objects.select_for_update().filter(entitlement=entitlement, version=version).first()
        )
        if copy is None:
            try:
                with transaction.atomic():
                    copy = StampedCopy.objects.create(
                        entitlement=entitlement, version=version, mark=secrets.token_hex(16)
                    )
                    audit_record(action="stamped_copy.requested", obj=copy, version=version.pk)
            except IntegrityError:
                # Another request made it between our look and our insert.
                return StampedCopy.objects.get(entitlement=entitlement, version=version)
        else:
            copy, retried = stamped_copy_transition(stamped_copy_id=copy.pk, status=StampedCopyStatus.PENDING)
            if not retried:
                return copy
        transaction.on_commit(partial(_enqueue, copy.pk))
    return copy


def stamped_copy_build(*, stamped_copy_id: int) -> StampedCopy:
    """Stamp the buyer's copy and store it privately (the task's body). A ready copy returns
    at once; a second worker building the same copy at the same time loses quietly."""
    # pikepdf and reportlab for the worker only: the web processes import this module too.
    from studymarket.library.stamping import StampError, stamp_pdf

    copy = StampedCopy.objects.select_related("entitlement__buyer", "version").get(pk=stamped_copy_id)
    if copy.status == StampedCopyStatus.READY or not copy.entitlement.is_active:
        return copy
    storage = copy.file.storage
    name = copy.file.field.generate_filename(copy, "copy.pdf")
    try:
        with extraction_workspace() as workdir:
            source = stored_file_local(copy.version.file, workdir / "source.pdf")
            target = workdir / "stamped.pdf"
            stamp_pdf(source=source, target=target, text=_stamp_text(copy), mark=copy.mark)
            if storage.exists(name):  # left by an attempt that died before it could finish
                storage.delete(name)
            with target.open("rb") as stamped:
                saved = storage.save(name, File(stamped), max_length=copy.file.field.max_length)
            size = target.stat().st_size
    except StampError as error:
        logger.warning("Stamped copy %s failed: %s", copy.pk, error)
        message = str(error)[:2000]
        with transaction.atomic():
            # Only a pending copy fails: a ready one (another worker won) stays ready.
            locked, _ = stamped_copy_transition(
                stamped_copy_id=copy.pk,
                status=StampedCopyStatus.FAILED,
                changes={"error": message},
                error=message[:200],
            )
        return locked
    except Exception as error:
        if not storage_unreachable(error):
            raise
        # The object store is down: the copy stays pending (the buyer's page says it is being
        # made), marked so that the next stamped_copies_reconcile queues it again at once.
        logger.warning("Object storage unreachable: stamped copy %s left for the reconcile", copy.pk)
        StampedCopy.objects.filter(pk=copy.pk, status=StampedCopyStatus.PENDING).update(error=STORE_DOWN)
        return copy
    with transaction.atomic():
        locked, built = stamped_copy_transition(
            stamped_copy_id=copy.pk,
            status=StampedCopyStatus.READY,
            changes={"file": saved, "size_bytes": size, "built_at": timezone.now(), "error": ""},
            version=copy.version_id,
        )
        if not built and saved != locked.file.name:  # another worker's copy is the one kept
            storage.delete(saved)
    return locked


def _stamp_text(copy: StampedCopy) -> str:
    entitlement = copy.entitlement
    # Built by a worker, outside any request: in the language the buyer checked out in.
    with override(entitlement.language or settings.LANGUAGE_CODE):
        return gettext("Gekocht door %(name)s · bestelling %(number)s") % {
            "name": entitlement.buyer.display_name,
            "number": entitlement.order_number,
        }


def stamped_copies_reconcile(*, abandoned: Collection[int] = ()) -> list[int]:
    """Queue again the copies pending for longer than STAMPED_COPY_STALE_SECONDS (their task
    was lost), and at once those in ``abandoned`` (their build lost its worker: ids the task
    layer read from the task rows) and those whose build found the object store down; returns
    their ids. Failed copies wait for the buyer's "Opnieuw proberen"; a refunded buyer's copies
    are not built."""
    stale = timezone.now() - timedelta(seconds=STAMPED_COPY_STALE_SECONDS)
    ids = list(
        StampedCopy.objects.filter(status=StampedCopyStatus.PENDING, entitlement__revoked_at__isnull=True)
        .filter(Q(created_at__lt=stale) | Q(pk__in=list(abandoned)) | Q(error=STORE_DOWN))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for copy_id in ids:
        _enqueue(copy_id)
    return ids


def download_record(*, stamped_copy: StampedCopy, ip: str, user_agent: str) -> Download:
    """Every download of a ready copy (a download ends the satisfaction guarantee). The
    address is kept only as a keyed hash: enough to see that two downloads came from one
    place, not where that is."""
    if stamped_copy.status != StampedCopyStatus.READY:
        raise ValueError(f"Stamped copy {stamped_copy.pk} is {stamped_copy.status}, not ready")
    with transaction.atomic():
        # A refund request takes this row lock too (payments.refunds): a download either is
        # recorded first and counts against the guarantee, or finds the access revoked.
        entitlement = Entitlement.objects.select_for_update().get(pk=stamped_copy.entitlement_id)
        if entitlement.revoked_at is not None:
            raise AccessRevoked(f"Entitlement {entitlement.pk} was revoked")
        download = Download.objects.create(
            entitlement_id=stamped_copy.entitlement_id,
            stamped_copy=stamped_copy,
            ip_hash=_ip_hash(ip) if ip else "",
            user_agent=user_agent[:300],
        )
        audit_record(action="download.recorded", obj=download, stamped_copy=stamped_copy.pk)
    return download


class AccessRevoked(Exception):
    """The buyer's access ended (a refund) between the page's check and the download."""


def _ip_hash(ip: str) -> str:
    return hashlib.blake2b(ip.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()


def _predraw_enqueue(version_id: int) -> None:
    from studymarket.library.tasks import reader_pages_predraw_task

    reader_pages_predraw_task.enqueue(version_id, settings.READER_PREDRAW_PAGES)


def _enqueue(stamped_copy_id: int) -> None:
    # tasks.py imports this module to run it; importing it back here, at use, keeps them apart.
    from studymarket.library.tasks import stamped_copy_build_task

    stamped_copy_build_task.enqueue(stamped_copy_id)
