"""The whole journey on object storage: an upload processed with its files in the bucket, its
preview images public at the bucket's own URLs, a purchase, and the buyer's stamped PDF
fetched from a pre-signed URL the download answers with. Only the store checks signatures:
a changed or an old URL is refused there, and nobody but the buyer gets a URL at all."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.documents.models import DocumentPage, DocumentVersion, VersionStatus
from studymarket.library.models import Download, StampedCopy, StampedCopyStatus
from studymarket.library.services import entitlement_revoke, stamped_copy_build
from studymarket.library.stamping import marks_read
from studymarket.privacy.erasure import account_erase
from studymarket.privacy.export import data_export_build, data_export_request
from studymarket.privacy.models import DataExport
from studymarket.selling.services import upload_process, upload_store
from tests.factories import UserFactory
from tests.logins import login
from tests.objectstorage.wiring import Bucket, bucket_make, http_get
from tests.pdfs import pdf_bytes
from tests.purchases import listing_with_pdf, purchase
from tests.reader_draws import reader_draws_finish
from tests.selling.drafts import draft_listing

pytestmark = pytest.mark.django_db

TITLE = "Marketing Samenvatting"


def _published(seller, bucket: Bucket):
    """An upload through the seller's service, processed as the worker does, on sale."""
    version = upload_store(
        seller=seller, file=ContentFile(pdf_bytes(pages=4)), original_name="samenvatting.pdf"
    )
    listing = draft_listing(seller, version.document, preview_page_count=2)
    listing.title = TITLE
    listing.save(update_fields=["title"])
    upload_process(version_id=version.pk)
    listing.refresh_from_db()
    return listing, DocumentVersion.objects.get(pk=version.pk)


def test_an_upload_is_processed_with_every_file_in_the_bucket(seller, bucket, settings):
    listing, version = _published(seller, bucket)

    assert (version.status, version.page_count, listing.status) == (
        VersionStatus.ACCEPTED,
        4,
        ListingStatus.PUBLISHED,
    )
    keys = bucket.keys()
    assert f"private/{version.file.name}" in keys
    assert version.file.name == f"documents/{version.document_id}/{version.sha256}.pdf"
    pages = list(version.pages.order_by("number"))
    assert [bool(page.preview_image) for page in pages] == [True, True, False, False]
    assert {f"public/{page.thumbnail.name}" for page in pages} <= set(keys)
    assert {f"public/{page.preview_image.name}" for page in pages if page.preview_image} <= set(keys)
    # Nothing of it on this machine: no folder of the embedded profile was made or used.
    assert not (settings.DATA_DIR / "private").exists()
    assert not (settings.DATA_DIR / "public").exists()


def test_preview_images_load_from_the_bucket_and_private_files_do_not(client, seller, bucket):
    listing, version = _published(seller, bucket)
    page = DocumentPage.objects.get(version=version, number=1)
    url = page.preview_image.url

    assert url == f"{bucket.store.endpoint_url}/{bucket.name}/public/{page.preview_image.name}"
    status, body, headers = http_get(url)  # as the browser loads the <img>: no signature
    assert (status, body[:4], body[8:12]) == (200, b"RIFF", b"WEBP")
    # The listing's page points there, and its Content-Security-Policy lets the image load.
    response = client.get(listing.get_absolute_url())
    assert url in response.content.decode()
    img_src = re.search(r"img-src ([^;]*)", response["Content-Security-Policy"])
    assert img_src is not None
    assert bucket.store.endpoint_url in img_src.group(1).split()
    # The seller's PDF, next to it in the same bucket, is not readable without a signature.
    assert bucket.anonymous_get(f"private/{version.file.name}")[0] == 403


def test_without_the_bucket_policy_nothing_is_public(store, bucket):
    """The storages send no ACL: what makes public/ readable is the policy alone."""
    bare = bucket_make(store, policy=False)
    bare.client.put_object(Bucket=bare.name, Key="public/previews/x.webp", Body=b"RIFF")
    assert bare.anonymous_get("public/previews/x.webp")[0] == 403
    bucket.client.put_object(Bucket=bucket.name, Key="public/previews/x.webp", Body=b"RIFF")
    bucket.client.put_object(Bucket=bucket.name, Key="private/copies/x.pdf", Body=b"%PDF-")
    assert bucket.anonymous_get("public/previews/x.webp") == (200, b"RIFF")
    assert bucket.anonymous_get("private/copies/x.pdf")[0] == 403


@pytest.fixture
def bought(bucket):
    """A listing on sale with its PDF in the bucket, bought; the buyer's copy stamped."""
    listing = listing_with_pdf(title=TITLE, pages=3)
    buyer = UserFactory(first_name="Anna", last_name="de Vries")
    line = purchase(buyer=buyer, listing=listing)
    copy = StampedCopy.objects.get(entitlement=line.entitlement)
    copy = stamped_copy_build(stamped_copy_id=copy.pk)
    assert copy.status == StampedCopyStatus.READY
    return buyer, line, copy


def _download(client, document_id: int):
    return client.post(reverse("library:download", args=[document_id]))


