"""The seller's pages under /verkopen/kortingscodes/, and platform campaigns in the admin."""

import html
import re

import pytest
from django.urls import reverse

from studymarket.orders.services import order_create
from studymarket.promotions.models import DiscountCode
from studymarket.promotions.services import discount_redeem
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.logins import login
from tests.promotions.promotion_helpers import code_make, days


@pytest.fixture
def seller_client(client, seller):
    login(client, seller.user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _form(**fields):
    data = {"code": "", "kind": "percent", "percent": "10", "amount": "", "valid_from": days(0).isoformat()}
    data.update(fields)
    return data


def test_the_dashboard_links_to_the_codes(seller_client):
    response = seller_client.get(reverse("selling:sell_dashboard"))

    assert 'href="/verkopen/kortingscodes/"' in response.content.decode()


def test_the_list_shows_the_sellers_own_codes_with_uses_remaining_and_validity(
    seller_client, seller, listing
):
    code = code_make(seller=seller, code="TENTAMEN10", max_uses=5, valid_until=days(30))
    code_make(seller=SellerFactory(), code="NIETVANMIJ")
    buyer = UserFactory()
    order = order_create(buyer=buyer, listings=[listing])
    discount_redeem(code_id=code.pk, buyer=buyer, order_id=order.pk, total_cents=95)

    response = seller_client.get(reverse("promotions:codes"))

    assert response.status_code == 200
    text = _text(response)
    assert "TENTAMEN10" in text
    assert "NIETVANMIJ" not in text
    row = text[text.index("TENTAMEN10") :]
    assert row.split()[:1] == ["TENTAMEN10"]
    assert "10%" in row
    assert f"{days(0).day} " in row
    assert " t/m " in row
    assert " 1 4 Actief" in row  # used once, four to go


def test_a_seller_makes_a_code_with_dutch_dates_and_amounts(seller_client, seller, listing):
    response = seller_client.post(
        reverse("promotions:code_new"),
        _form(
            code="zomer 2026",
            kind="amount",
            percent="",
            amount="2,50",
            valid_from=days(1).strftime("%d-%m-%Y"),
            valid_until=days(31).strftime("%d-%m-%Y"),
            max_uses="50",
            listings=[str(listing.pk)],
        ),
    )

    code = DiscountCode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("promotions:code", kwargs={"pk": code.pk})
    assert (code.code, code.kind, code.amount_cents, code.percent, code.max_uses) == (
        "ZOMER2026",
        "amount",
        250,
        None,
        50,
    )
    assert (code.valid_from, code.valid_until) == (days(1), days(31))
    assert list(code.listings.all()) == [listing]
    page = _text(seller_client.get(response["Location"]))
    assert "Je kortingscode ZOMER2026 is klaar om te delen." in page
    assert "€ 2,50" in page
    assert listing.title in page


def test_an_empty_code_field_gets_a_generated_code(seller_client, seller):
    seller_client.post(reverse("promotions:code_new"), _form())

    assert len(DiscountCode.objects.get(seller=seller).code) == 10


def test_the_form_explains_the_cap_with_the_sellers_cheapest_price(seller_client, seller):
    ListingFactory(seller=seller, price_cents=949)

    text = _text(seller_client.get(reverse("promotions:code_new")))

    assert "Bij een prijs van € 9,49 is dat € 7,59." in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"percent": ""}, "Vul het percentage in, bijvoorbeeld 10."),
        ({"percent": "95"}, "Kies een percentage van 1 tot en met 90."),
        ({"kind": "amount", "amount": "twee euro"}, "Vul een bedrag in euro's in, bijvoorbeeld 2,50."),
        ({"valid_until": "2020-01-01"}, "De laatste dag ligt vóór de eerste. Kies een latere datum."),
        ({"valid_from": "31-02-2026"}, "Vul een datum in, bijvoorbeeld 30-07-2026."),
        ({"code": "KORT"}, "Een code heeft 6 tot 20 letters en cijfers, zonder spaties of tekens."),
    ],
)
def test_mistakes_are_named_next_to_their_field(seller_client, fields, message):
    response = seller_client.post(reverse("promotions:code_new"), _form(**fields))

    assert response.status_code == 400
    assert message in _text(response)
    assert not DiscountCode.objects.exists()


def test_a_taken_code_is_named_next_to_the_code_field(seller_client):
    code_make(seller=SellerFactory(), code="TENTAMEN10")

    response = seller_client.post(reverse("promotions:code_new"), _form(code="Tentamen10"))

    assert response.status_code == 400
    assert 'id="id_code_error"' in response.content.decode()
    assert "Deze code is al in gebruik." in _text(response)


def test_a_seller_switches_their_code_off(seller_client, seller):
    code = code_make(seller=seller, code="TENTAMEN10")

    response = seller_client.post(reverse("promotions:code", kwargs={"pk": code.pk}))

    code.refresh_from_db()
    assert code.disabled_at is not None
    page = _text(seller_client.get(response["Location"]))
    assert "De code TENTAMEN10 is uitgezet." in page
    assert "Uitgezet" in page


def test_another_sellers_code_is_not_found(seller_client):
    theirs = code_make(seller=SellerFactory(), code="NIETVANMIJ")
    url = reverse("promotions:code", kwargs={"pk": theirs.pk})

    assert seller_client.get(url).status_code == 404
    assert seller_client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.disabled_at is None


def test_someone_without_a_seller_profile_is_sent_to_become_a_seller(client, db):
    login(client, UserFactory())

    response = client.get(reverse("promotions:codes"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:become_seller")


# --- Staff: platform campaigns in the admin ---------------------------------------------------


def test_staff_make_a_platform_campaign_in_the_admin_and_see_its_uses(client, listing):
    staff = UserFactory(is_staff=True, is_superuser=True)
    login(client, staff)

    response = client.post(
        reverse("admin:promotions_discountcode_add"),
        {"code": "welkom2026", "kind": "percent", "percent": "15", "valid_from": days(0).isoformat()},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    code = DiscountCode.objects.get()
    assert (code.code, code.seller, code.percent, code.created_by) == ("WELKOM2026", None, 15, staff)
    buyer = UserFactory()
    order = order_create(buyer=buyer, listings=[listing])
    discount_redeem(code_id=code.pk, buyer=buyer, order_id=order.pk, total_cents=142)
    changelist = client.get(reverse("admin:promotions_discountcode_changelist"))
    assert changelist.status_code == 200
    assert re.search(r'class="field-uses">1<', changelist.content.decode())
    # Its page lists the use; nothing on it can be changed, and staff switch it off by the action.
    page = client.get(reverse("admin:promotions_discountcode_change", args=[code.pk]))
    assert page.status_code == 200
    assert order.number in page.content.decode()
    client.post(
        reverse("admin:promotions_discountcode_changelist"),
        {"action": "disable", "_selected_action": [str(code.pk)]},
    )
    code.refresh_from_db()
    assert code.disabled_at is not None
