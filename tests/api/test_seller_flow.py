"""A seller's whole journey through the API, as the command line makes it: upload a PDF, wait
for the processing, describe and price it, put it on sale, find it with the search; and the
refusals on the way, each with what to do (the site's own rules: processing first, the describe
form's validation, the upload checks, the size limit, the quota, a suspension)."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.models import Listing, ListingStatus
from tests.api.tokens import bearer, call
from tests.factories import CourseFactory
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/seller/documents"


def _upload(client: Client, token: str, data: bytes, name: str = "Marketing samenvatting.pdf") -> Any:
    return call(client, "POST", DOCUMENTS, token, data={"file": SimpleUploadedFile(name, data)})


def _patch(client: Client, token: str, document_id: int, **fields: Any) -> Any:
    import json

    return call(
        client,
        "PATCH",
        f"{DOCUMENTS}/{document_id}",
        token,
        data=json.dumps(fields),
        content_type="application/json",
    )


def test_upload_describe_publish_and_find_it(
    client: Client, seller: SellerProfile, django_capture_on_commit_callbacks: Any
):
    token = bearer(seller.user, "sell")
    course = CourseFactory(name="Marketingmanagement")
    with django_capture_on_commit_callbacks(execute=True):  # the processing task runs
        uploaded = _upload(client, token, pdf_bytes(pages=6))
    assert uploaded.status_code == 202
    document_id = uploaded.json()["id"]

    status = call(client, "GET", f"{DOCUMENTS}/{document_id}", token).json()
    assert status["status"] == "ready"
    assert (status["listing_id"], status["published"], status["page_count"]) == (None, False, 6)
    assert status["title"] == "Marketing samenvatting.pdf"

    # Not described yet: publishing says which details are missing.
    missing = call(client, "POST", f"{DOCUMENTS}/{document_id}/publish", token)
    assert missing.status_code == 422
    assert "description, course_id, document_type, academic_year, price_cents" in missing.json()["detail"]

    with django_capture_on_commit_callbacks(execute=True):  # finalize, then the search index
        described = _patch(
            client,
            token,
            document_id,
            title="Marketingmanagement samenvatting hoofdstuk 1-6",
            description="Alle hoofdstukken van het boek, met voorbeelden uit de colleges.",
            course_id=course.pk,
            document_type="summary",
            language="nl",
            academic_year="2025-2026",
            price_cents=499,
            preview_page_count=2,
        )
    assert described.status_code == 200, described.json()
    body = described.json()
    listing = Listing.objects.get(document_id=document_id)
    assert (body["listing_id"], body["price_cents"], body["status"]) == (listing.pk, 499, "ready")
    assert (listing.title, listing.academic_year, listing.preview_page_count) == (
        "Marketingmanagement samenvatting hoofdstuk 1-6",
        "2025/2026",
        2,
    )

    with django_capture_on_commit_callbacks(execute=True):
        published = call(client, "POST", f"{DOCUMENTS}/{document_id}/publish", token)
    assert published.status_code == 200
    assert published.json()["published"] is True
    assert published.json()["url"] == f"http://testserver{listing.get_absolute_url()}"
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED

    found = client.get("/api/v1/search?q=marketingmanagement").json()
    assert found["count"] == 1
    (item,) = found["items"]
    assert (item["type"], item["id"], item["price"], item["course"]["id"]) == (
        "listing",
        listing.pk,
        "€ 4,99",
        course.pk,
    )
    mine = call(client, "GET", DOCUMENTS, token).json()
    assert [d["id"] for d in mine["items"]] == [document_id]


def test_publishing_waits_for_the_processing(client: Client, seller: SellerProfile):
    token = bearer(seller.user, "sell")
    uploaded = _upload(client, token, pdf_bytes(pages=3))  # the task is not run: still processing
    document_id = uploaded.json()["id"]
    assert uploaded.json()["status"] == "processing"
    response = call(client, "POST", f"{DOCUMENTS}/{document_id}/publish", token)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:studymarket:problem:processing"


def test_details_are_checked_as_the_describe_form_checks_them(
    client: Client, seller: SellerProfile, django_capture_on_commit_callbacks: Any
):
    token = bearer(seller.user, "sell")
    with django_capture_on_commit_callbacks(execute=True):
        document_id = _upload(client, token, pdf_bytes(pages=4)).json()["id"]
    response = _patch(
        client,
        token,
        document_id,
        description="Kort.",
        course_id=CourseFactory().pk,
        document_type="summary",
        academic_year="2025/2026",
        price_cents=50,
        preview_page_count=4,
    )
    assert response.status_code == 422
    problem = response.json()
    fields = {error["loc"][-1]: error["msg"] for error in problem["errors"]}
    assert fields == {
        "price_cents": "De prijs is minimaal € 1,00.",
        "preview_page_count": "Kies hoogstens 3 voorbeeldpagina's: nooit het hele document.",
    }
    assert not Listing.objects.filter(document_id=document_id).exists()


def test_a_file_that_is_no_pdf_is_refused_with_the_reason(client: Client, seller: SellerProfile):
    response = _upload(client, bearer(seller.user, "sell"), b"Dit is geen PDF", name="notities.pdf")
    assert response.status_code == 422
    assert response.json()["type"] == "urn:studymarket:problem:upload-rejected"
    assert response.json()["detail"]


def test_a_file_over_the_limit_gets_413(client: Client, seller: SellerProfile, settings: Settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = _upload(client, bearer(seller.user, "sell"), pdf_bytes(pages=30))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_the_upload_quota_counts_api_uploads(client: Client, seller: SellerProfile, settings: Settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload_seller": "1/d"}
    token = bearer(seller.user, "sell")
    assert _upload(client, token, pdf_bytes(pages=2)).status_code == 202
    over = _upload(client, token, pdf_bytes(pages=3))
    assert over.status_code == 429
    assert "Retry-After" in over


def test_a_suspended_seller_uploads_nothing(client: Client, seller: SellerProfile):
    seller.user.suspended_until = timezone.now() + timedelta(days=3)
    seller.user.save()
    response = _upload(client, bearer(seller.user, "sell"), pdf_bytes(pages=2))
    assert response.status_code == 403
    assert response.json()["type"] == "urn:studymarket:problem:seller-suspended"
