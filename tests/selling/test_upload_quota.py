"""Issue 12, ASVS 5.2.4: an upload quota per seller per day (RATE_LIMITS["upload_seller"]).
Stored uploads (documents and new versions) count; refused files do not. Over the quota the
form says in Dutch how many a day is the maximum and when the seller can upload again (429)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from studymarket.documents.models import DocumentVersion
from tests.factories import SellerFactory
from tests.logins import MODEL_BACKEND
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

UPLOAD = "/verkopen/uploaden/"


@pytest.fixture
def two_a_day(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload_seller": "2/d"}


def signed_in(client, seller):
    client.force_login(seller.user, backend=MODEL_BACKEND)
    return client


def upload(client, n: int, content: bytes | None = None, htmx: bool = False):
    data = content if content is not None else pdf_bytes(pages=n + 1)
    with TestCase.captureOnCommitCallbacks(execute=False):  # no processing needed here
        return client.post(
            UPLOAD,
            {"file": SimpleUploadedFile(f"Samenvatting {n}.pdf", data)},
            headers={"HX-Request": "true"} if htmx else {},
        )


def test_uploads_within_the_quota_are_stored(client, two_a_day):
    seller = SellerFactory()
    signed_in(client, seller)

    for n in range(2):
        assert upload(client, n).status_code == 302

    assert DocumentVersion.objects.filter(document__seller=seller).count() == 2


def test_over_the_quota_the_form_says_when_to_upload_again(client, two_a_day):
    seller = SellerFactory()
    signed_in(client, seller)
    for n in range(2):
        upload(client, n)

    response = upload(client, 3)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    [error] = response.context["form"].errors["file"]
    assert error.startswith(
        "Je hebt vandaag al 2 documenten geüpload: meer kan niet op één dag. Je kunt weer uploaden over "
    )
    # The clock time the window closes, give or take the second the request took.
    back_at = timezone.localtime(timezone.now() + timedelta(seconds=int(response["Retry-After"])))
    assert any(error.endswith(f" (om {back_at + timedelta(seconds=s):%H:%M}).") for s in (-2, 0, 2))
    assert DocumentVersion.objects.filter(document__seller=seller).count() == 2


def test_the_htmx_form_gets_the_message_in_place(client, two_a_day):
    seller = SellerFactory()
    signed_in(client, seller)
    for n in range(2):
        upload(client, n, htmx=True)

    response = upload(client, 3, htmx=True)

    assert response.status_code == 429
    html = response.content.decode()
    assert html.startswith("<form") or '<form id="upload-form"' in html
    assert "<html" not in html
    assert "Je hebt vandaag al 2 documenten geüpload" in html


def test_refused_files_do_not_use_the_quota(client, two_a_day):
    seller = SellerFactory()
    signed_in(client, seller)
    for n in range(3):
        response = upload(client, n, content=b"geen pdf")
        assert response.status_code == 200
        assert response.context["form"].errors["file"]

    assert upload(client, 10).status_code == 302
    assert upload(client, 11).status_code == 302


def test_another_seller_is_not_affected(client, two_a_day):
    first = SellerFactory()
    signed_in(client, first)
    for n in range(3):
        upload(client, n)

    second = SellerFactory()
    signed_in(client, second)

    assert upload(client, 20).status_code == 302
    assert DocumentVersion.objects.filter(document__seller=second).count() == 1
