""" "Meer beoordelingen" in Chromium: htmx appends the next page of reviews in place, and without
JavaScript the same control is a link to a page of reviews (storefront.review_views)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from studymarket.catalog.models import Listing
from studymarket.reviews.models import Review
from tests.factories import ListingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWS = 23  # two full pages of ten and three more


@pytest.fixture
def listing() -> Listing:
    """A listing with REVIEWS reviews, "Review 1" the oldest."""
    listing: Listing = ListingFactory()
    now = timezone.now()
    Review.objects.bulk_create(
        Review(
            listing=listing,
            author=UserFactory(first_name=f"Koper{number}", last_name="Jansen"),
            rating=4,
            text=f"Review {number}",
            created_at=now - timedelta(days=REVIEWS - number),
        )
        for number in range(1, REVIEWS + 1)
    )
    Listing.objects.filter(pk=listing.pk).update(review_count=REVIEWS, rating_sum=4 * REVIEWS)
    return listing


def test_more_reviews_are_appended_in_place(live_server, browser_page: Page, listing):
    page = browser_page
    page.goto(listing.get_absolute_url())
    reviews = page.locator("#review-list .review")
    expect(reviews).to_have_count(10)

    page.get_by_role("button", name="Meer beoordelingen").click()

    expect(reviews).to_have_count(20)
    assert page.url == live_server.url + listing.get_absolute_url()  # no page load
    expect(reviews.nth(10)).to_contain_text("Review 13")
    expect(reviews.nth(10)).to_be_focused()  # the clicked control is gone: the first new review
    assert page.locator("#reviews-more").count() == 1

    page.get_by_role("button", name="Meer beoordelingen").click()

    expect(reviews).to_have_count(REVIEWS)
    expect(reviews.last).to_contain_text("Review 1")
    expect(page.locator("#reviews-more")).to_have_count(0)


def test_without_javascript_more_reviews_is_a_page(live_server, browser: Browser, listing):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(listing.get_absolute_url())
        page.get_by_role("button", name="Meer beoordelingen").click()

        page.wait_for_url("**/beoordelingen/?pagina=2")
        reviews = page.locator("#review-list .review")
        expect(reviews).to_have_count(10)
        expect(reviews.first).to_contain_text("Review 13")
        page.get_by_role("button", name="Meer beoordelingen").click()
        page.wait_for_url("**/beoordelingen/?pagina=3")
        expect(reviews).to_have_count(3)
    finally:
        context.close()
