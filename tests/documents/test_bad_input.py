"""Every bad input the issue lists is refused with its own reason, in the seller's words, and
leaves nothing behind: no stored file, no image, no workspace, no child process."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.processing import document_version_process
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.documents.services import UploadRejected, document_upload
from tests.data_files import stored_files, workspaces
from tests.documents import hostile
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024

# Refused while processing: stored first, then refused, then removed.
PROCESSED: list[tuple[str, Callable[[], bytes], Reason, dict[str, Any], str]] = [
    ("truncated", hostile.truncated_pdf, Reason.TRUNCATED, {}, "niet compleet"),
    ("corrupt", hostile.corrupt_pdf, Reason.UNREADABLE, {}, "beschadigd"),
    ("decompression bomb", hostile.decompression_bomb_pdf, Reason.TOO_COMPLEX, {"megabytes": 512}, "512 MB"),
    ("image of huge dimensions", hostile.huge_image_pdf, Reason.TOO_COMPLEX, {"megabytes": 512}, "512 MB"),
    ("JavaScript", hostile.javascript_pdf, Reason.JAVASCRIPT, {}, "JavaScript"),
    ("zero pages", hostile.zero_pages_pdf, Reason.ZERO_PAGES, {}, "geen pagina's"),
    (
        "5,000 pages",
        lambda: hostile.many_pages_pdf(pages=5000),
        Reason.TOO_MANY_PAGES,
        {"count": 5000, "max": 1000},
        "5000 pagina's; het maximum is 1000",
    ),
    ("encrypted", hostile.encrypted_pdf, Reason.ENCRYPTED, {}, "wachtwoord"),
]

# Refused at the upload, before anything is stored.
AT_UPLOAD: list[tuple[str, Callable[[], bytes], str, Reason, str]] = [
    ("polyglot", hostile.polyglot_pdf, "document.pdf", Reason.POLYGLOT, "begint niet als een PDF"),
    ("path in the name", lambda: pdf_bytes(pages=1), "../../etc/passwd.pdf", Reason.UNSAFE_NAME, "mappad"),
    ("empty", lambda: b"", "leeg.pdf", Reason.EMPTY, "leeg"),
    ("PNG renamed to .pdf", hostile.png_bytes, "scan.pdf", Reason.NOT_PDF, "het lijkt een PNG-bestand"),
    (
        "60 MB",
        lambda: pdf_bytes(pages=1) + b"\0" * (60 * MB),
        "groot.pdf",
        Reason.TOO_LARGE,
        "groter dan 50 MB",
    ),
]


def _stored_and_processed(seller, data: bytes, name: str = "document.pdf") -> DocumentVersion:
    version = document_upload(seller=seller, file=ContentFile(data), original_name=name)
    return document_version_process(version_id=version.pk)


@pytest.mark.parametrize(
    ("make", "code", "params", "words"), [case[1:] for case in PROCESSED], ids=[case[0] for case in PROCESSED]
)
def test_refused_while_processing(seller, make, code, params, words, django_capture_on_commit_callbacks):
    # Processed in this process, as a worker would: it must survive. (The file goes after the commit.)
    with django_capture_on_commit_callbacks(execute=True):
        version = _stored_and_processed(seller, make())

    version.refresh_from_db()
    assert (version.status, version.reason_code, version.reason_params) == (
        VersionStatus.REJECTED,
        code,
        params,
    )
    with translation.override("nl"):
        assert words in reason_text(version.reason_code, version.reason_params)
    assert version.file.name == ""
    assert not version.pages.exists()
    assert stored_files("private") == []
    assert stored_files("public") == []
    assert workspaces() == []


@pytest.mark.parametrize(
    ("make", "name", "code", "words"), [case[1:] for case in AT_UPLOAD], ids=[case[0] for case in AT_UPLOAD]
)
def test_refused_at_the_upload(seller, make, name, code, words):
    with pytest.raises(UploadRejected) as refused, translation.override("nl"):
        document_upload(seller=seller, file=ContentFile(make()), original_name=name)

    assert refused.value.code == code
    assert words in refused.value.message
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert stored_files("private") == []
    assert workspaces() == []


def test_the_worker_goes_on_after_every_bad_input(seller):
    for _, make, *_rest in PROCESSED:
        _stored_and_processed(seller, make())

    good = _stored_and_processed(seller, pdf_bytes(pages=2), "goed.pdf")

    good.refresh_from_db()
    assert good.status == VersionStatus.ACCEPTED
    assert DocumentVersion.objects.filter(status=VersionStatus.REJECTED).count() == len(PROCESSED)


def test_every_reason_has_a_message_in_both_languages():
    params = {"max_mb": 50, "count": 5000, "max": 1000, "megabytes": 512, "seconds": 60, "note": "Plagiaat."}
    for code in Reason:
        for language in ("nl", "en"):
            with translation.override(language):
                text = reason_text(code, params)
            assert text
            assert "%(" not in text
    assert reason_text("iets-onbekends") == "Dit bestand is geweigerd."