def test_the_download_is_a_redirect_to_the_buyers_stamped_copy(client, bucket, bought, settings):
    buyer, line, copy = bought
    assert f"private/{copy.file.name}" in bucket.keys("private/copies/")
    login(client, buyer)

    response = _download(client, line.listing.document_id)

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{bucket.store.endpoint_url}/{bucket.name}/private/{copy.file.name}?")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == [str(settings.DOWNLOAD_URL_SECONDS)] == ["60"]
    assert query["response-content-type"] == ["application/pdf"]
    name = f"marketing-samenvatting-{line.entitlement.order_number}.pdf"
    assert query["response-content-disposition"] == [f'attachment; filename="{name}"']
    # The URL is a key to the file: no shared cache may keep the answer that holds it.
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    # Recorded as today: one download, of this copy.
    assert list(Download.objects.values_list("stamped_copy_id", flat=True)) == [copy.pk]

    status, body, headers = http_get(location)
    assert status == 200
    assert (headers["Content-Type"], headers["Content-Disposition"]) == (
        "application/pdf",
        f'attachment; filename="{name}"',
    )
    assert body.startswith(b"%PDF-")
    assert marks_read(body) == [copy.mark]  # the buyer's own stamped copy, not the seller's file
    original = f"private/{line.listing.document.current_version.file.name}"
    assert body != bucket.client.get_object(Bucket=bucket.name, Key=original)["Body"].read()


def test_the_store_refuses_a_changed_or_old_url(client, store, bucket, bought):
    buyer, line, _copy = bought
    login(client, buyer)
    location = _download(client, line.listing.document_id)["Location"]
    signature = parse_qs(urlsplit(location).query)["X-Amz-Signature"][0]

    tampered = location.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    other_name = location.replace("marketing-samenvatting", "iets-anders")
    other_file = location.replace("/private/copies/", "/private/documents/")
    for url in (tampered, other_name, other_file):
        status, body, _headers = http_get(url)
        assert (status, b"%PDF" in body) == (403, False)
    assert store.check.refused == ["SignatureDoesNotMatch"] * 3

    # The store's clock set against the moment the URL was signed: no test waits for an expiry.
    amz_date = parse_qs(urlsplit(location).query)["X-Amz-Date"][0]
    signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    store.check.clock = lambda: signed_at + 59  # within DOWNLOAD_URL_SECONDS
    assert http_get(location)[0] == 200
    store.check.clock = lambda: signed_at + 61  # past it
    status, body, _headers = http_get(location)
    assert (status, b"%PDF" in body) == (403, False)
    assert store.check.refused[-1] == "AccessDenied"


@pytest.mark.parametrize("who", ["other_buyer", "anonymous", "refunded_buyer"])
def test_nobody_else_gets_a_url(client, bucket, bought, who):
    buyer, line, _copy = bought
    if who == "other_buyer":
        other = UserFactory()
        purchase(buyer=other, listing=listing_with_pdf(title="Iets anders", pages=1))
        login(client, other)
    elif who == "refunded_buyer":
        assert line.entitlement_id is not None
        entitlement_revoke(entitlement_id=line.entitlement_id, reason="refund")
        login(client, buyer)

    response = _download(client, line.listing.document_id)

    assert response.status_code == 404
    assert "Location" not in response
    assert bucket.name not in response.content.decode()
    assert not Download.objects.exists()


def test_the_reader_pages_are_drawn_into_the_bucket_and_served_from_it(client, bucket, bought):
    buyer, line, _copy = bought
    version = line.listing.document.current_version
    login(client, buyer)
    url = reverse("library:page", args=[line.listing.document_id, version.pk, 1, 800])

    drawn = client.get(url)  # drawn now, in the sandboxed child, from a copy of the PDF
    assert (drawn.status_code, drawn["Content-Type"]) == (200, "image/webp")
    reader_draws_finish()
    key = f"private/reader/{version.document_id}/{version.pk}/800/1.webp"
    assert key in bucket.keys("private/reader/")
    assert bucket.anonymous_get(key)[0] == 403

    served = client.get(url, HTTP_IF_NONE_MATCH="")  # now as stored, read from the bucket
    body = b"".join(served.streaming_content)
    assert (served.status_code, body[:4], body[8:12]) == (200, b"RIFF", b"WEBP")
    assert body == bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read()
    assert "private" in served["Cache-Control"]


def test_the_data_export_is_a_redirect_too(client, bucket):
    person = UserFactory()
    export, _made = data_export_request(user=person, language="nl")
    export = data_export_build(export_id=export.pk)
    login(client, person)

    response = client.get(reverse("privacy:export_download", args=[export.token]))

    assert response.status_code == 302
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    status, body, headers = http_get(response["Location"])
    assert (status, headers["Content-Type"], body[:2]) == (200, "application/zip", b"PK")
    assert DataExport.objects.get(pk=export.pk).downloaded_at is not None


def test_an_erased_buyers_files_leave_the_bucket(bucket, bought, django_capture_on_commit_callbacks):
    buyer, _line, copy = bought
    export, _made = data_export_request(user=buyer, language="nl")
    export = data_export_build(export_id=export.pk)
    mine = {f"private/{copy.file.name}", f"private/{export.file.name}"}
    assert mine <= set(bucket.keys())

    with django_capture_on_commit_callbacks(execute=True):
        assert account_erase(user_id=buyer.pk, language="nl")

    assert not mine & set(bucket.keys())
    assert bucket.keys("private/documents/")  # the seller's document stays
