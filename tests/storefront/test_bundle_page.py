"""The public page of a bundle (issue 17), and where else a bundle shows: a listing's page, the
course page, the seller page, search and the sitemap."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studymarket.catalog.bundles import bundle_withdraw
from studymarket.catalog.models import Bundle
from studymarket.catalog.services import listing_unpublish
from studymarket.search.index_sync import search_rebuild
from tests.bundles import bundle_make, listings_of_one_course
from tests.factories import ListingFactory
from tests.logins import login

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def bundle() -> Bundle:
    # € 9,49 + € 7,49 = € 16,98 los; € 13,49 als bundel: € 3,49 bespaard.
    first, second = listings_of_one_course(prices=(949, 749))
    first.title, second.title = "Samenvatting Account Management", "Oefenvragen Account Management"
    first.save(update_fields=["title"])
    second.save(update_fields=["title"])
    return bundle_make(listings=[first, second], price_cents=1349, title="Account Management compleet")


def _html(client: Client, url: str) -> str:
    response = client.get(url, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_page_shows_the_documents_the_sum_the_price_and_the_saving(client, bundle):
    html = _html(client, bundle.get_absolute_url())

    assert "Account Management compleet" in html
    assert "Samenvatting en oefenvragen samen." in html  # the description
    assert "Je bespaart € 3,49" in html
    assert "€ 16,98" in html
    assert "€ 13,49" in html
    assert "€ 9,49" in html
    assert "€ 7,49" in html
    for listing in [item.listing for item in bundle.items.all()]:
        assert f'href="{listing.get_absolute_url()}"' in html
    assert "Samenvatting · 12 pagina's · 2020/2021" in html  # type, pages and year of each document
    assert bundle.seller.display_name in html
    assert bundle.course.name in html
    assert f'action="{reverse("checkout:bundle_add", args=[bundle.pk])}"' in html
    assert "In winkelwagen" in html


def test_a_wrong_slug_redirects_to_the_bundles_own_address(client, bundle):
    response = client.get(reverse("storefront:bundle", kwargs={"pk": bundle.pk, "slug": "oude-titel"}))

    assert response.status_code == 301
    assert response["Location"] == bundle.get_absolute_url()


def test_a_draft_has_no_page(client):
    draft = bundle_make(publish=False)

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_withdrawn_bundle_is_gone_without_a_buy_button(client, bundle):
    bundle_withdraw(bundle_id=bundle.pk, seller=bundle.seller)

    response = client.get(bundle.get_absolute_url())

    assert response.status_code == 410
    html = response.content.decode()
    assert "offline gehaald en niet meer te koop" in html
    assert "In winkelwagen" not in html


def test_a_bundle_with_a_document_taken_offline_is_not_for_sale(client, bundle):
    offline = bundle.items.all()[1].listing
    listing_unpublish(listing_id=offline.pk)

    html = _html(client, bundle.get_absolute_url())

    assert "nu niet te koop" in html
    assert "In winkelwagen" not in html
    assert f'href="{offline.get_absolute_url()}"' not in html
    assert "Niet meer online" in html


def test_the_seller_sees_their_own_bundle_without_a_buy_button(client, bundle):
    login(client, bundle.seller.user)

    html = _html(client, bundle.get_absolute_url())

    assert "Dit is je eigen bundel." in html
    assert "In winkelwagen" not in html


def test_the_page_reads_a_fixed_number_of_queries(client, bundle):
    url = bundle.get_absolute_url()
    with CaptureQueriesContext(connection) as two:
        _html(client, url)
    more = listings_of_one_course(seller=bundle.seller, course=bundle.course, prices=(499, 599, 699))
    bigger = bundle_make(listings=more, price_cents=1499, title="Groot")
    with CaptureQueriesContext(connection) as three:
        _html(client, bigger.get_absolute_url())

    assert len(three) == len(two) <= 6  # the bundle, its items (with listings), the session-less rest


def test_listing_pages_point_to_the_bundle(client, bundle):
    listing = bundle.items.all()[0].listing

    html = _html(client, listing.get_absolute_url())

    assert "Ook in bundel:" in html
    assert "Account Management compleet</a> (€ 13,49, je bespaart € 3,49)" in html
    assert bundle.get_absolute_url() in html


def test_course_and_seller_pages_list_the_bundle(client, bundle):
    for url in (bundle.course.get_absolute_url(), bundle.seller.get_absolute_url()):
        html = _html(client, url)
        assert bundle.get_absolute_url() in html, url
        assert "Je bespaart € 3,49" in html, url


def test_search_shows_the_bundle_above_the_documents(client, bundle, data_dir):
    ListingFactory(title="Statistiek samenvatting")
    search_rebuild()

    by_document = _html(client, reverse("search:search") + "?q=oefenvragen")
    by_title = _html(client, reverse("search:search") + "?q=compleet")
    elsewhere = _html(client, reverse("search:search") + "?q=statistiek")

    assert bundle.get_absolute_url() in by_document
    assert by_document.index('id="search-bundles"') < by_document.index('id="hits"')
    assert bundle.get_absolute_url() in by_title
    assert bundle.get_absolute_url() not in elsewhere


def test_a_change_shows_at_once_on_cached_pages(settings, bundle):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    listing = bundle.items.all()[0].listing
    assert "Ook in bundel" in _html(Client(), listing.get_absolute_url())
    assert "Je bespaart € 3,49" in _html(Client(), bundle.get_absolute_url())

    bundle_withdraw(bundle_id=bundle.pk, seller=bundle.seller)

    assert "Ook in bundel" not in _html(Client(), listing.get_absolute_url())
    assert Client().get(bundle.get_absolute_url()).status_code == 410


def test_the_sitemap_lists_bundles_on_sale(client, bundle):
    index = client.get("/sitemap.xml").content.decode()
    bundles = client.get("/sitemap-bundels.xml").content.decode()

    assert "/sitemap-bundels.xml" in index
    assert bundle.get_absolute_url() in bundles
    assert f"/en{bundle.get_absolute_url()}" in bundles


def _price_lowered(bundle: Bundle, cents: int = 100) -> None:
    # The seller lowered a document's price after making the bundle: € 9,49 + € 1,00 < € 13,49.
    listing = bundle.items.all()[1].listing
    listing.price_cents = cents
    listing.save(update_fields=["price_cents"])


def test_a_bundle_that_no_longer_saves_is_not_offered_on_its_page(client, bundle):
    _price_lowered(bundle)

    page = _html(client, bundle.get_absolute_url())

    assert "Deze bundel is nu niet te koop: los kosten de documenten niet meer dan de bundel." in page
    assert "In winkelwagen" not in page
    assert reverse("checkout:bundle_add", args=[bundle.pk]) not in page
    assert "Je bespaart" not in page
    assert '<span id="list-total">€ 10,49</span>' in page  # not struck through: it is no saving
    assert '<meta name="robots" content="noindex">' in page


def test_a_bundle_that_no_longer_saves_is_nowhere_else(client, bundle, data_dir):
    _price_lowered(bundle)
    search_rebuild()
    first = bundle.items.all()[0].listing

    on_listing = _html(client, first.get_absolute_url())
    on_course = _html(client, bundle.course.get_absolute_url())
    on_seller = _html(client, bundle.seller.get_absolute_url())
    searched = _html(client, reverse("search:search") + "?q=compleet")
    sitemap = client.get("/sitemap-bundels.xml").content.decode()
    api = client.get("/api/v1/search", {"q": "compleet"})
    api_bundle = client.get(f"/api/v1/bundles/{bundle.pk}")

    assert "Ook in bundel" not in on_listing
    for html in (on_listing, on_course, on_seller, searched, sitemap):
        assert bundle.get_absolute_url() not in html
    assert api.status_code == 200
    assert [item for item in api.json()["items"] if item["type"] == "bundle"] == []
    assert api_bundle.status_code == 404


def test_a_bundle_as_dear_as_its_documents_is_not_offered_either(client, bundle):
    _price_lowered(bundle, cents=400)  # € 9,49 + € 4,00 = € 13,49, the bundle's price

    assert "Ook in bundel" not in _html(client, bundle.items.all()[0].listing.get_absolute_url())
    assert "In winkelwagen" not in _html(client, bundle.get_absolute_url())
