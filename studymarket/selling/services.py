"""The seller's journey, as writes: store an upload and have it processed, describe it as a
listing (adding a course or a book that is not on studymarket yet), and bring the listing on
sale once its document is accepted. It orchestrates the apps below with plain calls:
documents (store, process, review), catalog (the listing's own writes) and search (the index
follows after the commit). See docs/state-machines.md.

Upload → on sale is one chain: ``upload_store`` queues ``upload_process_task`` (tasks.py),
which processes the version and then finalises its listing (``listing_finalize``). The describe
form and a staff approval finalise too; ``uploads_reconcile`` queues the chain again for uploads
a killed worker or a lost task left. Finalising is idempotent, so every order is safe.
``listing_publish`` and ``listing_unpublish`` here wrap the catalog's functions of the same
names (the listing's own writes), which are called through the module (``catalog.``).
"""

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studymarket.accounts.models import SellerProfile, User
from studymarket.accounts.suspension import seller_suspension_check, suspended_until
from studymarket.accounts.trader import trader_details_complete, trader_details_require
from studymarket.catalog import services as catalog
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.catalog.services import (
    book_create,
    course_create,
    institution_create,
    listing_create,
    programme_create,
)
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.page_cache import public_pages_changed
from studymarket.core.storage import private_storage, storage_answers
from studymarket.documents.conversion import SOURCE_FORMATS, conversion_available
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.previews import (
    default_preview_page_count,
    preview_page_count_allowed,
    preview_page_count_clamp,
    preview_page_count_max,
)
from studymarket.documents.processing import (
    document_version_previews_ensure,
    document_version_process,
    document_versions_unfinished,
)
from studymarket.documents.reasons import Reason
from studymarket.documents.review import document_version_review
from studymarket.documents.services import (
    UploadRejected,
    document_upload,
    document_version_accept,
    upload_bytes_check,
)
from studymarket.documents.transitions import document_version_transition
from studymarket.search.indexing import search_index_later
from studymarket.selling.copies import buyer_copy_refuse
from studymarket.selling.quota import upload_quota_check, upload_quota_use
from studymarket.selling.selectors import document_listing_id, document_page_count

logger = logging.getLogger(__name__)

_SLUG_MAX = Listing._meta.get_field("slug").max_length or 220

T = TypeVar("T")


@dataclass(frozen=True)
class NewCourse:
    """A course the seller adds; the institution and programme are found by name or added too."""

    institution: str
    country: str  # needed only when the institution is new
    programme: str
    name: str
    code: str = ""


@dataclass(frozen=True)
class BookSpec:
    """The summarised book: a known one by ISBN, else added with these details."""

    isbn: str
    title: str
    authors: str = ""
    edition: str = ""


@dataclass(frozen=True)
class ListingDetails:
    title: str
    description: str
    course: Course | None  # an existing course, or ``new_course``
    new_course: NewCourse | None
    book: BookSpec | None
    academic_year: str
    document_type: str
    language: str
    whole_book_summarized: bool
    price_cents: int
    preview_page_count: int | None  # None: keep the listing's, or the default by length


def listing_save(*, seller: SellerProfile, document: Document, details: ListingDetails) -> Listing:
    """Create the document's listing (a draft) or update it, then let the finalize task
    publish it: that happens as soon as the document has an accepted version.

    Raises ValidationError keyed by describe-form field for a course or book that cannot
    be added, ApplicationError for anything else the seller must change (among them
    accounts.trader.TraderDetailsIncomplete).
    """
    if document.seller_id != seller.pk:
        raise ApplicationError(_("Je kunt alleen je eigen documenten aanbieden."))
    # A business seller puts nothing on sale without complete trader information (DSA art. 30).
    trader_details_require(seller)
    # Nor while suspended (DSA art. 23, trust.strikes): accounts.suspension.SellerSuspended.
    seller_suspension_check(user=seller.user)
    page_count = document_page_count(document=document)
    with transaction.atomic():
        # The document's row is the lock: two saves at once must not both create a listing.
        Document.objects.select_for_update().get(pk=document.pk)
        course = details.course or course_find_or_create(new=_required(details.new_course))
        book = book_find_or_create(spec=details.book) if details.book else None
        listing = Listing.objects.filter(document=document).first()
        preview = _preview_page_count(details, listing=listing, page_count=page_count)
        if listing is None:
            listing = listing_create(
                seller=seller,
                document=document,
                course=course,
                book=book,
                title=details.title,
                description=details.description,
                document_type=details.document_type,
                language=details.language,
                academic_year=details.academic_year,
                whole_book_summarized=details.whole_book_summarized,
                price_cents=details.price_cents,
                preview_page_count=preview,
            )
        else:
            listing = _listing_update(listing, details=details, course=course, book=book, preview=preview)
        # Processing may already be done, or still running: the task publishes when it can,
        # and the processing task's own finalising covers the other order.
        _finalize_later(listing.pk)
    return listing


