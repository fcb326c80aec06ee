"""A person's copy of their data (GDPR arts 15 and 20): asked for on "Mijn gegevens", built by
the worker into a ZIP of JSON files with a README, kept privately for PRIVACY_EXPORT_DAYS,
downloadable only by that person, then deleted.

One export is made at a time per person (the request while one is pending finds that one): the
ZIP reads every app, so a stream of requests would be a cheap way to load the worker.
"""

import io
import json
import logging
import secrets
import zipfile
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from studymarket.accounts.models import SellerProfile, User
from studymarket.core.audit import audit_record
from studymarket.privacy.export_data import person_data
from studymarket.privacy.models import DataExport, DataExportStatus
from studymarket.privacy.readme import readme_json, readme_text
from studymarket.privacy.states import data_export_transition

logger = logging.getLogger(__name__)

S = DataExportStatus


def data_export_request(*, user: User, language: str = "") -> tuple[DataExport, bool]:
    """A new export of ``user``'s data, built after the commit; True if this call made it.
    While one is being made, that one is returned (a double click, a second tab)."""
    data_exports_expire()
    with transaction.atomic():
        _user_lock(user.pk)
        pending = _pending_export(user.pk)
        if pending is not None:
            return pending, False
        export = DataExport.objects.create(
            user=user,
            token=secrets.token_hex(16),
            requested_at=timezone.now(),
            language=language or settings.LANGUAGE_CODE,
        )
        audit_record(action="data_export.requested", obj=export, actor=user)
        transaction.on_commit(partial(_enqueue, export.pk))
    return export, True


def _user_lock(user_id: int) -> None:
    # The user's row is the lock: two requests at once make one export (the second finds it).
    User.objects.select_for_update().only("pk").get(pk=user_id)


def _pending_export(user_id: int) -> DataExport | None:
    return DataExport.objects.filter(user_id=user_id, status=S.PENDING).first()


def _enqueue(export_id: int) -> None:
    # The task module imports this one.
    from studymarket.privacy.tasks import data_export_build_task

    data_export_build_task.enqueue(export_id)


def export_zip(user: User) -> bytes:
    """The ZIP itself: one JSON file per part, the README twice, and the seller's avatar."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme_text())
        archive.writestr("README.json", readme_json())
        for name, part in person_data(user).items():
            archive.writestr(name, json.dumps(part, ensure_ascii=False, indent=2, default=str))
        seller = SellerProfile.objects.filter(user=user).first()
        if seller is not None and seller.avatar:
            with seller.avatar.open("rb") as avatar:
                archive.writestr(f"avatar/{seller.avatar.name.rsplit('/', 1)[-1]}", avatar.read())
    return buffer.getvalue()


def data_export_build(*, export_id: int) -> DataExport:
    """Build and store the ZIP (the task's body), then e-mail the link. A ready export returns
    at once; a second worker on the same export loses quietly (its file is removed)."""
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status != S.PENDING:
        return export
    field = export.file.field
    try:
        with translation.override(export.language):
            content = export_zip(export.user)
        saved = field.storage.save(
            field.generate_filename(export, "export.zip"), ContentFile(content), max_length=field.max_length
        )
    except Exception as error:
        logger.exception("Data export %s failed", export.pk)
        with transaction.atomic():
            failed, _moved = data_export_transition(
                export_id=export.pk,
                status=S.FAILED,
                changes={"error": str(error)[:2000], "expires_at": timezone.now()},
            )
        return failed
    now = timezone.now()
    with transaction.atomic():
        ready, moved = data_export_transition(
            export_id=export.pk,
            status=S.READY,
            changes={
                "file": saved,
                "size_bytes": len(content),
                "built_at": now,
                "expires_at": now + timedelta(days=settings.PRIVACY_EXPORT_DAYS),
            },
        )
    if not moved:
        field.storage.delete(saved)
        return ready
    # Imported here: mail.py renders with this module's selectors.
    from studymarket.privacy.mail import data_export_ready_mail_send

    data_export_ready_mail_send(export_id=ready.pk)
    return ready


def data_exports_expire(*, now: datetime | None = None, user_id: int | None = None) -> int:
    """Delete the files of exports past their time (or all of ``user_id``'s finished ones, when
    their account is erased) and mark them expired; how many. Safe to run any time."""
    now = now or timezone.now()
    finished = DataExport.objects.filter(status__in=[S.READY, S.FAILED])
    due = finished.filter(user_id=user_id) if user_id is not None else finished.filter(expires_at__lte=now)
    count = 0
    for export_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            export, moved = data_export_transition(export_id=export_id, status=S.EXPIRED)
            if not moved:
                continue
            name = export.file.name
            DataExport.objects.filter(pk=export.pk).update(file="", size_bytes=0)
            if name:
                transaction.on_commit(partial(export.file.storage.delete, name))
            count += 1
    return count


def data_export_downloadable(*, user: User, token: str) -> DataExport | None:
    """The person's own ready export that has not expired; None for anyone else's."""
    return DataExport.objects.filter(
        user=user, token=token, status=S.READY, expires_at__gt=timezone.now()
    ).first()


def data_export_list(*, user: User) -> list[DataExport]:
    return list(DataExport.objects.filter(user=user).exclude(status=S.EXPIRED)[:5])


@transaction.atomic
def data_export_downloaded(*, export: DataExport) -> None:
    """Record a download (the first one on the row; every one in the audit log)."""
    DataExport.objects.filter(pk=export.pk, downloaded_at__isnull=True).update(downloaded_at=timezone.now())
    audit_record(action="data_export.downloaded", obj=export, actor=export.user)
