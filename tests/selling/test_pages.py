"""Who may use the seller's pages, and what the dashboard and the seller page show them."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import DocumentVersion, VersionStatus
from tests.factories import (
    DocumentFactory,
    DocumentVersionFactory,
    ListingFactory,
    SellerFactory,
    UserFactory,
)
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def listed(**kwargs) -> Listing:
    """A listing whose document's version went through processing (the factory's has not)."""
    listing = ListingFactory(**kwargs)
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    return listing


def _pages(pk: int) -> list[str]:
    """Every seller URL, with ``pk`` for those about one document."""
    return [
        reverse("selling:sell_dashboard"),
        reverse("selling:sell_upload"),
        reverse("selling:sell_document", kwargs={"pk": pk}),
        reverse("selling:sell_status", kwargs={"pk": pk}),
        reverse("selling:sell_new_version", kwargs={"pk": pk}),
        reverse("selling:sell_price") + "?price=9,49",
        reverse("selling:sell_courses") + "?course_query=ac",
        reverse("selling:sell_institutions") + "?new_institution=od",
        reverse("selling:sell_programmes") + "?new_institution=Odisee&new_programme=ba",
        reverse("selling:sell_book") + "?isbn=9789001234567",
    ]


def test_urls_are_dutch():
    assert reverse("selling:sell_dashboard") == "/verkopen/"
    assert reverse("selling:sell_upload") == "/verkopen/uploaden/"
    assert reverse("selling:sell_document", kwargs={"pk": 7}) == "/verkopen/documenten/7/"
    assert reverse("selling:sell_status", kwargs={"pk": 7}) == "/verkopen/documenten/7/status/"
    assert reverse("selling:sell_new_version", kwargs={"pk": 7}) == "/verkopen/documenten/7/nieuwe-versie/"
    assert reverse("selling:sell_price") == "/verkopen/prijs/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    version = DocumentVersionFactory()
    for url in _pages(version.document_id):
        response = client.get(url)
        location = urlsplit(response["Location"])
        assert response.status_code == 302, url
        assert (location.path, parse_qs(location.query)) == ("/account/inloggen/", {"next": [url]})


def test_users_who_are_not_sellers_are_sent_to_start_selling(client):
    client.force_login(UserFactory(), backend=MODEL_BACKEND)
    version = DocumentVersionFactory()
    for url in _pages(version.document_id):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/account/verkopen/start/", url
    # htmx fragments ask the browser to go there, instead of swapping a page into a fragment.
    response = client.get(reverse("selling:sell_price") + "?price=1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/account/verkopen/start/"


def test_a_seller_sees_only_their_own_documents(client):
    seller = SellerFactory()
    other_version = DocumentVersionFactory()  # another seller's
    client.force_login(seller.user, backend=MODEL_BACKEND)
    for url in _pages(other_version.document_id):
        if str(other_version.document_id) in url.split("/"):
            assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("selling:sell_document", kwargs={"pk": other_version.document_id})).status_code
        == 404
    )
    assert (
        client.post(reverse("selling:sell_retry", kwargs={"pk": other_version.document_id})).status_code
        == 404
    )


def test_dashboard_lists_the_sellers_documents_with_their_state(client):
    seller = SellerFactory()
    on_sale = listed(seller=seller, title="Samenvatting Marketing", price_cents=949)
    processing = DocumentVersionFactory(
        document=DocumentFactory(seller=seller),
        original_name="Statistiek.pdf",
        status=VersionStatus.PROCESSING,
    )
    refused = DocumentVersionFactory(
        document=DocumentFactory(seller=seller), original_name="scan.pdf", status=VersionStatus.REJECTED
    )
    ListingFactory(title="Van iemand anders")
    client.force_login(seller.user, backend=MODEL_BACKEND)

    html = client.get(reverse("selling:sell_dashboard")).content.decode()

    assert "<h1>Mijn verkopen</h1>" in html
    assert f'<a href="/verkopen/documenten/{on_sale.document_id}/">Samenvatting Marketing</a>' in html
    assert f'<a href="/verkopen/documenten/{processing.document_id}/">Statistiek.pdf</a>' in html
    assert f'<a href="/verkopen/documenten/{refused.document_id}/">scan.pdf</a>' in html
    assert "Van iemand anders" not in html
    assert '<span class="pill">Online</span>' in html
    assert '<span class="pill">Wordt verwerkt</span>' in html
    assert '<span class="pill">Geweigerd</span>' in html
    assert "<td>€ 9,49</td>" in html
    assert "<td>€ 6,27</td>" in html  # what the seller receives per sale
    assert '<a href="/verkopen/uploaden/" role="button">Document uploaden</a>' in html


def test_upload_link_on_the_seller_page_only_for_the_seller(client):
    seller = SellerFactory(display_name="anna-vat", slug="anna-vat")
    url = seller.get_absolute_url()
    link = '<a href="/verkopen/uploaden/" role="button">Document uploaden</a>'

    assert link not in client.get(url).content.decode()
    client.force_login(UserFactory(), backend=MODEL_BACKEND)
    assert link not in client.get(url).content.decode()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    assert link in client.get(url).content.decode()


def test_becoming_a_seller_leads_to_the_upload_link(client):
    user: User = UserFactory()
    client.force_login(user, backend=MODEL_BACKEND)

    response = client.post(
        reverse("accounts:become_seller"), {"display_name": "Bram Boekt", "bio": ""}, follow=True
    )

    assert response.redirect_chain == [("/verkoper/bram-boekt/", 302)]
    assert '<a href="/verkopen/uploaden/" role="button">Document uploaden</a>' in response.content.decode()


def test_upload_checks_the_csrf_token_itself():
    # The upload views are exempt from the middleware's check only to install the size limit first.
    seller = SellerFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(seller.user, backend=MODEL_BACKEND)

    response = client.post(reverse("selling:sell_upload"), {})

    assert response.status_code == 403


def test_listing_states_for_the_dashboard_pills(client):
    seller = SellerFactory()
    listed(seller=seller, status=ListingStatus.UNPUBLISHED)
    client.force_login(seller.user, backend=MODEL_BACKEND)

    html = client.get(reverse("selling:sell_dashboard")).content.decode()

    assert '<span class="pill">Offline</span>' in html
