import io
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from studymarket.core.storage import private_storage
from studymarket.documents.models import DocumentVersion
from studymarket.documents.pdf import pdf_open
from studymarket.library import reader
from studymarket.library.models import Download, StampedCopy, StampedCopyStatus
from studymarket.library.services import entitlement_revoke, stamped_copy_build, stamped_copy_request
from tests.factories import EntitlementFactory
from tests.logins import login
from tests.purchases import PAGES, listing_with_pdf, purchase, version_with_pdf
from tests.reader_draws import reader_draws_finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def document_id(order_line):
    return order_line.entitlement.document_id


def _new_version(document, *, pages=2, created_at=None) -> DocumentVersion:
    version = version_with_pdf(
        DocumentVersion.objects.create(
            document=document,
            number=document.versions.count() + 1,
            original_name="v.pdf",
            sha256="1" * 64,
            size_bytes=1,
        ),
        pages=pages,
    )
    if created_at:
        DocumentVersion.objects.filter(pk=version.pk).update(created_at=created_at)
    document.current_version = version
    document.save()
    return version


def _download(client, document_id):
    return client.post(reverse("library:download", args=[document_id]))


def test_my_documents_lists_every_purchase_newest_version_first(client, buyer, order_line):
    older = listing_with_pdf(title="Marketing Samenvatting")
    purchase(buyer=buyer, listing=older)
    DocumentVersion.objects.filter(document=older.document).update(
        created_at=datetime(2021, 7, 30, 12, tzinfo=UTC)
    )
    DocumentVersion.objects.filter(pk=order_line.entitlement.document.current_version_id).update(
        created_at=datetime(2024, 3, 1, 12, tzinfo=UTC)
    )
    login(client, buyer)

    html = client.get(reverse("library:index")).content.decode()

    titles = re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)
    assert titles == ["Account Management Samenvatting", "Marketing Samenvatting"]
    assert "Versie van 1 maart 2024" in html
    assert "Versie van 30 juli 2021" in html
    assert f"bestelling {order_line.order.number}" in html
    assert "Nieuwe versie beschikbaar" not in html


def test_a_newer_version_than_the_one_downloaded_is_announced(client, buyer, order_line, document_id):
    login(client, buyer)
    stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    assert _download(client, document_id).status_code == 200
    assert "Nieuwe versie beschikbaar" not in client.get(reverse("library:index")).content.decode()

    _new_version(order_line.entitlement.document)

    html = client.get(reverse("library:index")).content.decode()
    assert "Nieuwe versie beschikbaar" in html
    assert "2 pagina's" in html  # the list shows the newest version


def test_refunded_purchases_leave_the_list(client, buyer, order_line):
    entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    login(client, buyer)
    html = client.get(reverse("library:index")).content.decode()
    assert "Account Management Samenvatting" not in html
    assert "Je hebt nog geen documenten gekocht." in html