def _required(value: T | None) -> T:
    if value is None:
        raise ValidationError({"course": _("Kies je vak uit de lijst, of voeg een nieuw vak toe.")})
    return value


def _preview_page_count(details: ListingDetails, *, listing: Listing | None, page_count: int) -> int:
    if details.preview_page_count is not None:
        if page_count and not preview_page_count_allowed(
            preview_page_count=details.preview_page_count, page_count=page_count
        ):
            raise ValidationError({"preview_page_count": preview_too_many_message(page_count)})
        return details.preview_page_count
    if listing is not None:
        return listing.preview_page_count
    # Before processing has counted the pages, one page is the only safe choice; the seller
    # can choose again once the count is known.
    return default_preview_page_count(page_count) if page_count else 1


def preview_too_many_message(page_count: int) -> str:
    maximum = preview_page_count_max(page_count)
    return ngettext(
        "Kies hoogstens %(max)d voorbeeldpagina: nooit het hele document.",
        "Kies hoogstens %(max)d voorbeeldpagina's: nooit het hele document.",
        maximum,
    ) % {"max": maximum}


def _listing_update(
    listing: Listing, *, details: ListingDetails, course: Course, book: Book | None, preview: int
) -> Listing:
    listing.course = course
    listing.book = book
    listing.title = details.title.strip()
    listing.slug = slugify(details.title)[:_SLUG_MAX].strip("-") or "document"
    listing.description = details.description.strip()
    listing.document_type = details.document_type
    listing.language = details.language
    listing.academic_year = details.academic_year
    listing.whole_book_summarized = details.whole_book_summarized
    listing.price_cents = details.price_cents
    listing.preview_page_count = preview
    listing.full_clean()
    listing.save()
    audit_record(
        action="listing.updated", obj=listing, actor=listing.seller.user, price_cents=listing.price_cents
    )
    # A new price, title or description shows on every public page at once (no cached page).
    public_pages_changed()
    return listing


def _as_field_errors(field: str, create: Callable[..., T], **kwargs: object) -> T:
    # The model's errors are keyed by model field (name, slug); the seller sees them at the
    # form field they typed into.
    try:
        return create(**kwargs)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


M = TypeVar("M", Institution, Programme, Course)


def _by_name(queryset: QuerySet[M], name: str) -> M | None:
    # Two spellings with the same slug ("Odisee", "odisee ") are the same thing.
    return queryset.filter(Q(name__iexact=name) | Q(slug=slugify(name))).first()


def course_find_or_create(*, new: NewCourse) -> Course:
    institution = _by_name(Institution.objects.all(), new.institution)
    if institution is None:
        if not new.country:
            raise ValidationError(
                {
                    "new_institution_country": _(
                        "Kies het land: deze instelling staat nog niet op studymarket."
                    )
                }
            )
        institution = _as_field_errors(
            "new_institution", institution_create, name=new.institution, country=new.country
        )
    programme = _by_name(institution.programmes.all(), new.programme) or _as_field_errors(
        "new_programme", programme_create, institution=institution, name=new.programme
    )
    return _by_name(programme.courses.all(), new.name) or _as_field_errors(
        "new_course_name", course_create, programme=programme, name=new.name, code=new.code
    )


def book_find_or_create(*, spec: BookSpec) -> Book:
    if spec.isbn:
        isbn13 = isbn_normalise(spec.isbn)
        found = Book.objects.filter(isbn13=isbn13).first()
    else:
        isbn13 = None
        found = Book.objects.filter(
            isbn13__isnull=True, title__iexact=spec.title, authors__iexact=spec.authors
        ).first()
    if found is not None:
        return found
    return _as_field_errors(
        "book_title", book_create, title=spec.title, authors=spec.authors, edition=spec.edition, isbn=isbn13
    )


# --- Upload → processed → on sale ------------------------------------------------------------


def upload_store(
    *, seller: SellerProfile, file: File, original_name: str, document: Document | None = None
) -> DocumentVersion:
    """Store the seller's upload as a new document, or as the next version of ``document``
    (documents.services.document_upload: its checks, UploadRejected), and queue after the
    commit the one task that processes it and then finalises its listing. Within the seller's
    daily upload quota (selling.quota; over it core.ratelimits.RateLimited, nothing stored)."""
    # A suspended seller (DSA art. 23, trust.strikes) uploads nothing: SellerSuspended says until when.
    seller_suspension_check(user=seller.user)
    upload_quota_check(seller=seller)
    office_upload_check(file)
    version = document_upload(seller=seller, file=file, original_name=original_name, document=document)
    upload_quota_use(seller=seller)
    _process_later(version.pk)
    return version


