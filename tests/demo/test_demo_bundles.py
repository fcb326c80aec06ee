"""The demo has a bundle (issue 17): demo-emre's two Micro-economie documents, below their sum."""

import pytest

from studymarket.catalog.bundle_selectors import bundle_buyable_list
from studymarket.catalog.models import Listing
from studymarket.storefront.demo.bundles import demo_bundles_load
from studymarket.storefront.demo.people import SELLERS
from tests.bundles import bundle_figures
from tests.demo.loading import DemoLoad

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_data")]


def test_demo_emre_sells_one_bundle_at_a_saving(demo_load: DemoLoad, client):
    (bundle,) = bundle_buyable_list().filter(seller__user__email=SELLERS["demo-emre"].email)

    assert bundle.title == "Micro-economie UvA: samenvatting + oefenvragen"
    assert bundle.price_cents == 9_99
    assert bundle_figures(bundle) == (2, 12_48, 2_49)
    html = client.get(bundle.get_absolute_url()).content.decode()
    assert "Je bespaart € 2,49" in html
    assert "Ook in bundel" in client.get(bundle.items.all()[0].listing.get_absolute_url()).content.decode()


def test_loading_the_bundles_again_makes_none(demo_load: DemoLoad):
    listings = {listing.slug: listing for listing in Listing.objects.all()}

    assert demo_bundles_load(listings=listings) == 0
