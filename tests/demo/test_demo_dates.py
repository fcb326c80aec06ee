"""The demo's dates tell one story (issue 16, defect 6): an account before its first upload or
purchase, an upload minutes before its listing is published, sales after the publication,
reviews after their sale, everything before the load; and the reference listing's upload date,
"30 juli 2021", wherever the listing's upload is shown. Also the demo's accounts by role: a
staff member who can sign in with the published two-factor secret, and sellers in every
reputation tier with the sales and reviews their pages show.

The demo is loaded once for this module, in a transaction rolled back at the end."""

import re
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Min, Sum
from django.template.defaultfilters import date as date_filter
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Listing
from studymarket.catalog.reputation import seller_reputation
from studymarket.documents.models import Document, DocumentVersion
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.reviews.models import Review
from studymarket.storefront.demo import load
from studymarket.storefront.demo.listings import reference_facts
from studymarket.storefront.demo.load import demo_data_load
from studymarket.storefront.demo.people import (
    BUYERS,
    CROWD_BUYERS,
    DEMO_PASSWORD,
    DEMO_STAFF_TOTP_SECRET,
    REGULAR_BUYERS,
    SELLERS,
    STAFF,
)
from studymarket.storefront.demo.staff import demo_staff_code, demo_staff_wanted
from tests.demo.loading import DemoLoad
from tests.logins import MODEL_BACKEND

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_data")]

FACTS = reference_facts()["listing"]
SHOWN_UPLOAD_DATE = FACTS["shown_upload_date_nl"]  # "30 juli 2021"
STAFF_EMAIL = next(iter(STAFF.values())).email


@pytest.fixture
def loaded(demo_load: DemoLoad) -> datetime:
    """The moment of loading."""
    return demo_load.now


@pytest.fixture
def reference(loaded) -> Listing:
    return Listing.objects.select_related("document__current_version", "seller__user").get(
        title=FACTS["title"]
    )


def _today_nl() -> str:
    with translation.override("nl"):
        return str(date_filter(timezone.localtime(), "j F Y"))


def test_every_listing_was_uploaded_then_published_before_the_load(loaded):
    listings = Listing.objects.select_related("document")
    assert listings.count() == 56
    for listing in listings:
        versions = DocumentVersion.objects.filter(document=listing.document)
        assert listing.published_at is not None, listing.title
        assert listing.document.created_at <= listing.published_at <= loaded, listing.title
        for version in versions:
            assert version.created_at <= listing.published_at, listing.title
            assert version.processed_at is not None
            assert version.created_at <= version.processed_at <= listing.published_at, listing.title
            # Uploaded the same day it was published, as the seller's version list says.
            published_day = timezone.localtime(listing.published_at).date()
            assert timezone.localtime(version.created_at).date() == published_day, listing.title
        assert listing.created_at <= listing.published_at


def test_sales_follow_the_publication_and_reviews_their_sale(loaded):
    lines = OrderLine.objects.select_related("order", "listing")
    assert lines.count() > 0
    for line in lines:
        order = line.order
        assert order.status == OrderStatus.PAID
        assert order.paid_at is not None
        assert line.listing.published_at is not None
        assert line.listing.published_at < order.created_at <= order.paid_at <= loaded, line.listing.title
    for review in Review.objects.select_related("order_line__order"):
        assert review.order_line is not None
        paid_at = review.order_line.order.paid_at
        assert paid_at is not None
        assert paid_at < review.created_at <= loaded


def test_accounts_joined_before_their_first_upload_or_purchase(loaded):
    for spec in SELLERS.values():
        profile = SellerProfile.objects.select_related("user").get(user__email=spec.email)
        first_upload = profile.documents.aggregate(first=Min("created_at"))["first"]
        first_published = Listing.objects.filter(seller=profile).aggregate(first=Min("published_at"))["first"]
        assert first_upload is not None
        assert first_published is not None
        assert profile.user.date_joined <= profile.created_at < first_upload <= first_published, spec.key
    for spec in BUYERS.values():
        user = User.objects.get(email=spec.email)
        first_paid = OrderLine.objects.filter(order__buyer=user).aggregate(first=Min("order__paid_at"))[
            "first"
        ]
        assert first_paid is not None, spec.key
        assert user.date_joined < first_paid, spec.key


def test_reference_listing_page_says_uploaded_30_july_2021(client, reference):
    html = client.get(reference.get_absolute_url()).content.decode()

    assert f'<time datetime="{FACTS["uploaded_on"]}">{SHOWN_UPLOAD_DATE}</time>' in html
    assert _today_nl() not in html
    # The seller card: a member since before the upload.
    joined = re.search(r"Lid sinds (\w+ \d{4})", html)
    assert joined is not None
    assert joined.group(1) in {"april 2021", "mei 2021", "juni 2021", "juli 2021"}


def test_reference_seller_document_page_lists_the_version_of_30_july_2021(client, reference):
    client.force_login(reference.seller.user, backend=MODEL_BACKEND)

    html = client.get(reverse("selling:sell_document", kwargs={"pk": reference.document_id})).content.decode()

    versions = html.split('id="versions"', 1)[1].split("</table>", 1)[0]
    assert f"{SHOWN_UPLOAD_DATE}, 11:" in versions
    assert _today_nl() not in html