def office_upload_check(file: File) -> None:
    """Without LibreOffice a Word or OpenDocument file is refused here, before anything is
    stored (the form offered PDF only): never accepted and then refused while processing."""
    if conversion_available():
        return
    try:
        source_format = upload_bytes_check(file)
    except UploadRejected as refused:
        if refused.code == Reason.UNSUPPORTED_TYPE:
            raise UploadRejected(Reason.NOT_PDF) from None
        raise
    if source_format in SOURCE_FORMATS:
        raise UploadRejected(Reason.CONVERSION_UNAVAILABLE)


def upload_process(*, version_id: int) -> DocumentVersion:
    """The task's work: process the version (documents.processing), then, if it was accepted,
    bring its listing up to date. Safe to repeat: a version processed before is returned as it
    is and the finalising runs again, which finishes what a run killed between the two left.
    A buyer's copy of a document on studymarket is refused first (selling.copies)."""
    if not storage_answers(private_storage()):
        # The object store is down: the version stays as it is (uploaded, or failed with its
        # attempts untouched) and uploads_reconcile queues it again once the store is back.
        logger.warning("Object storage unreachable: upload %s left for the reconcile", version_id)
        return DocumentVersion.objects.get(pk=version_id)
    refused = buyer_copy_refuse(version_id=version_id)
    if refused is not None:
        return refused
    version = document_version_process(version_id=version_id)
    if version.status == VersionStatus.ACCEPTED:
        listing_id = document_listing_id(document_id=version.document_id)
        if listing_id is not None:
            listing_finalize(listing_id=listing_id)
    return version


def upload_retry(*, version_id: int) -> DocumentVersion:
    """Try a failed version again (the seller's "Opnieuw proberen"); any other state returns
    quietly. The caller checked that the version is the seller's own."""
    version = DocumentVersion.objects.get(pk=version_id)
    if version.status == VersionStatus.FAILED:
        _process_later(version_id)
    return version


def held_upload_decide(*, version_id: int, staff_user: User, approve: bool, note: str) -> DocumentVersion:
    """Staff's decision on an upload held for review (documents.review: approve → accepted,
    reject → rejected with the note). An accepted version's listing is finalised after the
    commit, as after processing."""
    version = document_version_review(
        version_id=version_id, staff_user=staff_user, approve=approve, note=note
    )
    if version.status == VersionStatus.ACCEPTED:
        listing_id = document_listing_id(document_id=version.document_id)
        if listing_id is not None:
            _finalize_later(listing_id)
    return version


def uploads_reconcile() -> list[int]:
    """Queue the chain again for the uploads left unfinished (stuck in processing: failed as
    interrupted first; failed, under the attempts limit; uploaded, its task lost) that have no
    task waiting in the queue already; returns the version ids queued, in order.

    A version whose task row was marked abandoned (its worker is known to be dead, see
    core.task_rows) is interrupted at once; the others only once their heartbeat is stale
    (PROCESSING_STALE_SECONDS, long enough for a slow page or a conversion)."""
    from studymarket.selling.tasks import upload_process_task, upload_tasks_abandoned, upload_tasks_waiting

    for version_id, abandoned_at in upload_tasks_abandoned().items():
        _upload_interrupt(version_id=version_id, abandoned_at=abandoned_at)
    unfinished = document_versions_unfinished()
    waiting = upload_tasks_waiting()
    queued = [pk for pk in unfinished if pk not in waiting]
    for version_id in queued:
        upload_process_task.enqueue(version_id)
    return queued


def drafts_finalize_again(*, waiting: Collection[int]) -> list[int]:
    """Queue listing_finalize again for drafts described in the last day whose current version
    is accepted and for which no finalize task is ``waiting``: the task that should have put
    them on sale was lost, or found the object store down. Returns their ids. (A draft that
    waits for its seller's trader details or a suspension is finalized again, harmlessly, once
    a sweep for a day.)"""
    from studymarket.selling.tasks import listing_finalize_task

    since = timezone.now() - timedelta(days=1)
    ids = [
        pk
        for pk in Listing.objects.filter(
            status=ListingStatus.DRAFT,
            updated_at__gte=since,
            document__current_version__status=VersionStatus.ACCEPTED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        if pk not in waiting
    ]
    for listing_id in ids:
        listing_finalize_task.enqueue(listing_id)
    return ids


def _upload_interrupt(*, version_id: int, abandoned_at: datetime) -> None:
    """Processing → failed (interrupted), if the run that holds the version is the one whose
    worker died: it began before its worker was found gone and has given no sign of life since
    (a later run of the same version is left alone)."""
    dead_run = DocumentVersion.objects.filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lte=abandoned_at),
        pk=version_id,
        status=VersionStatus.PROCESSING,
        processing_started_at__lte=abandoned_at,
    )
    if dead_run.exists():
        document_version_transition(version_id=version_id, to=VersionStatus.FAILED, reason=Reason.INTERRUPTED)


