"""A seller deletes a refused draft (selling.deletion): after a confirmation, by POST with the
CSRF token, with an audit event, its stored files gone. Never a document that was accepted, has
a sale, an entitlement, or is evidence in someone else's case; never someone else's."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.core.audit import AuditEvent
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import Document, DocumentVersion, OriginalityMatch, VersionStatus
from studymarket.documents.reasons import Reason
from studymarket.selling.deletion import document_delete
from tests.factories import (
    DocumentFactory,
    DocumentVersionFactory,
    ListingFactory,
    OrderLineFactory,
    SellerFactory,
)
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _refused(seller, **kwargs) -> DocumentVersion:
    return DocumentVersionFactory(
        document=DocumentFactory(seller=seller),
        status=VersionStatus.REJECTED,
        reason_code=Reason.ENCRYPTED,
        original_name="beveiligd.pdf",
        **kwargs,
    )


def _url(pk: int) -> str:
    return reverse("selling:sell_delete", kwargs={"pk": pk})


@pytest.fixture
def seller_client(client):
    seller = SellerFactory()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    client.seller = seller
    return client


def test_the_seller_confirms_then_the_refused_draft_is_gone(
    seller_client, django_capture_on_commit_callbacks
):
    storage = storages["default"]
    name = storage.save("documents/test/upload.pdf", ContentFile(b"%PDF-1.7 kapot"))
    version = _refused(seller_client.seller, file=name)
    draft = ListingFactory(
        seller=seller_client.seller, document=version.document, status=ListingStatus.DRAFT, published_at=None
    )

    confirm = seller_client.get(_url(version.document_id))
    html = confirm.content.decode()
    assert "Weet je zeker dat je <strong>beveiligd.pdf</strong> wilt verwijderen?" in html
    assert 'name="csrfmiddlewaretoken"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(_url(version.document_id))

    assert response.status_code == 302
    assert response["Location"] == reverse("selling:sell_dashboard")
    assert not Document.objects.filter(pk=version.document_id).exists()
    assert not DocumentVersion.objects.filter(pk=version.pk).exists()
    assert not Listing.objects.filter(pk=draft.pk).exists()
    assert not storage.exists(name)
    event = AuditEvent.objects.get(action="document.deleted")
    assert event.object_id == str(version.document_id)
    assert event.data["versions"][0]["name"] == "beveiligd.pdf"
    assert event.actor == seller_client.seller.user
    dashboard = seller_client.get(reverse("selling:sell_dashboard")).content.decode()
    assert "De geweigerde upload is verwijderd." in dashboard


def test_deleting_needs_the_csrf_token():
    seller = SellerFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(seller.user, backend=MODEL_BACKEND)
    version = _refused(seller)

    assert client.post(_url(version.document_id)).status_code == 403
    assert Document.objects.filter(pk=version.document_id).exists()


def test_someone_elses_draft_is_not_found(seller_client):
    version = _refused(SellerFactory())

    assert seller_client.get(_url(version.document_id)).status_code == 404
    assert seller_client.post(_url(version.document_id)).status_code == 404
    assert Document.objects.filter(pk=version.document_id).exists()


def test_a_document_on_sale_cannot_be_deleted(seller_client):
    listing = ListingFactory(seller=seller_client.seller)
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    DocumentVersionFactory(document=listing.document, number=2, status=VersionStatus.REJECTED)

    response = seller_client.post(_url(listing.document_id))

    assert response.status_code == 200
    assert "je kunt het offline halen, niet verwijderen" in response.content.decode()
    assert Document.objects.filter(pk=listing.document_id).exists()
    with pytest.raises(ApplicationError):
        document_delete(seller=seller_client.seller, document_id=listing.document_id)


def test_a_document_with_a_sale_is_never_deleted(seller_client):
    # A listing that was sold, even if its document's versions were all refused later on (a
    # state the pipeline never makes, so the sale itself is what protects it).
    line = OrderLineFactory(listing=ListingFactory(seller=seller_client.seller))
    document = line.listing.document
    Document.objects.filter(pk=document.pk).update(current_version=None)
    DocumentVersion.objects.filter(document=document).update(status=VersionStatus.REJECTED)

    with pytest.raises(ApplicationError, match="verkocht"):
        document_delete(seller=seller_client.seller, document_id=document.pk)
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_document_compared_in_someone_elses_case_is_kept(seller_client):
    version = _refused(seller_client.seller)
    other = DocumentVersionFactory(status=VersionStatus.HELD_FOR_REVIEW)
    OriginalityMatch.objects.create(version=other, earlier_version=version, kind="near", similarity=0.3)

    with pytest.raises(ApplicationError, match="controle"):
        document_delete(seller=seller_client.seller, document_id=version.document_id)


def test_a_document_still_processing_cannot_be_deleted(seller_client):
    version = DocumentVersionFactory(
        document=DocumentFactory(seller=seller_client.seller), status=VersionStatus.PROCESSING
    )
    html = seller_client.get(_url(version.document_id)).content.decode()

    assert "Alleen een geweigerde upload kun je verwijderen." in html
    with pytest.raises(ApplicationError):
        document_delete(seller=seller_client.seller, document_id=version.document_id)
