""" "Particulier of zakelijk": the seller's form, the service behind it (every trader field
required and checked for a business, the self-certification, the audit of seller_kind)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from studymarket.accounts.models import SellerKind, SellerProfile
from studymarket.accounts.trader import TraderDetails, seller_identity_update, trader_details_complete
from studymarket.core.models import AuditEvent
from tests.accounts.trader_data import NL_VAT, make_business, trader_form_data
from tests.factories import SellerFactory, UserFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db

URL = "/account/verkopen/zakelijk/"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _audits(seller: SellerProfile) -> list[tuple[str, dict]]:
    return list(
        AuditEvent.objects.filter(object_type="accounts.sellerprofile", object_id=str(seller.pk))
        .exclude(action="seller_profile.created")
        .order_by("pk")
        .values_list("action", "data")
    )


@pytest.fixture
def seller_client(client):
    seller = SellerFactory()
    client.force_login(seller.user, backend=MODEL_BACKEND)
    client.seller = seller
    return client


def test_the_url_and_who_may_see_it(client):
    assert reverse("accounts:seller_identity") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")

    client.force_login(UserFactory(), backend=MODEL_BACKEND)  # not a seller
    response = client.get(URL)
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:become_seller"))


def test_the_form_shows_the_choice_and_the_declaration(seller_client):
    response = seller_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    page = _text(html)
    assert "Ik verkoop als" in page
    radios = re.findall(r'<input type="radio" name="seller_kind"[^>]*>', html)
    assert len(radios) == 2
    assert 'value="private"' in radios[0]
    assert "checked" in radios[0]
    assert 'value="business"' in radios[1]
    assert "checked" not in radios[1]
    assert "Particulier: ik verkoop mijn eigen studiemateriaal" in page
    assert "Zakelijk: ik verkoop als onderneming of zelfstandige" in page
    assert "Ik verklaar dat ik alleen producten aanbied die voldoen aan het EU-recht." in page
    assert '<input type="checkbox" name="self_certified" id="id_self_certified">' in html  # never pre-ticked


def test_a_business_seller_saves_complete_details(seller_client):
    seller = seller_client.seller

    response = seller_client.post(URL, trader_form_data())

    assert (response.status_code, response["Location"]) == (302, URL)
    seller.refresh_from_db()
    assert seller.seller_kind == SellerKind.BUSINESS
    assert seller.trader_legal_name == "Samenvattingen Janssens BV"
    assert seller.trader_address == "Kerkstraat 12\n9000 Gent\nBelgië"
    assert seller.trader_email == "info@janssens.example"
    assert seller.trader_phone == "+32 9 123 45 67"
    assert seller.trader_registration_number == "0403170701"
    assert seller.trader_vat_number == "BE0403170701"
    assert seller.trader_self_certified_at is not None
    assert trader_details_complete(seller)
    page = _text(seller_client.get(URL).content.decode())
    assert "Je zakelijke gegevens zijn opgeslagen. Kopers zien ze bij je documenten." in page
    assert 'value="0403.170.701"' in seller_client.get(URL).content.decode()


def test_every_trader_field_is_required_for_a_business(seller_client):
    seller = seller_client.seller
    empty = dict.fromkeys(
        ["legal_name", "address", "email", "phone", "registration_number", "vat_number"], ""
    )

    response = seller_client.post(URL, trader_form_data(**empty, self_certified=""))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "legal_name": ["Vul de naam in waaronder je onderneming ingeschreven staat."],
        "address": ["Vul het adres van je onderneming in: straat en huisnummer, postcode en plaats."],
        "email": ["Vul een e-mailadres in waarop kopers je onderneming kunnen bereiken."],
        "phone": [
            "Vul een telefoonnummer in waarop kopers je kunnen bereiken, bijvoorbeeld +31 20 123 4567 of "
            "020 123 4567."
        ],
        "registration_number": [
            "Vul alleen de cijfers in: je KvK-nummer (8 cijfers) of je ondernemingsnummer (KBO, 10 cijfers, "
            "zoals 0123.456.749)."
        ],
        "vat_number": [
            "Vul een Nederlands (NL123456789B01) of Belgisch (BE0123456749) btw-nummer in. Andere landen "
            "kunnen we nog niet aannemen."
        ],
        "self_certified": [
            "Verklaar dat je alleen producten aanbiedt die voldoen aan het EU-recht; zonder die verklaring "
            "kun je niet zakelijk verkopen."
        ],
    }
    assert "Controleer de gemarkeerde velden." in _text(response.content.decode())
    seller.refresh_from_db()
    assert (seller.seller_kind, seller.trader_legal_name) == (SellerKind.PRIVATE, "")
    assert _audits(seller) == []


def test_wrong_numbers_are_refused_field_by_field(seller_client):
    response = seller_client.post(
        URL, trader_form_data(registration_number="0403.170.702", vat_number="NL123456789B01")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"registration_number", "vat_number"}
    assert errors["registration_number"][0].startswith("Dit ondernemingsnummer (KBO) klopt niet")
    assert errors["vat_number"][0].startswith("Dit Nederlandse btw-nummer klopt niet")


def test_a_belgian_vat_number_must_be_the_enterprise_number(seller_client):
    response = seller_client.post(
        URL, trader_form_data(registration_number="0403.170.701", vat_number="BE0202239951")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "vat_number": ["Je Belgische btw-nummer is BE met je ondernemingsnummer: BE0403170701."]
    }


def test_a_dutch_business_with_kvk_and_btw(seller_client):
    response = seller_client.post(
        URL,
        trader_form_data(registration_number="1234 5678", vat_number="nl004495445b01", phone="020 123 4567"),
    )

    assert response.status_code == 302
    seller = SellerProfile.objects.get(pk=seller_client.seller.pk)
    assert (seller.trader_registration_number, seller.trader_vat_number) == ("12345678", NL_VAT)


def test_a_private_seller_needs_nothing_else(seller_client):
    response = seller_client.post(URL, {"seller_kind": "private"})

    assert response.status_code == 302
    seller = SellerProfile.objects.get(pk=seller_client.seller.pk)
    assert seller.seller_kind == SellerKind.PRIVATE
    assert trader_details_complete(seller)
    assert _audits(seller) == []  # nothing changed: nothing recorded


def test_the_kind_is_required(seller_client):
    response = seller_client.post(URL, {})

    assert response.status_code == 200
    assert response.context["form"].errors["seller_kind"] == [
        "Kies of je verkoopt als particulier of als onderneming."
    ]


def test_changes_of_kind_are_audited_and_saving_again_is_harmless():
    seller = SellerFactory()
    make_business(seller)
    first = SellerProfile.objects.get(pk=seller.pk).trader_self_certified_at

    make_business(seller)  # the same again (a double submit): nothing changes, nothing recorded
    assert SellerProfile.objects.get(pk=seller.pk).trader_self_certified_at == first

    seller_identity_update(seller=seller, actor=seller.user, seller_kind="private")

    audits = _audits(seller)
    assert [action for action, _ in audits] == [
        "seller_profile.seller_kind_changed",
        "seller_profile.trader_details_updated",
        "seller_profile.seller_kind_changed",
    ]
    assert audits[0][1] == {"before": "private", "after": "business"}
    assert audits[1][1]["fields"] == [
        "trader_legal_name",
        "trader_address",
        "trader_email",
        "trader_phone",
        "trader_registration_number",
        "trader_vat_number",
    ]
    assert "Janssens" not in str(audits)  # the audit names the fields, not the personal data
    assert audits[2][1] == {"before": "business", "after": "private"}
    seller.refresh_from_db()
    # Kept, hidden and unused (DSA art. 30(3): kept for six months after); private again.
    assert (seller.seller_kind, seller.trader_registration_number) == (SellerKind.PRIVATE, "0403170701")
    assert trader_details_complete(seller)


def test_an_unknown_kind_is_refused():
    seller = SellerFactory()
    with pytest.raises(ValidationError) as caught:
        seller_identity_update(
            seller=seller, actor=seller.user, seller_kind="company", details=TraderDetails()
        )
    assert caught.value.message_dict == {
        "seller_kind": ["Kies of je verkoopt als particulier of als onderneming."]
    }


def test_a_business_without_the_declaration_is_incomplete():
    seller = SellerFactory(
        seller_kind="business",
        trader_legal_name="X BV",
        trader_address="Straat 1",
        trader_email="x@example.test",
        trader_phone="020 123 4567",
        trader_registration_number="12345678",
        trader_vat_number=NL_VAT,
    )
    assert not trader_details_complete(seller)
