from datetime import timedelta

import pytest
from django.utils import timezone

from studymarket.core.storage import private_storage
from studymarket.documents.models import DocumentVersion
from studymarket.documents.pdf import pdf_open
from studymarket.library.models import StampedCopy, StampedCopyStatus
from studymarket.library.selectors import stamped_copy_find
from studymarket.library.services import (
    STAMPED_COPY_STALE_SECONDS,
    download_record,
    entitlement_revoke,
    stamped_copies_reconcile,
    stamped_copy_build,
    stamped_copy_request,
)
from tests.pdfs import pdf_bytes
from tests.purchases import version_with_pdf

pytestmark = pytest.mark.django_db


def _pending(order_line) -> StampedCopy:
    entitlement = order_line.entitlement
    return stamped_copy_request(entitlement=entitlement, version=entitlement.document.current_version)


def test_build_stamps_every_page_with_buyer_and_order(order_line):
    copy = stamped_copy_build(stamped_copy_id=_pending(order_line).pk)

    assert copy.status == StampedCopyStatus.READY
    assert copy.file.name == f"copies/{order_line.order.buyer_id}/{copy.version_id}/{copy.mark}.pdf"
    assert private_storage().size(copy.file.name) == copy.size_bytes
    with copy.file.open("rb") as stored:
        data = stored.read()
    line = f"Gekocht door Anna de Vries · bestelling {order_line.order.number}"
    with pdf_open(data) as pdf:
        assert [line in pdf.page_text(n).splitlines() for n in range(1, pdf.page_count + 1)] == [True] * 5


def test_build_is_done_once(order_line):
    copy = stamped_copy_build(stamped_copy_id=_pending(order_line).pk)
    again = stamped_copy_build(stamped_copy_id=copy.pk)
    assert (again.built_at, again.file.name) == (copy.built_at, copy.file.name)
    assert private_storage().listdir(f"copies/{order_line.order.buyer_id}/{copy.version_id}")[1] == [
        f"{copy.mark}.pdf"
    ]


def test_request_returns_the_same_copy(order_line):
    first = _pending(order_line)
    assert _pending(order_line) == first
    assert StampedCopy.objects.count() == 1


def test_a_file_that_cannot_be_stamped_fails_and_can_be_retried(order_line):
    version = order_line.entitlement.document.current_version
    storage = private_storage()
    good = storage.open(version.file.name).read()
    DocumentVersion.objects.filter(pk=version.pk).update(file=storage.save("documents/broken.pdf", _broken()))

    failed = stamped_copy_build(stamped_copy_id=_pending(order_line).pk)
    assert failed.status == StampedCopyStatus.FAILED
    assert failed.error

    DocumentVersion.objects.filter(pk=version.pk).update(file=version.file.name)
    assert storage.open(version.file.name).read() == good
    retried = _pending(order_line)  # the buyer's "Opnieuw proberen"
    assert (retried.pk, retried.status) == (failed.pk, StampedCopyStatus.PENDING)
    assert stamped_copy_build(stamped_copy_id=retried.pk).status == StampedCopyStatus.READY


def _broken():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.7\nbroken beyond repair")


