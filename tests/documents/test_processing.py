"""The pipeline: an upload becomes accepted, held, rejected or failed (docs/state-machines.md).
Queuing it (the task, the retry, the reconcile) is selling's: tests/selling."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from studymarket.core.models import AuditEvent
from studymarket.documents import processing
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.processing import (
    MAX_ATTEMPTS,
    document_version_previews_ensure,
    document_version_process,
    document_versions_unfinished,
)
from studymarket.documents.reasons import Reason
from studymarket.documents.services import document_upload
from tests.data_files import stored_files, workspaces
from tests.factories import DocumentVersionFactory, SellerFactory
from tests.pdfs import pdf_bytes, words_pdf

pytestmark = pytest.mark.django_db


def _uploaded(seller, *, pages: int = 5, data: bytes | None = None, document=None) -> DocumentVersion:
    return document_upload(
        seller=seller,
        file=ContentFile(data or pdf_bytes(pages=pages, outline=[(1, "Hoofdstuk 1", 1)])),
        original_name="samenvatting.pdf",
        document=document,
    )


def _processed(seller, **options) -> DocumentVersion:
    version = _uploaded(seller, **options)
    return document_version_process(version_id=version.pk)


def test_an_upload_is_processed_and_accepted(seller):
    version = _processed(seller, pages=5)

    version.refresh_from_db()
    assert (version.status, version.reason_code, version.attempts) == (VersionStatus.ACCEPTED, "", 1)
    assert (version.page_count, version.pages_processed, version.word_count) == (5, 5, 30)
    assert (version.language, version.toc_source, version.scanned_page_count) == ("nl", "outline", 0)
    assert version.processed_at is not None
    assert version.document.current_version == version
    pages = list(version.pages.order_by("number"))
    # 5 pages: 2 preview pages by default; every page has a thumbnail, blurred after the preview.
    assert [bool(page.preview_image) for page in pages] == [True, True, False, False, False]
    assert [page.thumbnail_blurred for page in pages] == [False, False, True, True, True]
    assert [page.text for page in pages][:2] == [
        "Pagina 1 over appels en peren",
        "Pagina 2 over appels en peren",
    ]
    assert list(version.toc_entries.values_list("title", "page_number")) == [("Hoofdstuk 1", 1)]
    assert list(
        AuditEvent.objects.filter(object_id=str(version.pk), object_type="documents.documentversion")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["document_version.uploaded", "document_version.processing", "document_version.accepted"]
    assert len(stored_files("public")) == 5 + 2
    assert stored_files("private") == [version.file.name]
    assert workspaces() == []


def test_processing_again_changes_nothing(seller):
    version = _processed(seller, pages=2)
    events = AuditEvent.objects.count()

    again = document_version_process(version_id=version.pk)

    assert again.status == VersionStatus.ACCEPTED
    assert again.attempts == 1
    assert AuditEvent.objects.count() == events


def test_a_version_being_processed_elsewhere_is_left_alone(seller):
    version = _uploaded(seller)
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PROCESSING)

    assert document_version_process(version_id=version.pk).status == VersionStatus.PROCESSING
    assert not version.pages.exists()


def test_progress_is_written_as_it_goes_not_on_every_page(seller):
    version = _uploaded(seller)
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PROCESSING)
    beat = processing._heartbeat(version.pk)

    beat(0, 102)
    version.refresh_from_db()
    first = version.heartbeat_at
    assert (version.pages_processed, version.page_count) == (0, 102)
    beat(3, 102)  # too soon and too few pages to write again
    version.refresh_from_db()
    assert (version.pages_processed, version.heartbeat_at) == (0, first)
    beat(37, 102)
    version.refresh_from_db()
    assert version.pages_processed == 37
    assert version.heartbeat_at is not None
    assert first is not None
    assert version.heartbeat_at >= first


def test_a_new_version_becomes_current_and_the_old_one_stays(seller):
    first = _processed(seller, pages=2)

    second = _processed(seller, pages=3, document=first.document)

    first.refresh_from_db()
    assert (second.number, second.status, first.status) == (
        2,
        VersionStatus.ACCEPTED,
        VersionStatus.ACCEPTED,
    )
    assert second.document.current_version == second
    assert first.file.storage.exists(first.file.name)


def test_an_exact_copy_of_another_sellers_document_is_refused(seller, django_capture_on_commit_callbacks):
    data = pdf_bytes(pages=3)
    _processed(SellerFactory(), data=data)

    with django_capture_on_commit_callbacks(execute=True):
        copy = _processed(seller, data=data)

    assert (copy.status, copy.reason_code) == (VersionStatus.REJECTED, Reason.EXACT_COPY)
    assert copy.file.name == ""
    assert not copy.pages.exists()
    # The original keeps its file and images; nothing of the copy is left.
    assert len(stored_files("private")) == 1
    assert all(f"/{copy.pk}/" not in name for name in stored_files("public"))


def test_a_near_copy_is_held_for_staff_and_is_not_current(seller):
    _processed(SellerFactory(), data=words_pdf([1, 2, 3, 4, 5, 6]))

    held = _processed(seller, data=words_pdf([1, 2, 3, 4, 5, 99]))

    assert (held.status, held.reason_code) == (VersionStatus.HELD_FOR_REVIEW, "")
    assert held.originality_matches.count() == 1
    assert held.document.current_version is None
    assert held.pages.count() == 6  # staff compare the texts


def test_an_error_of_ours_fails_the_version_and_processing_again_succeeds(seller, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(processing, "originality_check", broken)
    version = _processed(seller, pages=2)
    assert (version.status, version.reason_code) == (VersionStatus.FAILED, Reason.PROCESSING_ERROR)
    assert version.file.storage.exists(version.file.name)  # kept for the retry
    monkeypatch.undo()

    version = document_version_process(version_id=version.pk)

    assert (version.status, version.reason_code, version.attempts) == (VersionStatus.ACCEPTED, "", 2)


# --- Preview pages the seller chose ----------------------------------------------------------


def test_more_preview_pages_are_drawn_and_unblurred(seller, django_capture_on_commit_callbacks):
    version = _processed(seller, pages=6)
    third = version.pages.get(number=3)

    with django_capture_on_commit_callbacks(execute=True):
        document_version_previews_ensure(version_id=version.pk, count=4)

    pages = list(version.pages.order_by("number"))
    assert [bool(page.preview_image) for page in pages] == [True, True, True, True, False, False]
    assert [page.thumbnail_blurred for page in pages] == [False, False, False, False, True, True]
    assert pages[2].thumbnail.name != third.thumbnail.name  # a new name: no cached blurred image
    assert not third.thumbnail.storage.exists(third.thumbnail.name)


def test_fewer_preview_pages_blur_again(seller, django_capture_on_commit_callbacks):
    version = _processed(seller, pages=6)
    second = version.pages.get(number=2)

    with django_capture_on_commit_callbacks(execute=True):
        document_version_previews_ensure(version_id=version.pk, count=1)

    pages = list(version.pages.order_by("number"))
    assert [bool(page.preview_image) for page in pages] == [True, False, False, False, False, False]
    assert [page.thumbnail_blurred for page in pages] == [False, True, True, True, True, True]
    assert not second.preview_image.storage.exists(second.preview_image.name)


def test_previews_already_right_start_no_child(seller, monkeypatch):
    version = _processed(seller, pages=6)
    before = list(
        version.pages.order_by("number").values_list("preview_image", "thumbnail", "thumbnail_blurred")
    )
    consulted: list[int] = []
    needs_drawing = processing._needs_drawing

    def spy(page, **kwargs):
        consulted.append(page.number)
        return needs_drawing(page, **kwargs)

    def no_run(*args, **kwargs):
        raise AssertionError("nothing to draw")

    monkeypatch.setattr(processing, "_needs_drawing", spy)
    monkeypatch.setattr(processing, "extraction_run", no_run)
    document_version_previews_ensure(version_id=version.pk, count=2)

    # Every page was looked at (no early return) and found right: nothing drawn or changed.
    assert consulted == [1, 2, 3, 4, 5, 6]
    after = list(
        version.pages.order_by("number").values_list("preview_image", "thumbnail", "thumbnail_blurred")
    )
    assert after == before
    # The control: one more preview page must be drawn, so the child is started.
    with pytest.raises(AssertionError, match="nothing to draw"):
        document_version_previews_ensure(version_id=version.pk, count=3)


def test_previews_never_show_every_page(seller):
    version = _processed(seller, pages=3)

    document_version_previews_ensure(version_id=version.pk, count=3)

    assert list(version.pages.exclude(preview_image="").values_list("number", flat=True)) == [1, 2]


# --- Uploads a dead worker or a lost task left behind (queued again by selling) -------------


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


def test_unfinished_uploads_are_found_and_a_dead_workers_is_failed(seller, settings):
    settings.PROCESSING_STALE_SECONDS = 180
    killed = _uploaded(seller)
    _aged(killed, status=VersionStatus.PROCESSING, heartbeat_minutes=10, attempts=1)
    working = _uploaded(seller, pages=2)
    _aged(working, status=VersionStatus.PROCESSING, heartbeat_minutes=0, attempts=1)
    lost = _uploaded(seller, pages=3)
    _aged(lost, status=VersionStatus.UPLOADED, heartbeat_minutes=None)
    hopeless = _uploaded(seller, pages=4)
    _aged(hopeless, status=VersionStatus.FAILED, heartbeat_minutes=60, attempts=MAX_ATTEMPTS)
    _uploaded(seller, pages=5)  # just uploaded: its task is on its way

    assert document_versions_unfinished() == [killed.pk, lost.pk]

    killed.refresh_from_db()
    assert (killed.status, killed.reason_code) == (VersionStatus.FAILED, Reason.INTERRUPTED)
    assert DocumentVersion.objects.get(pk=working.pk).status == VersionStatus.PROCESSING


def test_stale_means_no_heartbeat_for_the_setting(seller, settings):
    settings.PROCESSING_STALE_SECONDS = 3600
    version = _uploaded(seller)
    _aged(version, status=VersionStatus.PROCESSING, heartbeat_minutes=10, attempts=1)

    assert document_versions_unfinished() == []
    assert DocumentVersion.objects.get(pk=version.pk).status == VersionStatus.PROCESSING

    # The control: with a shorter setting the same version is stale.
    settings.PROCESSING_STALE_SECONDS = 300
    assert document_versions_unfinished() == [version.pk]


def test_factory_versions_without_files_fail_quietly(db):
    version = DocumentVersionFactory(file="documents/missing.pdf")

    processed = document_version_process(version_id=version.pk)

    assert (processed.status, processed.reason_code) == (VersionStatus.FAILED, Reason.PROCESSING_ERROR)
    assert workspaces() == []
