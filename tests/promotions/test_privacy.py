"""A person's data export holds the discount codes they used and, as a seller, made."""

from studymarket.orders.services import order_create
from studymarket.privacy.export_data import discount_codes_data, person_data
from studymarket.privacy.readme import readme_parts
from studymarket.promotions.services import discount_redeem
from tests.promotions.promotion_helpers import code_make, days


def test_the_export_lists_codes_used_and_codes_made(seller, listing, buyer):
    code = code_make(seller=seller, code="TENTAMEN10", max_uses=5, valid_until=days(9))
    order = order_create(buyer=buyer, listings=[listing])
    discount_redeem(code_id=code.pk, buyer=buyer, order_id=order.pk, total_cents=95)

    bought = discount_codes_data(buyer)
    sold = discount_codes_data(seller.user)

    assert [(u["code"], u["order"], u["total_cents"]) for u in bought["used"]] == [
        ("TENTAMEN10", order.number, 95)
    ]
    assert bought["made"] == []
    assert sold["used"] == []
    [made] = sold["made"]
    assert (made["code"], made["percent"], made["max_uses"], made["valid_until"]) == (
        "TENTAMEN10",
        10,
        5,
        days(9).isoformat(),
    )


def test_the_file_is_in_the_export_and_explained_in_its_readme(buyer):
    assert "discount_codes.json" in person_data(buyer)
    assert set(person_data(buyer)) <= set(readme_parts())
