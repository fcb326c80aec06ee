"""The seller's document page: the status panel ends its polling with the page brought up to
date (the versions table with its page count out of band, or a reload after a refusal), a
version is never "Gepubliceerd" while its listing is offline, the description form does not
show under a refusal, and uploading one's own file again offers "Nieuwe versie uploaden"."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.documents.reasons import Reason
from studymarket.selling.services import upload_process, upload_store
from tests.factories import DocumentFactory, DocumentVersionFactory, ListingFactory, SellerFactory
from tests.logins import MODEL_BACKEND
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def seller_client(client):
    seller = SellerFactory()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    client.seller = seller
    return client


def _status(client, pk: int, **params: str):
    return client.get(reverse("selling:sell_status", kwargs={"pk": pk}), params, headers=HTMX)


def test_while_processing_the_panel_keeps_polling_without_the_versions(seller_client):
    version = DocumentVersionFactory(
        document=DocumentFactory(seller=seller_client.seller), status=VersionStatus.PROCESSING, page_count=0
    )
    response = _status(seller_client, version.document_id)

    html = response.content.decode()
    assert "HX-Refresh" not in response
    assert 'data-hx-trigger="every 1s"' in html
    assert 'id="versions-section"' not in html


def test_when_processing_ends_the_versions_table_comes_along_with_the_page_count(seller_client):
    version = DocumentVersionFactory(
        document=DocumentFactory(seller=seller_client.seller), status=VersionStatus.ACCEPTED, page_count=17
    )
    version.document.current_version = version
    version.document.save()
    response = _status(seller_client, version.document_id, pages_known="0")

    html = response.content.decode()
    assert "HX-Refresh" not in response
    assert 'data-hx-trigger="every 1s"' not in html
    assert "Je document is verwerkt: 17 pagina's." in html
    assert (
        '<section id="versions-section" aria-labelledby="versions-heading" data-hx-swap-oob="true">' in html
    )
    assert "<td>17</td>" in html
    assert "<td>Beschrijving nodig</td>" in html


def test_a_refused_first_upload_reloads_the_page_which_has_no_description_form(seller_client):
    version = DocumentVersionFactory(
        document=DocumentFactory(seller=seller_client.seller),
        status=VersionStatus.REJECTED,
        reason_code=Reason.ENCRYPTED,
        page_count=0,
    )
    response = _status(seller_client, version.document_id)
    assert response["HX-Refresh"] == "true"

    page = seller_client.get(reverse("selling:sell_document", kwargs={"pk": version.document_id}))
    html = page.content.decode()
    assert "met een wachtwoord beveiligd" in html
    assert 'id="describe-form"' not in html
    assert "Beschrijf je document" not in html
    assert reverse("selling:sell_delete", kwargs={"pk": version.document_id}) in html


def test_a_refused_new_version_of_a_document_on_sale_keeps_its_form(seller_client):
    listing = ListingFactory(seller=seller_client.seller)
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    DocumentVersionFactory(
        document=listing.document, number=2, status=VersionStatus.REJECTED, reason_code=Reason.ENCRYPTED
    )
    html = seller_client.get(
        reverse("selling:sell_document", kwargs={"pk": listing.document_id})
    ).content.decode()

    assert 'id="describe-form"' in html
    assert reverse("selling:sell_delete", kwargs={"pk": listing.document_id}) not in html


@pytest.mark.parametrize(
    ("status", "label", "pill"),
    [
        (ListingStatus.PUBLISHED, "Online", "online"),
        (ListingStatus.UNPUBLISHED, "Offline", "huidige versie"),
        (ListingStatus.TAKEN_DOWN, "Offline gehaald na een melding", "huidige versie"),
        (ListingStatus.DRAFT, "Wordt online gezet", "huidige versie"),
    ],
)
def test_a_version_shows_its_listings_state_never_gepubliceerd_while_offline(
    seller_client, status, label, pill
):
    listing = ListingFactory(seller=seller_client.seller, status=status)
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    html = seller_client.get(
        reverse("selling:sell_document", kwargs={"pk": listing.document_id})
    ).content.decode()

    table = html[
        html.index('<table id="versions">') : html.index("</table>", html.index('<table id="versions">'))
    ]
    assert "Gepubliceerd" not in table
    assert f"<td>{label}</td>" in table
    assert f'<span class="pill">{pill}</span>' in table


def test_an_older_version_is_shown_as_replaced(seller_client):
    listing = ListingFactory(seller=seller_client.seller)
    first = listing.document.current_version
    DocumentVersion.objects.filter(pk=first.pk).update(status=VersionStatus.ACCEPTED)
    second = DocumentVersionFactory(document=listing.document, number=2, status=VersionStatus.ACCEPTED)
    listing.document.current_version = second
    listing.document.save()
    html = seller_client.get(
        reverse("selling:sell_document", kwargs={"pk": listing.document_id})
    ).content.decode()

    assert "<td>Vervangen door een nieuwere versie</td>" in html
    assert html.count('<span class="pill">online</span>') == 1


def test_uploading_ones_own_file_again_offers_a_new_version_of_it(seller_client):
    seller = seller_client.seller
    content = pdf_bytes(pages=3)
    first = upload_store(seller=seller, file=ContentFile(content), original_name="marketing.pdf")
    upload_process(version_id=first.pk)
    ListingFactory(seller=seller, document=first.document, title="Samenvatting Marketing")
    again = upload_store(seller=seller, file=ContentFile(content), original_name="marketing (1).pdf")
    again = upload_process(version_id=again.pk)
    assert (again.status, again.reason_code) == (VersionStatus.REJECTED, Reason.EXACT_COPY)

    html = seller_client.get(
        reverse("selling:sell_document", kwargs={"pk": again.document_id})
    ).content.decode()

    assert "Je kunt alleen eigen werk verkopen" not in html
    assert "Dit bestand staat al bij je eigen documenten." in html
    assert "Samenvatting Marketing" in html
    new_version = reverse("selling:sell_new_version", kwargs={"pk": first.document_id})
    assert f'<a href="{new_version}" role="button" id="own-new-version">Nieuwe versie uploaden</a>' in html
