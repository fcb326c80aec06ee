import re

import pytest
from django.urls import reverse
from django.utils import timezone

from studymarket.library.services import entitlement_revoke
from studymarket.reviews.models import Review
from studymarket.reviews.services import review_create
from tests.factories import UserFactory
from tests.logins import login
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db


def _listing_page(client, listing) -> str:
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_buyer_writes_a_review_and_the_listing_shows_it(client, buyer, listing, order_line):
    login(client, buyer)
    html = _listing_page(client, listing)
    assert 'id="review-form"' in html
    assert f'action="{reverse("reviews:create", args=[order_line.pk])}"' in html
    assert "Nog geen reviews" in html

    response = client.post(
        reverse("reviews:create", args=[order_line.pk]),
        {"rating": "4", "text": "Heel duidelijk, <em>aanrader</em>."},
    )

    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url() + "#reviews"
    html = _listing_page(client, listing)
    assert "Bedankt voor je review." in html
    assert "Heel duidelijk, aanrader." in html
    assert "(1 review)" in html
    assert 'aria-label="4 van de 5 sterren"' in html
    assert 'id="review-form"' not in html
    assert "Je hebt dit document beoordeeld. Bedankt!" in html


@pytest.mark.parametrize("who", ["anonymous", "someone_else", "refunded_buyer"])
def test_no_form_for_those_who_may_not_review(client, listing, order_line, who):
    if who == "someone_else":
        login(client, UserFactory())
    elif who == "refunded_buyer":
        entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
        login(client, order_line.order.buyer)
    html = _listing_page(client, listing)
    assert 'id="review-form"' not in html
    assert "Alleen kopers kunnen een review schrijven." in html


def test_a_missing_rating_shows_the_form_again(client, buyer, order_line):
    login(client, buyer)
    response = client.post(reverse("reviews:create", args=[order_line.pk]), {"text": "Geen sterren"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Dit veld is verplicht." in html
    assert ">Geen sterren</textarea>" in html
    assert not Review.objects.exists()


def test_a_second_review_is_refused_with_a_reason(client, buyer, order_line):
    review_create(author=buyer, order_line=order_line, rating=5, text="Eerste")
    login(client, buyer)
    response = client.post(reverse("reviews:create", args=[order_line.pk]), {"rating": "1", "text": "Tweede"})
    assert response.status_code == 422
    assert "Je hebt dit document al beoordeeld." in response.content.decode()
    assert Review.objects.count() == 1


def test_someone_elses_purchase_is_not_found(client, order_line):
    login(client, UserFactory())
    response = client.post(reverse("reviews:create", args=[order_line.pk]), {"rating": "5", "text": "Nep"})
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in(client, order_line):
    response = client.post(reverse("reviews:create", args=[order_line.pk]), {"rating": "5", "text": "Nep"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_form_asks_for_a_post(client, buyer, order_line):
    login(client, buyer)
    assert client.get(reverse("reviews:create", args=[order_line.pk])).status_code == 405


def test_the_star_choices_are_labelled(client, buyer, listing, order_line):
    login(client, buyer)
    html = _listing_page(client, listing)
    labels = re.findall(
        r'value="(\d)" required>\s*<span class="stars" aria-hidden="true">(★+)</span>\s*([^<]+?)</label>',
        html,
    )
    assert [(value, len(stars), text.strip()) for value, stars, text in labels] == [
        ("1", 1, "1 ster"),
        ("2", 2, "2 sterren"),
        ("3", 3, "3 sterren"),
        ("4", 4, "4 sterren"),
        ("5", 5, "5 sterren"),
    ]


def test_a_buyer_of_two_listings_reviews_each(client, buyer, listing, order_line):
    other = listing_with_pdf()
    other_line = purchase(buyer=buyer, listing=other)
    review_create(author=buyer, order_line=order_line, rating=5, text="Eerste")
    login(client, buyer)
    assert f'action="{reverse("reviews:create", args=[other_line.pk])}"' in _listing_page(client, other)


def test_a_refunded_purchases_review_says_so_from_its_order_line(client, buyer, listing, order_line):
    review_create(author=buyer, order_line=order_line, rating=2, text="Tegenvaller")
    pill = '<span class="pill">Terugbetaald</span>'
    assert pill not in _listing_page(client, listing)

    # order_line_reverse sets it (with the rest of a reversal); the review has no copy of it.
    type(order_line).objects.filter(pk=order_line.pk).update(refunded_at=timezone.now())

    html = _listing_page(client, listing)
    assert html.count(pill) == 1
    assert "Tegenvaller" in html