def test_reference_seller_dashboard_and_page_tell_the_same_date(client, reference):
    client.force_login(reference.seller.user, backend=MODEL_BACKEND)
    dashboard = client.get(reverse("selling:sell_dashboard")).content.decode()
    assert SHOWN_UPLOAD_DATE in dashboard
    assert _today_nl() not in dashboard

    seller_page = client.get(
        reverse("catalog:seller", kwargs={"slug": reference.seller.slug})
    ).content.decode()
    assert "Lid sinds " in seller_page
    assert "Lid sinds december 2026" not in seller_page


def test_buyers_library_shows_the_version_of_30_july_2021(client, reference):
    buyer = OrderLine.objects.filter(listing=reference).order_by("order__paid_at")[0].order.buyer
    client.force_login(buyer, backend=MODEL_BACKEND)

    html = client.get(reverse("library:index")).content.decode()

    assert f"Versie van {SHOWN_UPLOAD_DATE}" in html


def test_a_demo_loaded_before_gets_its_dates_put_right(reference, monkeypatch):
    """A database loaded before the dates told one story: its document, version and seller
    were dated the day of loading. The next load puts them right."""
    today = timezone.now()
    Document.objects.filter(pk=reference.document_id).update(created_at=today)
    DocumentVersion.objects.filter(document_id=reference.document_id).update(created_at=today)
    User.objects.filter(pk=reference.seller.user_id).update(date_joined=today)
    SellerProfile.objects.filter(pk=reference.seller_id).update(created_at=today)
    monkeypatch.setattr(load, "_complete", lambda sales: False)

    demo_data_load()

    version = DocumentVersion.objects.get(document_id=reference.document_id, number=1)
    assert timezone.localtime(version.created_at).date() == date.fromisoformat(FACTS["uploaded_on"])
    assert Document.objects.get(pk=reference.document_id).created_at == version.created_at
    seller = SellerProfile.objects.select_related("user").get(pk=reference.seller_id)
    assert seller.user.date_joined < seller.created_at < version.created_at


# --- accounts by role ------------------------------------------------------------------------


def test_demo_sellers_are_spread_over_every_tier(loaded):
    tiers = {}
    for spec in SELLERS.values():
        seller = SellerProfile.objects.get(user__email=spec.email)
        reputation = seller_reputation(seller=seller)
        # The points are the sales and reviews the pages show: sold_count is the paid lines.
        sold = Listing.objects.filter(seller=seller).aggregate(total=Sum("sold_count"))["total"]
        assert reputation.sales == sold == OrderLine.objects.filter(listing__seller=seller).count()
        assert reputation.good_reviews == Review.objects.filter(listing__seller=seller, rating__gte=4).count()
        tiers[spec.key] = reputation.tier.key if reputation.tier else None
    assert tiers == {
        "demo-seller": None,
        "demo-sanne": None,
        "demo-paula": None,
        "demo-noah": "bronze",
        "demo-mila": "bronze",
        "demo-joris": "silver",
        "demo-emre": "gold",
    }


def test_gold_seller_page_shows_the_tier_with_its_sales(client, loaded):
    seller = SellerProfile.objects.get(user__email="demo-emre@studymarket.localhost")
    sold = Listing.objects.filter(seller=seller).aggregate(total=Sum("sold_count"))["total"]

    html = client.get(reverse("catalog:seller", kwargs={"slug": seller.slug})).content.decode()

    assert "Verkoper Goud" in html
    assert f"{sold:,}".replace(",", ".") + " keer verkocht" in html


def test_staff_account_signs_in_with_the_published_two_factor_secret(client, loaded):
    assert demo_staff_wanted()
    staff = User.objects.get(email=STAFF_EMAIL)
    assert staff.is_staff
    assert not staff.is_superuser
    assert staff.check_password(DEMO_PASSWORD)
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1

    client.force_login(staff, backend=MODEL_BACKEND)
    response = client.get("/beheer/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:twofactor"))  # the code, no set-up
    response = client.post(reverse("accounts:twofactor"), {"token": demo_staff_code(), "next": "/beheer/"})
    assert response.status_code == 302
    assert client.get("/beheer/").status_code == 200
    assert client.get("/beheer/accounts/user/").status_code == 200  # the admin, to look


@override_settings(PRODUCTION=True, DEMO_MODE=True)
def test_no_staff_account_in_production(loaded):
    User.objects.filter(email=STAFF_EMAIL).delete()

    assert demo_data_load().already_loaded
    assert not User.objects.filter(email=STAFF_EMAIL).exists()


def test_load_command_prints_the_accounts_by_role(loaded):
    out = StringIO()

    call_command("demo_data", stdout=out)

    text = out.getvalue()
    assert f"password '{DEMO_PASSWORD}'" in text
    seller_line = next(line for line in text.splitlines() if line.strip().startswith("seller:"))
    assert all(spec.email in seller_line for spec in SELLERS.values())
    buyer_line = next(line for line in text.splitlines() if line.strip().startswith("buyer:"))
    assert all(spec.email in buyer_line for spec in REGULAR_BUYERS)
    assert CROWD_BUYERS[-1].email in text
    assert f"staff:  {STAFF_EMAIL}" in text
    assert DEMO_STAFF_TOTP_SECRET in text
