"""Staff's order page says which lines came from a bundle and who paid a discount (issue 17)."""

import pytest
from django.urls import reverse

from studymarket.core.pricing import FUNDER_PLATFORM, FUNDER_SELLER
from tests.bundle_purchases import bundle_make, bundle_specs, order_with_lines
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("funder", "said"),
    [(FUNDER_SELLER, "gegeven door de verkoper"), (FUNDER_PLATFORM, "betaald door studymarket")],
)
def test_the_order_page_shows_the_bundle_and_who_paid_the_discount(client, funder, said):
    bundle = bundle_make()  # € 4,99 + € 7,99 at € 9,99: € 3,84 + € 6,15
    order = order_with_lines(
        bundle_specs(bundle, discounts=[38, 62], funder=funder), discount_code="TENTAMEN10"
    )
    login(client, UserFactory(is_staff=True))

    html = client.get(reverse("support:order_detail", args=[order.number])).content.decode()

    assert "TENTAMEN10 (−€ 1,00)" in html
    assert html.count("Uit bundel „Tentamenbundel Marketing”") == 2
    assert "aandeel in de bundelprijs € 3,84" in html
    assert f"Korting € 0,38, {said}" in html
