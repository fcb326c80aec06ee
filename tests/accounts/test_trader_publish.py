"""A business seller without complete trader information puts nothing on sale (DSA art. 30):
the describe form says so with a link to the form, a waiting draft stays a draft, and once the
information is complete the same steps put the listing on sale. A private seller is not held."""

import re

import pytest

from studymarket.accounts.trader import TraderDetailsIncomplete, trader_details_require
from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.selling.services import listing_publish_if_ready
from tests.accounts.trader_data import make_business
from tests.factories import CourseFactory, ListingFactory, SellerFactory, document_with_pages
from tests.logins import MODEL_BACKEND
from tests.selling.drafts import describe_data

pytestmark = pytest.mark.django_db

IDENTITY_URL = "/account/verkopen/zakelijk/"
MESSAGE = (
    "Je verkoopt zakelijk, maar je bedrijfsgegevens zijn nog niet compleet. Vul ze eerst in onder "
    "“Particulier of zakelijk” en sla daarna deze beschrijving opnieuw op."
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _incomplete_business():
    # Said "business" (as an older form, or the admin, might have left it) but gave nothing.
    return SellerFactory(seller_kind="business")


def test_the_rule():
    trader_details_require(SellerFactory())  # private: nothing to give
    with pytest.raises(TraderDetailsIncomplete) as caught:
        trader_details_require(_incomplete_business())
    assert caught.value.message == MESSAGE


def test_the_describe_form_refuses_and_links_to_the_form(client):
    seller = _incomplete_business()
    document = document_with_pages(seller=seller, page_count=6)
    client.force_login(seller.user, backend=MODEL_BACKEND)
    url = f"/verkopen/documenten/{document.pk}/"

    page = client.get(url).content.decode()
    assert f'<a href="{IDENTITY_URL}">Vul je bedrijfsgegevens in</a>' in page

    response = client.post(url, describe_data(CourseFactory()))

    assert response.status_code == 200
    html = response.content.decode()
    assert MESSAGE in _text(html).replace("&quot;", '"')
    assert f'<a href="{IDENTITY_URL}">Vul je bedrijfsgegevens in</a>' in html
    assert not Listing.objects.filter(document=document).exists()

    # Complete, and the same form is saved.
    make_business(seller)
    course = CourseFactory()
    response = client.post(url, describe_data(course))
    assert (response.status_code, response["Location"]) == (302, url)
    assert Listing.objects.filter(document=document).exists()
    assert "Vul je bedrijfsgegevens in" not in client.get(url).content.decode()


def test_a_private_seller_is_not_held(client):
    seller = SellerFactory()
    document = document_with_pages(seller=seller, page_count=6)
    client.force_login(seller.user, backend=MODEL_BACKEND)

    response = client.post(f"/verkopen/documenten/{document.pk}/", describe_data(CourseFactory()))

    assert response.status_code == 302
    assert Listing.objects.filter(document=document).exists()


def _ready_draft(seller) -> Listing:
    listing = ListingFactory(seller=seller, status=ListingStatus.DRAFT, published_at=None)
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    return listing


def test_a_waiting_draft_stays_a_draft_until_the_details_are_complete():
    seller = _incomplete_business()
    listing = _ready_draft(seller)

    assert listing_publish_if_ready(listing_id=listing.pk).status == ListingStatus.DRAFT

    make_business(seller)
    assert listing_publish_if_ready(listing_id=listing.pk).status == ListingStatus.PUBLISHED


def test_control_a_private_sellers_ready_draft_is_published():
    listing = _ready_draft(SellerFactory())
    assert listing_publish_if_ready(listing_id=listing.pk).status == ListingStatus.PUBLISHED


def test_the_dashboard_says_what_to_do(client):
    seller = _incomplete_business()
    client.force_login(seller.user, backend=MODEL_BACKEND)

    html = client.get("/verkopen/").content.decode()

    assert 'id="trader-incomplete"' in html
    assert f'<a href="{IDENTITY_URL}">Vul je bedrijfsgegevens in</a>' in html
    assert f'<a href="{IDENTITY_URL}" id="seller-identity-link">Particulier of zakelijk</a>' in html

    make_business(seller)
    assert 'id="trader-incomplete"' not in client.get("/verkopen/").content.decode()