def test_the_reader_shows_every_page_lazily(client, buyer, document_id):
    login(client, buyer)
    response = client.get(reverse("library:read", args=[document_id]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    html = response.content.decode()
    images = re.findall(r"<img src=\"/mijn-documenten/[^>]+>", html)
    assert len(images) == PAGES
    assert [re.findall(r'loading="(\w+)"', img)[0] for img in images] == [
        "eager",
        "eager",
        "lazy",
        "lazy",
        "lazy",
    ]
    version_id = StampedCopy.objects.get().version_id
    first = f"/mijn-documenten/{document_id}/v{version_id}/1-"
    assert f'src="{first}1200.webp"' in images[0]
    assert f'srcset="{first}800.webp 800w, {first}1200.webp 1200w, {first}1600.webp 1600w"' in images[0]
    assert 'width="595" height="842"' in images[0]  # A4 in points: laid out before it loads
    assert "Pagina 5 van 5" in html
    assert "Tekst van pagina 3" in html
    assert 'id="pagina-5"' in html
    assert "library/reader.js" in html


def test_a_page_image_is_rendered_once_and_kept_privately(client, buyer, document_id, monkeypatch):
    login(client, buyer)
    version_id = StampedCopy.objects.get().version_id
    url = reverse("library:page", args=[document_id, version_id, 2, 800])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, max-age=86400"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("WEBP", (800, 1132))
    # The page asked for and the ones after it, stored at fixed paths; none of them public.
    reader_draws_finish()
    stored = private_storage().listdir(f"reader/{document_id}/{version_id}/800")[1]
    assert sorted(stored) == ["2.webp", "3.webp", "4.webp", "5.webp"]

    monkeypatch.setattr(reader, "reader_pages_draw", lambda **kwargs: pytest.fail("rendered again"))
    assert client.get(url).getvalue() == response.content  # from the storage, streamed
    assert client.get(reverse("library:page", args=[document_id, version_id, 5, 800])).status_code == 200


@pytest.mark.parametrize(("number", "width"), [(0, 800), (PAGES + 1, 800), (1, 801), (1, 4000)])
def test_pages_and_widths_outside_the_list_are_not_found(client, buyer, document_id, number, width):
    login(client, buyer)
    version_id = StampedCopy.objects.get().version_id
    assert (
        client.get(reverse("library:page", args=[document_id, version_id, number, width])).status_code == 404
    )


def test_another_documents_version_is_not_found_through_this_one(client, buyer, document_id):
    other = purchase(buyer=buyer, listing=listing_with_pdf())
    assert other.entitlement is not None
    login(client, buyer)
    url = reverse("library:page", args=[document_id, other.entitlement.document.current_version_id, 1, 800])
    assert client.get(url).status_code == 404


def test_download_while_the_pdf_is_being_made(client, buyer, document_id):
    login(client, buyer)
    response = _download(client, document_id)

    assert response.status_code == 202
    html = response.content.decode()
    assert "Je PDF wordt klaargemaakt…" in html
    status_url = reverse("library:copy_status", args=[document_id])
    assert f'data-hx-get="{status_url}" data-hx-trigger="every 2s"' in html
    assert not Download.objects.exists()

    assert "Je PDF wordt klaargemaakt…" in client.get(status_url).content.decode()
    stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    ready = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Download PDF" in ready
    assert "data-hx-get" not in ready


def test_download_serves_the_buyers_copy_and_records_each_download(client, buyer, order_line, document_id):
    login(client, buyer)
    copy = stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)

    response = _download(client, document_id)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="account-management-samenvatting-{order_line.order.number}.pdf"'
    )
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    with copy.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    _download(client, document_id)
    assert (
        list(Download.objects.values_list("entitlement_id", "stamped_copy_id"))
        == [(order_line.entitlement.pk, copy.pk)] * 2
    )


def test_the_stamp_and_the_file_name_come_from_the_entitlements_snapshot(client, buyer, listing):
    # No order line at all: library reads only what the entitlement copied in when granted.
    entitlement = EntitlementFactory(
        buyer=buyer, document=listing.document, order_number="SM-SNAP2345", language="en"
    )
    version = listing.document.current_version
    copy = stamped_copy_build(
        stamped_copy_id=stamped_copy_request(entitlement=entitlement, version=version).pk
    )
    with copy.file.open("rb") as stored, pdf_open(stored.read()) as pdf:
        assert "Bought by Anna de Vries · order SM-SNAP2345" in pdf.page_text(1).splitlines()
    login(client, buyer)

    response = _download(client, listing.document_id)

    assert response["Content-Disposition"] == (
        'attachment; filename="account-management-samenvatting-SM-SNAP2345.pdf"'
    )


def test_download_asks_for_a_post(client, buyer, document_id):
    login(client, buyer)
    stamped_copy_build(stamped_copy_id=StampedCopy.objects.get().pk)
    assert client.get(reverse("library:download", args=[document_id])).status_code == 405
    assert not Download.objects.exists()


def test_a_failed_pdf_offers_a_retry_that_queues_it_again(client, buyer, document_id):
    StampedCopy.objects.update(status=StampedCopyStatus.FAILED, error="boom")
    login(client, buyer)
    html = client.get(reverse("library:read", args=[document_id])).content.decode()
    # Opening the reader asked for the copy again; the immediate task backend is not used
    # here (no commit in this test), so it waits as pending.
    assert StampedCopy.objects.get().status == StampedCopyStatus.PENDING
    assert "Je PDF wordt klaargemaakt…" in html


def test_the_reader_asks_for_the_copy_of_a_new_version(client, buyer, order_line, document_id):
    version = _new_version(order_line.entitlement.document)
    login(client, buyer)
    client.get(reverse("library:read", args=[document_id]))
    assert set(StampedCopy.objects.values_list("version_id", "status")) == {
        (order_line.entitlement.document.versions.get(number=1).pk, StampedCopyStatus.PENDING),
        (version.pk, StampedCopyStatus.PENDING),
    }


def test_anonymous_visitors_are_sent_to_log_in_for_their_documents(client):
    response = client.get(reverse("library:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_pages_work_in_english(client, buyer, document_id):
    login(client, buyer)
    response = client.get("/en" + reverse("library:read", args=[document_id]))
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_my_documents_takes_the_same_queries_for_many_documents(client, buyer, order_line):
    login(client, buyer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("library:index")).status_code == 200
        return len(context)

    one = queries()
    for _ in range(3):
        purchase(buyer=buyer, listing=listing_with_pdf())
    assert queries() == one
