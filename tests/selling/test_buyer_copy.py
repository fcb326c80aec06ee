"""An upload that is a buyer's copy of a document on studymarket is refused before it is
published (selling.copies), the original's seller is e-mailed, and the refusal is audited."""

import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from studymarket.core.models import AuditEvent
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.library.models import StampedCopy
from studymarket.library.selectors import stamped_copy_trace
from studymarket.library.services import stamped_copy_build
from studymarket.library.tracing import Evidence, pdf_traces_read
from studymarket.selling.copies import buyer_copy_refuse
from tests.factories import SellerFactory, UserFactory
from tests.logins import MODEL_BACKEND, login
from tests.pdfs import pdf_bytes
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db

UPLOAD = "/verkopen/uploaden/"


@pytest.fixture
def bought(client, tmp_path):
    """A ten-page document of "Eerste Verkoper", bought and downloaded through the library."""
    listing = listing_with_pdf(pages=10, title="Marketing Samenvatting")
    listing.seller.user.email = "origineel@example.nl"
    listing.seller.user.save()
    buyer = UserFactory(email="koper@example.nl", first_name="Kees", last_name="Koper")
    line = purchase(buyer=buyer, listing=listing)
    copy = stamped_copy_build(stamped_copy_id=StampedCopy.objects.get(entitlement=line.entitlement).pk)
    login(client, buyer)
    response = client.post(reverse("library:download", args=[listing.document_id]))
    assert response.status_code == 200
    downloaded = tmp_path / "gedownload.pdf"
    downloaded.write_bytes(b"".join(response.streaming_content))
    client.logout()
    return downloaded, copy


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=60)


def _upload(client, content: bytes, seller=None):
    if seller is None:
        seller = SellerFactory(display_name="Doorverkoper")
        seller.user.email = "doorverkoper@example.nl"
        seller.user.save()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    # The whole chain (process, finalise) runs inline, as a real commit would run it.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(UPLOAD, {"file": SimpleUploadedFile("mijn samenvatting.pdf", content)})
    return response, seller


def test_a_copy_resaved_and_cut_is_traced_to_its_order_and_its_reupload_refused(
    client, bought, tmp_path, smtp_inbox
):
    downloaded, copy = bought
    resaved, cut = tmp_path / "resaved.pdf", tmp_path / "cut.pdf"
    _run("qpdf", downloaded, resaved)
    _run("qpdf", "--empty", "--pages", resaved, "1-3,7-z", "--", cut)

    workdir = tmp_path / "work"
    workdir.mkdir()
    found = stamped_copy_trace(traces=pdf_traces_read(cut, workdir=workdir))
    assert found is not None
    assert (found.copy, found.copy.entitlement.order_number) == (copy, copy.entitlement.order_number)

    response, uploader = _upload(client, cut.read_bytes())

    version = DocumentVersion.objects.get(document__seller=uploader)
    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.BUYER_COPY)
    assert version.file.name == ""  # the copy is not kept
    page = client.get(response["Location"]).content.decode()
    assert escape(reason_text(Reason.BUYER_COPY)) in page
    assert reason_text(Reason.BUYER_COPY).startswith(
        "Dit bestand is een gekochte kopie van een document op studymarket"
    )

    event = AuditEvent.objects.get(action="document_version.buyer_copy_refused")
    assert event.object_id == str(version.pk)
    assert event.data == {
        "stamped_copy": copy.pk,
        "order_number": copy.entitlement.order_number,
        "original_document": copy.entitlement.document_id,
        "evidence": [Evidence.CONTENT, Evidence.VISIBLE],
    }
    assert AuditEvent.objects.filter(action="document_version.buyer_copy_seller_told").count() == 1

    [message] = smtp_inbox.messages
    assert message["To"] == "origineel@example.nl"
    assert message["Subject"] == 'Een gekochte kopie van "Marketing Samenvatting" werd te koop aangeboden'
    body = message.get_content()
    assert "We hebben die upload geweigerd." in body
    # Neither the uploader nor the buyer whose copy it was is named to the original's seller.
    for personal in ("Doorverkoper", "doorverkoper@example.nl", "Kees", "koper@example.nl", "SM-"):
        assert personal not in body


def test_a_printed_copy_with_its_metadata_gone_is_refused_too(client, bought, tmp_path, smtp_inbox):
    downloaded, copy = bought
    printed, stripped = tmp_path / "printed.pdf", tmp_path / "stripped.pdf"
    _run("pdftocairo", "-pdf", downloaded, printed)
    with pikepdf.open(printed) as pdf:
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        pdf.save(stripped)

    _upload(client, stripped.read_bytes())

    version = DocumentVersion.objects.exclude(document=copy.entitlement.document).get()
    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.BUYER_COPY)
    assert len(smtp_inbox.messages) == 1


def test_an_own_document_is_not_refused(client, bought, smtp_inbox):
    _upload(client, pdf_bytes(pages=3))

    version = DocumentVersion.objects.filter(document__seller__display_name="Doorverkoper").get()
    assert version.status == VersionStatus.ACCEPTED
    assert not AuditEvent.objects.filter(action="document_version.buyer_copy_refused").exists()
    assert smtp_inbox.messages == []


def test_a_broken_file_is_left_to_processing_and_its_own_reason(client, bought):
    _upload(client, b"%PDF-1.7\nbroken beyond repair\n%%EOF\n")

    version = DocumentVersion.objects.filter(document__seller__display_name="Doorverkoper").get()
    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.UNREADABLE)


def test_the_check_leaves_versions_past_processing_alone(client, bought, smtp_inbox):
    downloaded, copy = bought
    # The original itself is accepted: checking it again changes nothing.
    assert buyer_copy_refuse(version_id=copy.version_id) is None
    copy.version.refresh_from_db()
    assert copy.version.status == VersionStatus.ACCEPTED
    assert smtp_inbox.messages == []


def test_the_original_seller_uploading_a_copy_of_their_own_gets_no_mail(client, bought, smtp_inbox):
    downloaded, copy = bought
    seller = copy.entitlement.document.seller

    _upload(client, downloaded.read_bytes(), seller=seller)

    version = DocumentVersion.objects.filter(document__seller=seller).exclude(pk=copy.version_id).get()
    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.BUYER_COPY)
    assert smtp_inbox.messages == []


def test_copied_pages_behind_pages_of_ones_own_are_found(client, bought, tmp_path, smtp_inbox):
    """Only the first pages and then every fifth are read: five copied pages in a row are
    always among them."""
    downloaded, copy = bought
    own, mixed = tmp_path / "own.pdf", tmp_path / "mixed.pdf"
    own.write_bytes(pdf_bytes(pages=12))
    _run("qpdf", "--empty", "--pages", own, "1-12", downloaded, "4-8", "--", mixed)

    _upload(client, mixed.read_bytes())

    version = DocumentVersion.objects.filter(document__seller__display_name="Doorverkoper").get()
    assert (version.status, version.reason_code) == (VersionStatus.REJECTED, Reason.BUYER_COPY)
    assert len(smtp_inbox.messages) == 1