def test_a_refunded_buyers_copy_is_not_built(order_line):
    copy = _pending(order_line)
    entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    assert stamped_copy_build(stamped_copy_id=copy.pk).status == StampedCopyStatus.PENDING
    StampedCopy.objects.filter(pk=copy.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert stamped_copies_reconcile() == []


def test_reconcile_queues_copies_whose_task_was_lost(order_line, django_capture_on_commit_callbacks):
    lost = _pending(order_line)
    long_ago = timezone.now() - timedelta(seconds=STAMPED_COPY_STALE_SECONDS + 1)
    StampedCopy.objects.filter(pk=lost.pk).update(created_at=long_ago)
    # The immediate task backend builds it while reconcile queues it.
    assert stamped_copies_reconcile() == [lost.pk]
    lost.refresh_from_db()
    assert lost.status == StampedCopyStatus.READY
    assert stamped_copies_reconcile() == []


def test_reconcile_leaves_fresh_pending_copies(order_line):
    _pending(order_line)
    assert stamped_copies_reconcile() == []


def test_a_new_version_gets_its_own_copy(order_line):
    entitlement = order_line.entitlement
    first = stamped_copy_build(stamped_copy_id=_pending(order_line).pk)
    document = entitlement.document
    newer = version_with_pdf(
        DocumentVersion.objects.create(
            document=document, number=2, original_name="v2.pdf", sha256="0" * 64, size_bytes=1
        ),
        pages=2,
    )
    document.current_version = newer
    document.save()
    second = stamped_copy_request(entitlement=entitlement, version=newer)
    assert second.pk != first.pk
    assert second.mark != first.mark
    assert stamped_copy_build(stamped_copy_id=second.pk).status == StampedCopyStatus.READY


def test_staff_find_the_copy_from_a_leaked_file(order_line):
    copy = stamped_copy_build(stamped_copy_id=_pending(order_line).pk)
    with copy.file.open("rb") as stored:
        leaked = stored.read()
    found = stamped_copy_find(pdf_bytes=leaked)
    assert found == copy
    assert found.entitlement.order_line.order.number == order_line.order.number
    assert found.entitlement.order_line.order.buyer.email == "anna@example.nl"


def test_a_file_without_our_mark_finds_nothing(order_line):
    assert stamped_copy_find(pdf_bytes=pdf_bytes(pages=1)) is None
    assert stamped_copy_find(pdf_bytes=b"hello") is None


def test_downloads_are_recorded_for_ready_copies_only(order_line):
    copy = _pending(order_line)
    with pytest.raises(ValueError, match="not ready"):
        download_record(stamped_copy=copy, ip="127.0.0.1", user_agent="test")
    copy = stamped_copy_build(stamped_copy_id=copy.pk)
    download = download_record(stamped_copy=copy, ip="192.0.2.1", user_agent="x" * 400)
    assert (download.entitlement, download.stamped_copy) == (order_line.entitlement, copy)
    assert len(download.ip_hash) == 32
    assert "192" not in download.ip_hash
    assert download.user_agent == "x" * 300


def test_a_copy_whose_build_lost_its_worker_is_queued_again_at_once(
    order_line, db_task_backend, django_capture_on_commit_callbacks
):
    """A killed worker's stamp is built again by the next sweep, not STAMPED_COPY_STALE_SECONDS
    later (issue 15: the buyer waits for this PDF)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from studymarket.core.task_rows import task_results_abandon
    from studymarket.library.tasks import stamp_tasks_abandoned, stamped_copy_build_task

    copy = _pending(order_line)
    path = stamped_copy_build_task.module_path
    DBTaskResult.objects.filter(task_path=path).delete()
    DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        args_kwargs={"args": [copy.pk], "kwargs": {}},
        task_path=path,
        worker_ids=["worker:host:1:dead"],
        backend_name="default",
        run_after=get_date_max(),
        queue_name="urgent",
    )
    assert stamp_tasks_abandoned() == set()  # running, its worker not known to be gone
    task_results_abandon(worker_ids=["worker:host:1:dead"])

    assert stamp_tasks_abandoned() == {copy.pk}
    with django_capture_on_commit_callbacks(execute=True):
        assert stamped_copies_reconcile(abandoned=stamp_tasks_abandoned()) == [copy.pk]
    # Queued again: the next sweep does not queue it a second time.
    assert stamp_tasks_abandoned() == set()


def test_a_copy_whose_build_raised_is_queued_again_by_the_next_sweep(order_line, db_task_backend):
    """The database restarted under the build (issue 15's fault run): the task failed, the copy
    is still pending; the next sweep tries again rather than waiting for the stale rule."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from studymarket.library.tasks import stamp_tasks_abandoned, stamped_copy_build_task

    copy = _pending(order_line)
    path = stamped_copy_build_task.module_path
    DBTaskResult.objects.filter(task_path=path).delete()
    DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        args_kwargs={"args": [copy.pk], "kwargs": {}},
        task_path=path,
        exception_class_path="django.db.utils.OperationalError",
        worker_ids=["worker:host:1:alive"],
        backend_name="default",
        run_after=get_date_max(),
        queue_name="urgent",
    )
    assert stamp_tasks_abandoned() == {copy.pk}
