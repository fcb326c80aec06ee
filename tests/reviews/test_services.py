import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from studymarket.catalog.models import Listing
from studymarket.core.models import AuditEvent
from studymarket.library.services import entitlement_revoke
from studymarket.reviews.models import Review
from studymarket.reviews.services import ReviewRefused, review_create
from tests.factories import OrderLineFactory, UserFactory
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db


def test_a_buyer_reviews_their_purchase_and_the_listing_counts_it(buyer, listing, order_line):
    review = review_create(author=buyer, order_line=order_line, rating=4, text="Duidelijk en volledig.")

    assert (review.listing, review.author, review.order_line, review.rating) == (
        listing,
        buyer,
        order_line,
        4,
    )
    assert review.text == "Duidelijk en volledig."
    listing.refresh_from_db()
    assert (listing.review_count, listing.rating_sum) == (1, 4)
    assert AuditEvent.objects.filter(action="review.created", object_id=str(review.pk)).count() == 1


def test_the_text_is_stripped_of_markup(buyer, order_line):
    review = review_create(
        author=buyer,
        order_line=order_line,
        rating=5,
        text=' <b>Goed</b> <script>alert(1)</script>& <a href="x">link</a> ',
    )
    assert review.text == "Goed &amp; link"


def test_once_per_purchase(buyer, listing, order_line):
    review_create(author=buyer, order_line=order_line, rating=4, text="Eerste")
    with pytest.raises(ReviewRefused, match="Je hebt dit document al beoordeeld."):
        review_create(author=buyer, order_line=order_line, rating=1, text="Tweede")
    listing.refresh_from_db()
    assert (listing.review_count, listing.rating_sum) == (1, 4)


def test_only_the_buyer_may_review(order_line):
    with pytest.raises(ReviewRefused, match="Alleen kopers van dit document kunnen een review schrijven."):
        review_create(author=UserFactory(), order_line=order_line, rating=5, text="Nep")
    assert not Review.objects.exists()


def test_an_unpaid_order_gives_no_review(buyer):
    line = OrderLineFactory(buyer=buyer, listing=listing_with_pdf(), paid=False)
    with pytest.raises(ReviewRefused):
        review_create(author=buyer, order_line=line, rating=5, text="Nog niet betaald")


def test_a_refunded_buyer_may_not_start_a_review(buyer, order_line):
    entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    with pytest.raises(ReviewRefused, match="Alleen kopers"):
        review_create(author=buyer, order_line=order_line, rating=1, text="Geld terug en toch een review")


def test_a_review_written_before_a_refund_stays(buyer, order_line):
    review = review_create(author=buyer, order_line=order_line, rating=2, text="Tegenvaller")
    entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    assert Review.objects.get() == review


def test_buying_again_after_a_refund_does_not_give_a_second_review(buyer, listing, order_line):
    review_create(author=buyer, order_line=order_line, rating=2, text="Tegenvaller")
    entitlement_revoke(entitlement_id=order_line.entitlement_id, reason="refund")
    again = purchase(buyer=buyer, listing=listing)
    with pytest.raises(ReviewRefused, match="al beoordeeld"):
        review_create(author=buyer, order_line=again, rating=5, text="Toch goed")


@pytest.mark.parametrize("rating", [0, 6])
def test_one_to_five_stars(buyer, order_line, rating):
    with pytest.raises(ValidationError):
        review_create(author=buyer, order_line=order_line, rating=rating, text="Sterren")
    assert not Review.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_make_one_review():
    """A double click: both requests reach the service together; one review, counted once."""
    listing = listing_with_pdf()
    buyer = UserFactory()
    line = OrderLineFactory(buyer=buyer, listing=listing)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            review_create(author=buyer, order_line=line, rating=5, text="Dubbel")
            outcomes.append("created")
        except ReviewRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "refused"]
    listing.refresh_from_db()
    assert (Review.objects.count(), listing.review_count, listing.rating_sum) == (1, 1, 5)
    assert Listing.objects.count() == 1
