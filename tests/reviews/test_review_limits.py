"""Issue 12, ASVS 2.4.1: reviews written per account are limited (RATE_LIMITS["review_user"],
10 a day by default); over it the answer is 429 in Dutch with when to write again. Refused
attempts (a missing rating) do not count."""

import pytest
from django.urls import reverse

from studymarket.reviews.models import Review
from tests.factories import UserFactory
from tests.logins import login
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a_day(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "review_user": "2/d"}


def review(client, line, rating: str = "4"):
    return client.post(reverse("reviews:create", args=[line.pk]), {"rating": rating, "text": "Goed."})


def bought(buyer, n: int):
    return [purchase(buyer=buyer, listing=listing_with_pdf(pages=1)) for _ in range(n)]


def test_reviews_under_the_limit_are_written(client, buyer, two_a_day):
    login(client, buyer)
    for line in bought(buyer, 2):
        assert review(client, line).status_code == 302

    assert Review.objects.count() == 2


def test_over_the_limit_is_429_with_when_to_write_again(client, buyer, two_a_day):
    login(client, buyer)
    lines = bought(buyer, 3)
    for line in lines[:2]:
        review(client, line)

    response = review(client, lines[2])

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    html = response.content.decode()
    assert "<h1>Even rustig aan</h1>" in html
    assert "Je hebt vandaag al veel reviews geschreven. Je kunt weer een review schrijven over " in html
    assert Review.objects.count() == 2


def test_refused_attempts_do_not_count(client, buyer, two_a_day):
    login(client, buyer)
    lines = bought(buyer, 2)
    for _ in range(3):
        assert review(client, lines[0], rating="").status_code == 422

    assert review(client, lines[0]).status_code == 302
    assert review(client, lines[1]).status_code == 302


def test_another_buyer_is_not_affected(client, buyer, two_a_day):
    login(client, buyer)
    for line in bought(buyer, 3):
        review(client, line)
    other = UserFactory()
    [line] = bought(other, 1)

    login(client, other)

    assert review(client, line).status_code == 302
    assert Review.objects.filter(author=other).count() == 1
