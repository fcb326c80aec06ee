"""Issue 12, finding 6: every refusal that names a number gets it ("meer dan 512 MB geheugen",
never "meer dan  MB")."""

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from studymarket.documents.models import VersionStatus
from studymarket.documents.processing import document_version_process
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.documents.services import document_upload
from tests.documents import hostile

pytestmark = pytest.mark.django_db


def test_an_image_of_absurd_size_is_refused_with_the_memory_limit_in_the_message(
    seller, settings, django_capture_on_commit_callbacks
):
    settings.PROCESSING_MEMORY_LIMIT_MB = 384
    with django_capture_on_commit_callbacks(execute=True):
        version = document_upload(
            seller=seller, file=ContentFile(hostile.huge_image_pdf()), original_name="a.pdf"
        )
        version = document_version_process(version_id=version.pk)

    version.refresh_from_db()
    assert (version.status, version.reason_code, version.reason_params) == (
        VersionStatus.REJECTED,
        Reason.TOO_COMPLEX,
        {"megabytes": 384},
    )
    with translation.override("nl"):
        message = reason_text(version.reason_code, version.reason_params)
    assert "het vraagt meer dan 384 MB geheugen" in message
    assert "  " not in message
