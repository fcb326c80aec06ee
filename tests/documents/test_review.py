import pytest
from django.core.exceptions import PermissionDenied

from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.documents import rejections
from studymarket.documents.models import Document, DocumentPage, DocumentVersion, VersionStatus
from studymarket.documents.reasons import Reason
from studymarket.documents.review import document_version_review
from tests.factories import DocumentFactory, DocumentVersionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


@pytest.fixture
def held() -> DocumentVersion:
    version: DocumentVersion = DocumentVersionFactory(status=VersionStatus.HELD_FOR_REVIEW)
    return version


def test_approving_publishes_and_makes_it_the_version_buyers_get(staff, held):
    version = document_version_review(version_id=held.pk, staff_user=staff, approve=True, note="")

    assert version.status == VersionStatus.ACCEPTED
    assert Document.objects.get(pk=held.document_id).current_version_id == held.pk
    event = AuditEvent.objects.get(action="document_version.reviewed")
    assert (event.object_id, event.actor, event.data) == (str(held.pk), staff, {"approved": True, "note": ""})
    assert AuditEvent.objects.get(action="document_version.accepted").actor == staff


def test_rejecting_records_the_reason_and_keeps_no_files(staff, held):
    DocumentPage.objects.create(version=held, number=1, text="Tekst")
    document_version_review(
        version_id=held.pk, staff_user=staff, approve=False, note="  Overgenomen uit de syllabus van X.  "
    )

    held.refresh_from_db()
    assert held.status == VersionStatus.REJECTED
    assert (held.reason_code, held.reason_params) == (
        Reason.REJECTED_BY_STAFF,
        {"note": "Overgenomen uit de syllabus van X."},
    )
    assert Document.objects.get(pk=held.document_id).current_version_id is None
    assert held.file.name == ""
    assert not held.pages.exists()
    assert AuditEvent.objects.get(action="document_version.reviewed").data == {
        "approved": False,
        "note": "Overgenomen uit de syllabus van X.",
    }
    assert rejections.reason_text(held.reason_code, held.reason_params) == (
        "Ons team heeft dit document afgewezen: Overgenomen uit de syllabus van X."
    )


def test_rejecting_needs_a_reason(staff, held):
    with pytest.raises(ApplicationError):
        document_version_review(version_id=held.pk, staff_user=staff, approve=False, note="   ")
    held.refresh_from_db()
    assert held.status == VersionStatus.HELD_FOR_REVIEW


def test_only_staff_may_decide(held):
    with pytest.raises(PermissionDenied):
        document_version_review(version_id=held.pk, staff_user=UserFactory(), approve=True, note="")
    held.refresh_from_db()
    assert held.status == VersionStatus.HELD_FOR_REVIEW


def test_the_same_decision_twice_is_quiet(staff, held):
    document_version_review(version_id=held.pk, staff_user=staff, approve=True, note="")
    again = document_version_review(version_id=held.pk, staff_user=staff, approve=True, note="")

    assert again.status == VersionStatus.ACCEPTED
    assert AuditEvent.objects.filter(action="document_version.reviewed").count() == 1


@pytest.mark.parametrize(
    ("status", "approve"),
    [
        (VersionStatus.ACCEPTED, False),
        (VersionStatus.REJECTED, True),
        (VersionStatus.PROCESSING, True),
        (VersionStatus.FAILED, False),
    ],
)
def test_only_held_uploads_can_be_decided(staff, status, approve):
    version = DocumentVersionFactory(status=status)

    with pytest.raises(ApplicationError):
        document_version_review(version_id=version.pk, staff_user=staff, approve=approve, note="Nee.")
    version.refresh_from_db()
    assert version.status == status


def test_approving_an_older_version_keeps_the_newer_one_current(staff):
    document = DocumentFactory()
    older = DocumentVersionFactory(document=document, number=1, status=VersionStatus.HELD_FOR_REVIEW)
    newer = DocumentVersionFactory(document=document, number=2, status=VersionStatus.ACCEPTED)
    document.current_version = newer
    document.save()

    document_version_review(version_id=older.pk, staff_user=staff, approve=True, note="")

    document.refresh_from_db()
    assert document.current_version_id == newer.pk