def listing_finalize(*, listing_id: int) -> Listing:
    """Bring a listing up to date with its document's current version: the preview pages the
    seller chose, drawn for that version, then on sale if it is ready. Safe to repeat."""
    listing = Listing.objects.select_related("document__current_version").get(pk=listing_id)
    version = listing.document.current_version
    if version is not None and version.status == VersionStatus.ACCEPTED and version.page_count:
        count = preview_page_count_clamp(
            preview_page_count=listing.preview_page_count, page_count=version.page_count
        )
        if count != listing.preview_page_count:
            catalog.listing_preview_page_count_set(listing_id=listing_id, preview_page_count=count)
        document_version_previews_ensure(version_id=version.pk, count=count)
    finalized = listing_publish_if_ready(listing_id=listing_id)
    if listing.status == ListingStatus.PUBLISHED and finalized.status == ListingStatus.PUBLISHED:
        # A new version of a listing on sale: its pages in the index change too. (A listing
        # put on sale just now was sent to the index by listing_publish.)
        search_index_later(listing_ids=[listing_id])
    # The current version's preview pages and facts (a new version, other preview pages).
    public_pages_changed()
    return finalized


def listing_publish_if_ready(*, listing_id: int) -> Listing:
    """Draft → published once the seller has described it (the listing exists) and its
    document's current version is accepted. Anything else returns the listing as it is: still
    waiting, already published, or taken offline (which only a person undoes)."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if listing.status != ListingStatus.DRAFT:
            return listing
        if not trader_details_complete(SellerProfile.objects.get(pk=listing.seller_id)):
            return listing  # stays a draft until the seller completes it and saves again
        if suspended_until(User.objects.get(seller_profile__pk=listing.seller_id)) is not None:
            return (
                listing  # a suspended seller's draft waits; saving it again after the suspension publishes it
            )
        version = _current_version(listing)
        if version is None or version.status != VersionStatus.ACCEPTED:
            return listing
        return listing_publish(listing=listing)


def listing_publish(*, listing: Listing, published_at: datetime | None = None) -> Listing:
    """Put a listing on sale: its document's current version accepted (a no-op for one the
    pipeline or staff accepted; the demo data's is accepted here), the listing published
    (catalog: the upload date, followers told), and after the commit the search index follows.
    "Already published" returns quietly; a document not processed yet is an ApplicationError."""
    with transaction.atomic():
        before = _status_locked(listing.pk)
        version = _current_version(listing)
        if version is not None and version.page_count:
            document_version_accept(version=version)
        published = catalog.listing_publish(listing=listing, published_at=published_at)
        if published.status != before:
            search_index_later(listing_ids=[published.pk])
    return published


def listing_unpublish(*, listing_id: int, actor: Any = None, reason: str = "") -> Listing:
    """Take a listing offline (catalog) and, after the commit, out of the search index.
    "Already offline" (or never published) returns quietly."""
    with transaction.atomic():
        before = _status_locked(listing_id)
        listing = catalog.listing_unpublish(listing_id=listing_id, actor=actor, reason=reason)
        if listing.status != before:
            search_index_later(listing_ids=[listing_id])
    return listing


def _status_locked(listing_id: int) -> str:
    # Taken first, so that "did it move?" is answered under the same lock as the move.
    return str(Listing.objects.select_for_update().values_list("status", flat=True).get(pk=listing_id))


def _current_version(listing: Listing) -> DocumentVersion | None:
    return Document.objects.select_related("current_version").get(pk=listing.document_id).current_version


def _process_later(version_id: int) -> None:
    # tasks.py imports this module to run its functions; importing it back at use keeps them apart.
    from studymarket.selling.tasks import upload_process_task

    transaction.on_commit(partial(upload_process_task.enqueue, version_id))


def _finalize_later(listing_id: int) -> None:
    from studymarket.selling.tasks import listing_finalize_task

    transaction.on_commit(partial(listing_finalize_task.enqueue, listing_id))
