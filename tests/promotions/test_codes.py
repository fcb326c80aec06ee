"""Discount codes: the text of a code, and making and switching off codes (promotions.services)."""

import pytest
from django.db import IntegrityError, transaction

from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.promotions.codes import (
    GENERATED_ALPHABET,
    code_generate,
    code_normalise,
    code_well_formed,
)
from studymarket.promotions.models import DiscountCode
from studymarket.promotions.services import discount_code_disable
from tests.factories import ListingFactory, SellerFactory
from tests.promotions.promotion_helpers import code_make, days

TOO_MANY = "Te veel onjuiste codes geprobeerd. Probeer het over een uur opnieuw."


def test_a_typed_code_is_read_without_spaces_and_in_capitals():
    assert code_normalise(" tentamen 10\t") == "TENTAMEN10"


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("TENTAMEN10", True),
        ("ABC123", True),
        ("A" * 20, True),
        ("ABC12", False),  # 5
        ("A" * 21, False),
        ("TENTAMEN-10", False),
        ("KORTING€", False),
        ("", False),
    ],
)
def test_a_chosen_code_has_6_to_20_letters_and_digits(code, ok):
    assert code_well_formed(code) is ok


def test_generated_codes_are_10_characters_without_0_o_1_i_and_all_differ():
    codes = {code_generate() for _ in range(500)}

    assert len(codes) == 500
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(GENERATED_ALPHABET)
        assert not set(code) & set("0O1I")


def test_a_seller_chooses_their_code_in_any_case_and_it_is_stored_in_capitals(seller):
    code = code_make(seller=seller, code="Tentamen10")

    assert code.code == "TENTAMEN10"
    assert code.seller == seller
    assert code.created_by == seller.user
    assert AuditEvent.objects.filter(action="discount_code.created", object_id=str(code.pk)).exists()


def test_without_a_chosen_code_one_is_generated(seller):
    code = code_make(seller=seller)

    assert len(code.code) == 10
    assert set(code.code) <= set(GENERATED_ALPHABET)


def test_a_taken_code_is_refused_whatever_its_case(seller):
    code_make(seller=SellerFactory(), code="TENTAMEN10")

    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, code="tentamen10")

    assert refused.value.message.startswith("Deze code is al in gebruik.")
    assert refused.value.extra == {"field": "code"}
    assert DiscountCode.objects.count() == 1


def test_trying_taken_codes_counts_as_wrong_codes_so_choosing_cannot_enumerate_them(seller):
    code_make(seller=SellerFactory(), code="TENTAMEN10")
    for _ in range(10):
        with pytest.raises(ApplicationError):
            code_make(seller=seller, code="TENTAMEN10")

    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, code="NIEUWECODE1")

    assert refused.value.message == TOO_MANY
    # A generated code is no guess: still made.
    assert code_make(seller=seller).code


def test_a_malformed_chosen_code_is_refused(seller):
    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, code="KORT")

    assert refused.value.message == "Een code heeft 6 tot 20 letters en cijfers, zonder spaties of tekens."


@pytest.mark.parametrize("percent", [0, 91])
def test_a_percentage_is_1_to_90(seller, percent):
    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, percent=percent)

    assert refused.value.message == "Kies een percentage van 1 tot en met 90."


def test_an_amount_code_needs_an_amount(seller):
    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, kind="amount", amount_cents=None)

    assert refused.value.message == "Vul een bedrag in van minimaal € 0,01."


def test_the_last_day_cannot_come_before_the_first(seller):
    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, valid_from=days(3), valid_until=days(2))

    assert "Kies een latere einddatum" in refused.value.message


def test_a_seller_limits_a_code_to_their_own_listings_only(seller, listing):
    code = code_make(seller=seller, listing_ids=[listing.pk])
    assert list(code.listings.all()) == [listing]

    with pytest.raises(ApplicationError) as refused:
        code_make(seller=seller, listing_ids=[ListingFactory().pk])

    assert refused.value.message == "Je kunt een code alleen aan je eigen documenten en bundels koppelen."


def test_the_database_keeps_codes_in_capitals_and_one_value_per_kind(seller):
    with pytest.raises(IntegrityError), transaction.atomic():
        DiscountCode.objects.create(
            code="lower1", seller=seller, kind="percent", percent=10, valid_from=days(0)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DiscountCode.objects.create(
            code="BOTH12", seller=seller, kind="percent", percent=10, amount_cents=100, valid_from=days(0)
        )


def test_switching_a_code_off_is_recorded_once(seller):
    code = code_make(seller=seller)

    first = discount_code_disable(code_id=code.pk, seller=seller, actor=seller.user)
    again = discount_code_disable(code_id=code.pk, seller=seller, actor=seller.user)

    assert first.disabled_at is not None
    assert again.disabled_at == first.disabled_at
    assert AuditEvent.objects.filter(action="discount_code.disabled", object_id=str(code.pk)).count() == 1


def test_another_seller_cannot_switch_a_code_off(seller):
    code = code_make(seller=seller)

    with pytest.raises(DiscountCode.DoesNotExist):
        discount_code_disable(code_id=code.pk, seller=SellerFactory(), actor=seller.user)

    code.refresh_from_db()
    assert code.disabled_at is None
