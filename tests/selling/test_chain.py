"""Upload → on sale is one chain of plain calls (selling.services): storing an upload queues ONE
task that processes the version and then finalises its listing; a staff approval finalises the
same way; the reconcile queues the chain again for an upload a dead worker or a lost task left;
the seller's retry queues it for a failed one."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studymarket.catalog.follows import follow_create
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.processing import MAX_ATTEMPTS, document_version_process
from studymarket.documents.reasons import Reason
from studymarket.documents.services import document_upload
from studymarket.selling.services import held_upload_decide, upload_retry, uploads_reconcile
from studymarket.selling.tasks import upload_process_task
from tests.factories import UserFactory
from tests.pdfs import pdf_bytes
from tests.selling.drafts import draft_listing, preview_pages, stored_upload

pytestmark = pytest.mark.django_db


def _queued() -> list[tuple[str, list]]:
    return [
        (task.task_path.rsplit(".", 1)[1], task.args_kwargs["args"])
        for task in DBTaskResult.objects.order_by("enqueued_at", "pk")
    ]


def test_an_upload_ends_on_sale_through_the_one_task(
    seller, db_task_backend, django_capture_on_commit_callbacks
):
    follower = UserFactory(email="volger@example.test")
    follow_create(user=follower, seller=seller)
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=6)
    # One task, for the version, queued after the commit; nothing else.
    assert _queued() == [("upload_process_task", [version.pk])]
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == upload_process_task.module_path
    listing = draft_listing(seller, version.document, preview_page_count=3)

    with django_capture_on_commit_callbacks(execute=True):
        upload_process_task.call(version.pk)  # what the worker runs

    version.refresh_from_db()
    listing.refresh_from_db()
    assert (version.status, version.attempts) == (VersionStatus.ACCEPTED, 1)
    assert version.document.current_version == version
    assert (listing.status, listing.published_at is not None) == (ListingStatus.PUBLISHED, True)
    assert preview_pages(listing) == [1, 2, 3]  # the seller's choice, drawn by the same task
    # On sale: the search index follows and the follower hears of it, each once.
    assert sorted(_queued()[1:]) == [
        ("follow_notifications_task", [listing.pk]),
        ("search_index_listing_task", [listing.pk]),
    ]


def test_the_chain_runs_inline_with_the_immediate_backend(seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=2)

    version.refresh_from_db()
    assert version.status == VersionStatus.ACCEPTED
    with version.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"


def test_without_a_description_processing_leaves_nothing_to_finalise(
    seller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=2)

    assert DocumentVersion.objects.get(pk=version.pk).status == VersionStatus.ACCEPTED
    assert not Listing.objects.exists()


def test_running_the_task_again_finishes_what_a_killed_run_left(seller, django_capture_on_commit_callbacks):
    # The worker died after processing, before the finalising: the version is accepted, the
    # listing still a draft. The task again (a retry, the reconcile) finalises; it does not reprocess.
    version = document_upload(seller=seller, file=ContentFile(pdf_bytes(pages=4)), original_name="a.pdf")
    document_version_process(version_id=version.pk)
    listing = draft_listing(seller, version.document, preview_page_count=2)

    with django_capture_on_commit_callbacks(execute=True):
        upload_process_task.call(version.pk)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert DocumentVersion.objects.get(pk=version.pk).attempts == 1


def _held(seller) -> DocumentVersion:
    """A processed first upload that originality held for staff: not current, its listing waits."""
    version = document_upload(seller=seller, file=ContentFile(pdf_bytes(pages=6)), original_name="kopie.pdf")
    document_version_process(version_id=version.pk)
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.HELD_FOR_REVIEW)
    Document.objects.filter(pk=version.document_id).update(current_version=None)
    return DocumentVersion.objects.get(pk=version.pk)


def test_staff_approval_finalises_the_listing(seller, django_capture_on_commit_callbacks):
    held = _held(seller)
    listing = draft_listing(seller, held.document, preview_page_count=3)
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):  # the immediate backend runs the task
        decided = held_upload_decide(version_id=held.pk, staff_user=staff, approve=True, note="")

    listing.refresh_from_db()
    assert decided.status == VersionStatus.ACCEPTED
    assert Document.objects.get(pk=held.document_id).current_version_id == held.pk
    assert listing.status == ListingStatus.PUBLISHED
    assert preview_pages(listing) == [1, 2, 3]


def test_staff_rejection_leaves_the_listing_a_draft(
    seller, db_task_backend, django_capture_on_commit_callbacks
):
    held = _held(seller)
    listing = draft_listing(seller, held.document, preview_page_count=2)

    with django_capture_on_commit_callbacks(execute=True):
        decided = held_upload_decide(
            version_id=held.pk, staff_user=UserFactory(is_staff=True), approve=False, note="Overgenomen."
        )

    assert (decided.status, decided.reason_code) == (VersionStatus.REJECTED, Reason.REJECTED_BY_STAFF)
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.DRAFT
    assert _queued() == []


# --- Reconcile: uploads a dead worker or a lost task left behind ------------------------------


def _aged(
    version: DocumentVersion, *, status: VersionStatus, heartbeat_minutes: int | None, **fields
) -> None:
    now = timezone.now()
    DocumentVersion.objects.filter(pk=version.pk).update(
        status=status,
        heartbeat_at=None if heartbeat_minutes is None else now - timedelta(minutes=heartbeat_minutes),
        created_at=now - timedelta(hours=1),
        **fields,
    )


def _lost(seller, **options) -> DocumentVersion:
    """Stored, but its task was lost between the upload and the queue (on-commit dropped)."""
    return stored_upload(seller, **options)


def test_reconcile_requeues_a_version_stuck_in_processing(
    seller, settings, db_task_backend, django_capture_on_commit_callbacks
):
    settings.PROCESSING_STALE_SECONDS = 180
    stuck = _lost(seller, pages=4)
    _aged(stuck, status=VersionStatus.PROCESSING, heartbeat_minutes=10, attempts=1)
    listing = draft_listing(seller, stuck.document, preview_page_count=2)
    working = _lost(seller, pages=2)
    _aged(working, status=VersionStatus.PROCESSING, heartbeat_minutes=0, attempts=1)

    assert uploads_reconcile() == [stuck.pk]

    stuck.refresh_from_db()
    assert (stuck.status, stuck.reason_code) == (VersionStatus.FAILED, Reason.INTERRUPTED)
    assert _queued() == [("upload_process_task", [stuck.pk])]
    assert DocumentVersion.objects.get(pk=working.pk).status == VersionStatus.PROCESSING
    # A second run finds the task waiting in the queue and adds none.
    assert uploads_reconcile() == []

    # The queued chain processes the version and puts its listing on sale.
    with django_capture_on_commit_callbacks(execute=True):
        upload_process_task.call(stuck.pk)
    stuck.refresh_from_db()
    listing.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.reason_code) == (VersionStatus.ACCEPTED, 2, "")
    assert listing.status == ListingStatus.PUBLISHED


def test_reconcile_requeues_what_was_left_and_nothing_else(seller, settings, db_task_backend):
    settings.PROCESSING_STALE_SECONDS = 180
    lost = _lost(seller, pages=3)
    _aged(lost, status=VersionStatus.UPLOADED, heartbeat_minutes=None)
    failed = _lost(seller, pages=2)
    _aged(failed, status=VersionStatus.FAILED, heartbeat_minutes=60, attempts=1)
    hopeless = _lost(seller, pages=4)
    _aged(hopeless, status=VersionStatus.FAILED, heartbeat_minutes=60, attempts=MAX_ATTEMPTS)
    fresh = _lost(seller, pages=5)  # just uploaded: its task is on its way

    queued = uploads_reconcile()

    assert queued == [lost.pk, failed.pk]
    assert _queued() == [("upload_process_task", [lost.pk]), ("upload_process_task", [failed.pk])]
    assert fresh.pk not in queued


def test_reconcile_and_the_task_finish_a_killed_upload(seller, settings):
    settings.PROCESSING_STALE_SECONDS = 0
    version = _lost(seller, pages=2)
    _aged(version, status=VersionStatus.PROCESSING, heartbeat_minutes=5, attempts=1)

    assert uploads_reconcile() == [version.pk]  # the immediate backend runs the task

    version.refresh_from_db()
    assert (version.status, version.attempts, version.reason_code) == (VersionStatus.ACCEPTED, 2, "")


def test_the_reconcile_command_says_what_it_queued(seller, settings, db_task_backend):
    out = io.StringIO()
    call_command("reconcile_uploads", stdout=out)
    assert out.getvalue() == "Queued 0 upload(s) again.\n"

    settings.PROCESSING_STALE_SECONDS = 0
    version = _lost(seller, pages=1)
    _aged(version, status=VersionStatus.PROCESSING, heartbeat_minutes=5, attempts=1)
    out = io.StringIO()
    call_command("reconcile_uploads", stdout=out)
    assert out.getvalue() == f"Queued 1 upload(s) again: [{version.pk}]\n"


# --- The seller's "Opnieuw proberen" ----------------------------------------------------------


def test_a_failed_upload_is_retried_through_the_chain(
    seller, db_task_backend, django_capture_on_commit_callbacks
):
    version = _lost(seller, pages=2)
    _aged(version, status=VersionStatus.FAILED, heartbeat_minutes=5, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        upload_retry(version_id=version.pk)

    assert _queued() == [("upload_process_task", [version.pk])]


def test_retry_of_a_version_that_did_not_fail_does_nothing(seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=1)
    assert DocumentVersion.objects.get(pk=version.pk).status == VersionStatus.ACCEPTED

    with django_capture_on_commit_callbacks() as callbacks:
        upload_retry(version_id=version.pk)
    assert callbacks == []


def test_a_described_draft_whose_finalize_was_lost_is_put_on_sale_by_the_sweep(
    seller, db_task_backend, django_capture_on_commit_callbacks
):
    """The seller saved the description; the finalize task was lost (or found the object store
    down, issue 15): the uploads sweep queues it again, once, and it goes on sale."""
    from studymarket.selling.tasks import listing_finalize_task, uploads_reconcile_task

    version = stored_upload(seller, pages=3)
    document_version_process(version_id=version.pk)
    listing = draft_listing(seller, Document.objects.get(pk=version.document_id), preview_page_count=1)
    old = draft_listing(seller, stored_upload(seller, pages=2).document, preview_page_count=1)
    Listing.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    DBTaskResult.objects.all().delete()

    uploads_reconcile_task.call()
    assert _queued()[-1:] == [("listing_finalize_task", [listing.pk])]
    uploads_reconcile_task.call()  # waiting already: not queued twice
    assert [args for name, args in _queued() if name == "listing_finalize_task"] == [[listing.pk]]

    listing_finalize_task.call(listing.pk)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
