"""The data export (GDPR arts 15, 20): one at a time, built by the task, only its owner downloads
it, gone after PRIVACY_EXPORT_DAYS."""

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studymarket.core.models import AuditEvent
from studymarket.privacy.export import data_export_build, data_export_request, data_exports_expire
from studymarket.privacy.models import DataExport, DataExportStatus
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna():
    return UserFactory(email="anna@example.nl", first_name="Anna", last_name="de Vries")


def test_a_second_request_while_one_is_pending_makes_no_second_export(anna, db_task_backend):
    client = Client()
    login(client, anna)
    first = client.post(reverse("privacy:export_request"), follow=True)
    assert "We maken een bestand met je gegevens." in first.content.decode()
    second = client.post(reverse("privacy:export_request"), follow=True)
    assert "We zijn je gegevens al aan het verzamelen." in second.content.decode()
    export = DataExport.objects.get(user=anna)
    assert export.status == DataExportStatus.PENDING
    # Queued for the worker by its id only: the task table holds no personal data.
    assert DBTaskResult.objects.count() == 0  # on_commit: not committed in this test
    assert AuditEvent.objects.filter(action="data_export.requested", object_id=str(export.pk)).count() == 1


def test_the_task_builds_it_once_and_mails_the_link_once(anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, made = data_export_request(user=anna)
    assert made
    export.refresh_from_db()
    assert export.status == DataExportStatus.READY
    assert export.size_bytes > 0
    assert export.built_at is not None
    assert export.expires_at == export.built_at + timedelta(days=7)
    assert [m.subject for m in mail.outbox] == ["Je gegevens staan klaar"]
    assert f"/account/mijn-gegevens/downloaden/{export.token}/" in mail.outbox[0].body
    with zipfile.ZipFile(export.file.open("rb")) as archive:
        names = set(archive.namelist())
    assert {"README.txt", "README.json", "profile.json", "orders.json", "library.json", "audit.json"} <= names
    assert data_export_build(export_id=export.pk).status == DataExportStatus.READY  # again: nothing
    assert len(mail.outbox) == 1


def test_only_its_owner_downloads_it(anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = data_export_request(user=anna)
    path = reverse("privacy:export_download", args=[export.token])
    assert Client().get(path).status_code == 302  # to the login page
    other = Client()
    login(other, UserFactory())
    assert other.get(path).status_code == 404
    owner = Client()
    login(owner, anna)
    response = owner.get(path)
    assert response.status_code == 200
    archive = zipfile.ZipFile(BytesIO(response.getvalue()))
    assert b"anna@example.nl" in archive.read("profile.json")
    export.refresh_from_db()
    assert export.downloaded_at is not None
    assert AuditEvent.objects.filter(action="data_export.downloaded", object_id=str(export.pk)).exists()


def test_after_its_days_the_file_is_deleted_and_the_link_answers_404(
    anna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = data_export_request(user=anna)
    storage, name = export.file.storage, DataExport.objects.get(pk=export.pk).file.name
    assert storage.exists(name)
    assert data_exports_expire(now=timezone.now() + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert data_exports_expire(now=timezone.now() + timedelta(days=8)) == 1
    assert not storage.exists(name)
    export.refresh_from_db()
    assert export.status == DataExportStatus.EXPIRED
    assert export.file.name == ""
    client = Client()
    login(client, anna)
    assert client.get(reverse("privacy:export_download", args=[export.token])).status_code == 404


def test_the_page_lists_a_ready_export_with_its_download_link(anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = data_export_request(user=anna)
    client = Client()
    login(client, anna)
    page = client.get(reverse("privacy:index")).content.decode()
    assert reverse("privacy:export_download", args=[export.token]) in page
    assert "Account verwijderen" in page
