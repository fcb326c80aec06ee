"""Refusing an upload that is a buyer's copy of a document on studymarket (issue 13).

A buyer's copy carries its order: a mark in the page content, the same mark in the /ID and the
XMP, and the visible line with the order number (library.stamping). An upload that carries any
of them, of an existing copy, is refused with Reason.BUYER_COPY before it is published, and
the seller of the original is e-mailed.

The check runs before processing (``upload_process`` calls it first), because the version's
state table (documents.transitions) lets a version be refused only while it is processing or
held: an accepted version is on its way to sale and cannot be refused any more. The check reads
the file in the sandbox, as processing does (library.tracing: about 0.3 s for 100 pages of
text), and only when it finds a copy does it claim the version (uploaded →
processing) and refuse it (→ rejected) in one transaction. It reads the first pages and then
every fifth (``_sampled_pages``), not every page: the marks are on every page of a copy, so
five pages in a row of one are always caught, while a long upload of heavy drawings is not
drawn twice over before processing draws it. A file it cannot read goes on to processing, which
refuses it with its own, more exact reason.

What the seller of the original is told: that someone offered a purchased copy of their
document, that it was refused and never published. Not who uploaded it, nor whose copy it was:
the original seller needs neither to be reassured, and both are other people's personal data
(the uploader is not proven to be the buyer; the copy may have passed through several hands).
Staff find both in the audit record ("document_version.buyer_copy_refused") and on /beheer/lekken/.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from studymarket.core.audit import audit_record
from studymarket.documents.extraction import extraction_workspace, stored_file_local
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.pages import version_files_discard
from studymarket.documents.reasons import Reason
from studymarket.documents.transitions import document_version_transition
from studymarket.library.models import StampedCopy
from studymarket.library.selectors import CopyTrace, stamped_copy_trace
from studymarket.library.tracing import TraceUnreadable, pdf_traces_read

logger = logging.getLogger(__name__)

# Only a new upload: a failed one was claimed by processing before, which happens only after
# this check let it through (a retry would read the same file again for nothing).
_CHECKED = (VersionStatus.UPLOADED,)
_FIRST_PAGES = 10
_EVERY = 5


def _sampled_pages() -> list[int]:
    last = settings.UPLOAD_MAX_PAGES
    return sorted({*range(1, _FIRST_PAGES + 1), *range(_FIRST_PAGES + _EVERY, last + 1, _EVERY)})


def buyer_copy_refuse(*, version_id: int) -> DocumentVersion | None:
    """Refuse the version if its file is a buyer's copy; the refused version, or None when it
    is not one (or was not to be checked: already past processing, not a PDF, unreadable)."""
    version = DocumentVersion.objects.select_related("document").get(pk=version_id)
    if version.status not in _CHECKED or version.source_format != "pdf" or not version.file.name:
        return None
    with extraction_workspace() as workdir:
        try:
            local = stored_file_local(version.file, workdir / "upload.pdf")
            traces = pdf_traces_read(local, workdir=workdir, pages=_sampled_pages())
        except TraceUnreadable:
            return None
    if traces.is_empty:
        return None
    found = stamped_copy_trace(traces=traces)
    if found is None:
        return None
    return _refuse(version, found)


def _refuse(version: DocumentVersion, found: CopyTrace) -> DocumentVersion | None:
    original = found.copy.entitlement.document
    with transaction.atomic():
        _, claimed = document_version_transition(version_id=version.pk, to=VersionStatus.PROCESSING)
        if not claimed:
            return None  # another worker holds it, or it moved on meanwhile
        refused, _ = document_version_transition(
            version_id=version.pk, to=VersionStatus.REJECTED, reason=Reason.BUYER_COPY
        )
        audit_record(
            action="document_version.buyer_copy_refused",
            obj=refused,
            stamped_copy=found.copy.pk,
            order_number=found.copy.entitlement.order_number,
            original_document=original.pk,
            evidence=[str(kind) for kind in found.evidence],
        )
        if original.seller_id != version.document.seller_id:
            transaction.on_commit(partial(_seller_tell_quietly, version_id=version.pk, copy_id=found.copy.pk))
    version_files_discard(version=refused)
    return refused


def _seller_tell_quietly(*, version_id: int, copy_id: int) -> None:
    """E-mail the original's seller; a mail server that fails loses this one notice (the
    refusal stands, and staff see it in the audit), it does not fail the upload's task."""
    try:
        _seller_message(copy_id).send()
    except Exception:
        logger.exception("Could not tell the seller about buyer's copy refused in version %s", version_id)
        return
    with transaction.atomic():
        audit_record(
            action="document_version.buyer_copy_seller_told",
            obj=DocumentVersion.objects.get(pk=version_id),
            stamped_copy=copy_id,
        )


def _seller_message(copy_id: int) -> EmailMessage:
    copy = StampedCopy.objects.select_related(
        "entitlement__document__seller__user", "entitlement__document__listing", "version"
    ).get(pk=copy_id)
    document = copy.entitlement.document
    seller = document.seller
    listing = getattr(document, "listing", None)
    # Sellers have no stored language: the site's (as payments.refunds.mail does).
    with translation.override(settings.LANGUAGE_CODE):
        context = {"seller": seller, "title": listing.title if listing else copy.version.original_name}
        subject = render_to_string("selling/emails/buyer_copy_subject.txt", context).strip()
        body = render_to_string("selling/emails/buyer_copy.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[seller.user.email])
