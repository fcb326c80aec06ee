"""The seller's dashboard: views, sales, conversion (sales per view, "3,2%") and earnings per
listing and in total, and the seller's reputation tier with the points to the next one."""

import pytest
from django.urls import reverse
from django.utils import timezone

from studymarket.catalog.models import Listing
from studymarket.documents.models import DocumentVersion, VersionStatus
from tests.factories import ListingFactory, OrderLineFactory, SellerFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _listing(seller, **kwargs) -> Listing:
    listing = ListingFactory(seller=seller, **kwargs)
    DocumentVersion.objects.filter(document=listing.document).update(status=VersionStatus.ACCEPTED)
    return listing


def _dashboard(seller, client) -> str:
    client.force_login(seller.user, backend=MODEL_BACKEND)
    content: bytes = client.get(reverse("selling:sell_dashboard")).content
    return content.decode().replace("\xa0", " ")


def _row(html: str, title: str) -> str:
    start = html.index(f">{title}</a>")
    return html[start : html.index("</tr>", start)]


def test_views_sales_conversion_and_earnings_per_listing_and_in_total(client):
    seller = SellerFactory()
    marketing = _listing(seller, title="Marketing", price_cents=949)
    OrderLineFactory(listing=marketing)
    OrderLineFactory(listing=marketing)
    OrderLineFactory(listing=marketing, refunded_at=timezone.now())  # reversed: not earned
    Listing.objects.filter(pk=marketing.pk).update(view_count=250, sold_count=8)
    statistiek = _listing(seller, title="Statistiek", price_cents=499)
    Listing.objects.filter(pk=statistiek.pk).update(view_count=0, sold_count=0)

    html = _dashboard(seller, client)

    row = _row(html, "Marketing")
    assert '<td class="amount">250</td>' in row
    assert '<td class="amount">8</td>' in row
    assert '<td class="amount">3,2%</td>' in row
    assert '<td class="amount">€ 12,54</td>' in row  # 2 × € 6,27
    row = _row(html, "Statistiek")
    assert '<td class="amount"><span class="muted">—</span></td>' in row  # no views, no conversion
    assert '<td class="amount">€ 0,00</td>' in row
    figures = html[html.index('id="seller-figures"') : html.index("</dl>")]
    assert "<dt>Bekeken</dt><dd>250</dd>" in figures
    assert "<dt>Verkocht</dt><dd>8</dd>" in figures
    assert '<dd id="total-conversion">3,2%</dd>' in figures
    assert "<dt>Verdiend</dt><dd>€ 12,54</dd>" in figures


def test_the_tier_and_the_points_to_the_next(client):
    seller = SellerFactory()
    listing = _listing(seller)
    Listing.objects.filter(pk=listing.pk).update(sold_count=30, view_count=600)

    html = _dashboard(seller, client)

    tier = html[html.index('id="seller-tier"') : html.index("</dl>")]
    assert "<dd>Brons</dd>" in tier
    assert "30 punten · nog 70 punten tot Zilver" in tier
    assert '<progress value="5" max="75"' in tier  # 30 of Brons's 25..100


def test_a_new_seller_has_no_tier_yet(client):
    seller = SellerFactory()

    html = _dashboard(seller, client)

    assert "<dd>Nog geen niveau</dd>" in html
    assert "0 punten · nog 25 punten tot Brons" in html
    assert '<dd id="total-conversion">—</dd>' in html


def test_upload_and_the_other_actions_are_apart(client):
    html = _dashboard(SellerFactory(), client)

    actions = html[
        html.index('<div class="seller-actions">') : html.index("</div>", html.index("seller-actions"))
    ]
    assert f'<a href="{reverse("selling:sell_upload")}" role="button">Document uploaden</a>' in actions
    assert "Mijn verdiensten" in actions
