"""The object store unreachable (its server stopped: connections refused): what was asked for
fails clearly and loses nothing, and once the store is back the reconcile sweeps finish it.

- a download: 503 with "probeer het over een minuut opnieuw", no download recorded (the
  guarantee still stands), and the same button works once the store is back;
- an upload: 503 on the form, no rows left behind, no quota used;
- a reader page: 503, not 500;
- the stamping task and the upload task: their work stays pending / uploaded, untouched
  attempts, and stamped_copies_reconcile / uploads_reconcile complete it afterwards.
"""

from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import Document, DocumentPage, DocumentVersion, VersionStatus
from studymarket.library.models import Download, StampedCopy, StampedCopyStatus
from studymarket.library.services import stamped_copies_reconcile, stamped_copy_build
from studymarket.selling.services import upload_process, upload_store, uploads_reconcile
from tests.factories import UserFactory
from tests.logins import login
from tests.objectstorage.store import MotoStore, free_port
from tests.objectstorage.wiring import http_get
from tests.pdfs import pdf_bytes
from tests.purchases import listing_with_pdf, purchase
from tests.selling.drafts import draft_listing

pytestmark = pytest.mark.django_db

TRY_AGAIN = "probeer het over een minuut opnieuw"


@pytest.fixture
def store() -> Iterator[MotoStore]:
    """A store of this test's own, to stop and start again (the others share theirs)."""
    own = MotoStore(free_port())
    own.start()
    yield own
    if own._server is not None:
        own.stop()


def _assert_try_again(response, status: int = 503) -> None:
    assert response.status_code == status
    assert response["Retry-After"] == "60"
    assert TRY_AGAIN in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def bought():
    listing = listing_with_pdf(title="Marketing Samenvatting", pages=2)
    buyer = UserFactory()
    line = purchase(buyer=buyer, listing=listing)
    return buyer, line, StampedCopy.objects.get(entitlement=line.entitlement)


def test_a_download_while_the_store_is_down_is_503_and_records_nothing(client, store, bought):
    buyer, line, copy = bought
    stamped_copy_build(stamped_copy_id=copy.pk)
    login(client, buyer)
    url = reverse("library:download", args=[line.listing.document_id])

    store.stop()
    _assert_try_again(client.post(url))
    assert not Download.objects.exists()  # the satisfaction guarantee still stands

    store.start()
    response = client.post(url)
    assert response.status_code == 302
    assert http_get(response["Location"])[1].startswith(b"%PDF-")
    assert Download.objects.count() == 1


def test_a_reader_page_while_the_store_is_down_is_503(client, store, bought):
    buyer, line, _copy = bought
    version = line.listing.document.current_version
    login(client, buyer)
    url = reverse("library:page", args=[line.listing.document_id, version.pk, 1, 800])

    store.stop()
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"

    store.start()
    assert client.get(url).status_code == 200


def test_the_stamping_task_leaves_the_copy_to_the_reconcile(store, bought, caplog):
    _buyer, _line, copy = bought

    store.stop()
    result = stamped_copy_build(stamped_copy_id=copy.pk)  # what the worker runs: no exception
    assert result.status == StampedCopyStatus.PENDING
    assert "Object storage unreachable: stamped copy" in caplog.text

    store.start()
    # Found by the next sweep at once (not only once stale: the buyer waits for it), and built.
    assert stamped_copies_reconcile() == [copy.pk]  # the immediate task backend builds it at once
    copy.refresh_from_db()
    assert (copy.status, copy.error) == (StampedCopyStatus.READY, "")
    assert copy.file.open("rb").read(5) == b"%PDF-"


def test_the_upload_task_leaves_the_upload_to_the_reconcile(seller, store, settings, caplog):
    version = upload_store(seller=seller, file=ContentFile(pdf_bytes(pages=3)), original_name="a.pdf")
    listing = draft_listing(seller, version.document, preview_page_count=1)

    store.stop()
    upload_process(version_id=version.pk)  # what the worker runs: no exception
    version.refresh_from_db()
    assert (version.status, version.attempts) == (VersionStatus.UPLOADED, 0)  # no attempt spent
    assert "Object storage unreachable: upload" in caplog.text

    store.start()
    settings.PROCESSING_STALE_SECONDS = 0  # its task is taken to be lost
    assert uploads_reconcile() == [version.pk]  # the immediate task backend runs the chain
    version.refresh_from_db()
    listing.refresh_from_db()
    assert (version.status, version.attempts, listing.status) == (
        VersionStatus.ACCEPTED,
        1,
        ListingStatus.PUBLISHED,
    )


def test_an_upload_while_the_store_is_down_is_503_and_keeps_nothing(client, seller, store):
    login(client, seller.user)
    upload = SimpleUploadedFile("samenvatting.pdf", pdf_bytes(pages=2), content_type="application/pdf")

    store.stop()
    response = client.post(reverse("selling:sell_upload"), {"file": upload})
    _assert_try_again(response)
    assert not DocumentVersion.objects.exists()
    assert not Document.objects.exists()

    store.start()
    upload.seek(0)
    response = client.post(reverse("selling:sell_upload"), {"file": upload})
    assert response.status_code == 302
    assert DocumentVersion.objects.count() == 1
    assert not Listing.objects.exists()


def test_listing_pages_still_show_while_the_store_is_down(client, store):
    """Public URLs are made without asking the store: the shop window stays up."""
    listing = listing_with_pdf(title="Marketing Samenvatting", pages=2)
    version = listing.document.current_version
    assert version is not None
    DocumentPage.objects.filter(version=version, number=1).update(
        preview_image=f"previews/{version.document_id}/{version.pk}/page-1-abc.webp",
        preview_width=800,
        preview_height=1131,
    )

    store.stop()
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    assert f"{store.endpoint_url}/" in response.content.decode()
