"""Issue 12, finding 9: versions that were accepted without originality fingerprints (the demo
data, read in-process) get them from ``manage.py originality_fingerprint``; after it, a copy of
such a document is refused like a copy of any other."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.processing import document_version_process
from studymarket.documents.reasons import Reason
from studymarket.documents.services import (
    document_create,
    document_upload,
    document_version_accept,
    document_version_extract,
)
from tests.factories import SellerFactory
from tests.pdfs import words_pdf

pytestmark = pytest.mark.django_db

PAGES = list(range(1, 9))
# The same text in another file (as the buyer's stamped copy is another file).
SAME_TEXT = words_pdf(PAGES) + b"\n% een andere regel\n"


def _made_by_the_platform(data: bytes) -> DocumentVersion:
    """As the demo load makes its versions: stored, read in this process, accepted."""
    document = document_create(seller=SellerFactory(), file=ContentFile(data), original_name="demo.pdf")
    version = document.current_version
    assert version is not None
    document_version_extract(version=version, preview_page_count=1)
    document_version_accept(version=version)
    version.refresh_from_db()
    return version


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("originality_fingerprint", *args, stdout=out)
    return out.getvalue()


def _copy_uploaded(seller, data: bytes, django_capture_on_commit_callbacks) -> DocumentVersion:
    with django_capture_on_commit_callbacks(execute=True):
        version = document_upload(seller=seller, file=ContentFile(data), original_name="kopie.pdf")
        version = document_version_process(version_id=version.pk)
    version.refresh_from_db()
    return version


def test_a_version_accepted_without_fingerprints_is_fingerprinted_and_its_copy_refused(
    seller, django_capture_on_commit_callbacks
):
    original = _made_by_the_platform(words_pdf(PAGES))
    assert (original.text_sha256, original.minhash) == ("", None)

    output = _command()

    original.refresh_from_db()
    assert original.text_sha256 != ""
    assert original.minhash is not None
    assert original.fingerprint_bands.count() > 0
    assert output.splitlines() == [
        f"Version {original.pk} (document {original.document_id}): fingerprinted (unique).",
        "Fingerprinted 1 version(s).",
    ]
    # The same text in another file (the buyer's stamped copy is another file too).
    copy = _copy_uploaded(
        seller, words_pdf(PAGES) + b"\n% een andere regel\n", django_capture_on_commit_callbacks
    )
    assert (copy.status, copy.reason_code) == (VersionStatus.REJECTED, Reason.EXACT_COPY)


def test_without_the_command_the_copy_was_taken_for_new(seller, django_capture_on_commit_callbacks):
    """The control: what the finding saw."""
    _made_by_the_platform(words_pdf(PAGES))
    copy = _copy_uploaded(
        seller, words_pdf(PAGES) + b"\n% een andere regel\n", django_capture_on_commit_callbacks
    )
    assert copy.status == VersionStatus.ACCEPTED


def test_running_it_again_does_nothing_unless_asked_for_all(seller):
    version = _made_by_the_platform(words_pdf(PAGES))
    _command()
    version.refresh_from_db()
    fingerprint = (version.text_sha256, bytes(version.minhash or b""))

    assert _command().splitlines() == ["No accepted or held versions without a fingerprint."]
    again = _command("--all").splitlines()

    assert again[-1] == "Fingerprinted 1 version(s)."
    version.refresh_from_db()
    assert (version.text_sha256, bytes(version.minhash or b"")) == fingerprint
    assert version.status == VersionStatus.ACCEPTED


def test_versions_not_on_sale_are_left_alone(seller):
    version = _made_by_the_platform(words_pdf(PAGES))
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.REJECTED)
    assert _command().splitlines() == ["No accepted or held versions without a fingerprint."]
    version.refresh_from_db()
    assert version.text_sha256 == ""
