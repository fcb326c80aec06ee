"""Through the real pipeline: two sellers upload PDFs, the second a near copy; staff approve it."""

import io
import textwrap

import pytest
from django.core.files.base import ContentFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from studymarket.catalog.models import ListingStatus
from studymarket.documents.models import MatchKind, VersionStatus
from studymarket.selling.services import upload_store
from tests.documents.test_originality import page_texts
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


def text_pdf(pages: list[str]) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    for text in pages:
        lines = canvas.beginText(50, 800)
        lines.setFont("Helvetica", 9)
        for line in textwrap.wrap(text, 110):
            lines.textLine(line)
        canvas.drawText(lines)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def upload(pages: list[str], name: str):
    seller = SellerFactory()
    return upload_store(seller=seller, file=ContentFile(text_pdf(pages)), original_name=name)


def test_a_near_copy_is_held_and_published_after_approval(client, django_capture_on_commit_callbacks):
    texts = page_texts(1, pages=6, words=150)
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(texts, "origineel.pdf")
    first.refresh_from_db()
    assert first.status == VersionStatus.ACCEPTED

    with django_capture_on_commit_callbacks(execute=True):
        copy = upload([*texts[:5], *page_texts(2, pages=1, words=150)], "kopie.pdf")
    copy.refresh_from_db()
    assert copy.status == VersionStatus.HELD_FOR_REVIEW
    [match] = copy.originality_matches.all()
    assert (match.earlier_version_id, match.kind) == (first.pk, MatchKind.NEAR)
    assert 0.6 < match.similarity < 0.9

    with django_capture_on_commit_callbacks(execute=True):
        same = upload(texts, "nog-eens.pdf")
    same.refresh_from_db()
    assert same.status == VersionStatus.REJECTED
    assert same.reason_code == "exact_copy"

    listing = ListingFactory(
        seller=copy.document.seller, document=copy.document, status=ListingStatus.DRAFT, published_at=None
    )
    login(client, UserFactory(is_staff=True))
    page = client.get(f"/beheer/uploads/{copy.pk}/")
    assert page.content.decode().count("<mark>") >= 10
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/beheer/uploads/{copy.pk}/besluit/", {"decision": "goedkeuren"})

    assert response.status_code == 302
    copy.refresh_from_db()
    listing.refresh_from_db()
    assert copy.status == VersionStatus.ACCEPTED
    assert listing.status == ListingStatus.PUBLISHED
