"""Bundles in the catalog (issue 17): the rules, the states, and the reads the pages use."""

import pytest
from django.core.exceptions import ValidationError

from studymarket.catalog.bundle_selectors import (
    bundle_buyable,
    bundle_buyable_ids,
    bundle_buyable_list,
    bundle_containing_list,
    bundle_course_list,
    bundle_get_for_page,
    bundle_listing_list,
    bundle_on_sale,
    bundle_saving,
    bundle_search_list,
    bundle_seller_list,
    seller_bundle_get,
    seller_bundle_list,
    seller_bundle_no_saving_list,
)
from studymarket.catalog.bundles import bundle_create, bundle_publish, bundle_update, bundle_withdraw
from studymarket.catalog.models import Bundle, BundleStatus, ListingStatus
from studymarket.catalog.services import listing_unpublish
from studymarket.core.models import AuditEvent
from tests.bundles import bundle_figures, bundle_make, listings_of_one_course
from tests.factories import ListingFactory, SellerFactory

pytestmark = pytest.mark.django_db


def _create(listings, *, price_cents=1349, seller=None):
    return bundle_create(
        seller=seller or listings[0].seller,
        title="Bundel",
        description="",
        price_cents=price_cents,
        listing_ids=[listing.pk for listing in listings],
    )


def _error(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


def test_a_bundle_is_made_as_a_draft_of_the_listings_in_the_order_given():
    first, second = listings_of_one_course()

    bundle = _create([second, first])

    assert bundle.status == BundleStatus.DRAFT
    assert bundle.published_at is None
    assert bundle.course_id == first.course_id
    assert bundle.slug == "bundel"
    assert [listing.pk for listing in bundle_listing_list(bundle)] == [second.pk, first.pk]
    assert AuditEvent.objects.filter(action="bundle.created", object_id=str(bundle.pk)).exists()


def test_only_the_sellers_own_listings():
    mine = ListingFactory(price_cents=949)
    theirs = ListingFactory(course=mine.course, price_cents=749)

    with pytest.raises(ValidationError) as excinfo:
        _create([mine, theirs], seller=mine.seller)

    assert "alleen je eigen documenten" in _error(excinfo, "listing_ids")
    assert not Bundle.objects.exists()


@pytest.mark.parametrize("twice", [False, True])
def test_at_least_two_different_listings(twice):
    (listing,) = listings_of_one_course(prices=(949,))

    with pytest.raises(ValidationError) as excinfo:
        _create([listing, listing] if twice else [listing], price_cents=500)

    assert "minstens twee documenten" in _error(excinfo, "listing_ids")


def test_all_of_one_course():
    seller = SellerFactory()
    one = listings_of_one_course(seller=seller, prices=(949,))
    other = listings_of_one_course(seller=seller, prices=(749,))

    with pytest.raises(ValidationError) as excinfo:
        _create(one + other)

    assert "hetzelfde vak" in _error(excinfo, "listing_ids")


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.UNPUBLISHED, ListingStatus.TAKEN_DOWN])
def test_only_listings_on_sale(status):
    on_sale, offline = listings_of_one_course()
    offline.status = status
    offline.save(update_fields=["status"])

    with pytest.raises(ValidationError) as excinfo:
        _create([on_sale, offline])

    message = _error(excinfo, "listing_ids")
    assert "online staan" in message
    assert offline.title in message


@pytest.mark.parametrize(
    ("price_cents", "message"),
    [
        (16_98, "goedkoper dan de documenten los: die kosten samen € 16,98"),  # the sum itself
        (20_00, "goedkoper dan de documenten los"),
        (99, "minimaal € 1,00"),
    ],
)
def test_the_price_is_below_the_sum_and_at_least_the_lowest_listing_price(price_cents, message):
    listings = listings_of_one_course(prices=(949, 749))

    with pytest.raises(ValidationError) as excinfo:
        _create(listings, price_cents=price_cents)

    assert message in _error(excinfo, "price_cents")


def test_a_price_one_cent_below_the_sum_is_a_bundle():
    bundle = _create(listings_of_one_course(prices=(949, 749)), price_cents=16_97)

    assert bundle_saving(bundle).saving_cents == 1


def test_publish_and_withdraw_move_through_the_states_and_repeat_quietly():
    bundle = bundle_make(publish=False)
    seller = bundle.seller

    published = bundle_publish(bundle_id=bundle.pk, seller=seller)
    first_published_at = published.published_at
    again = bundle_publish(bundle_id=bundle.pk, seller=seller)
    withdrawn = bundle_withdraw(bundle_id=bundle.pk, seller=seller)
    withdrawn_again = bundle_withdraw(bundle_id=bundle.pk, seller=seller)
    back = bundle_publish(bundle_id=bundle.pk, seller=seller)

    assert published.status == again.status == BundleStatus.PUBLISHED
    assert first_published_at is not None
    assert again.published_at == first_published_at
    assert withdrawn.status == withdrawn_again.status == BundleStatus.WITHDRAWN
    assert back.status == BundleStatus.PUBLISHED
    assert back.published_at == first_published_at
    actions = list(
        AuditEvent.objects.filter(object_type="catalog.bundle", object_id=str(bundle.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["bundle.created", "bundle.published", "bundle.withdrawn", "bundle.published"]


def test_a_draft_is_not_withdrawn():
    bundle = bundle_make(publish=False)

    assert bundle_withdraw(bundle_id=bundle.pk, seller=bundle.seller).status == BundleStatus.DRAFT


def test_publishing_checks_the_rules_again():
    first, second = listings_of_one_course()
    bundle = bundle_make(listings=[first, second], publish=False)
    listing_unpublish(listing_id=second.pk)

    with pytest.raises(ValidationError) as excinfo:
        bundle_publish(bundle_id=bundle.pk, seller=bundle.seller)

    assert second.title in _error(excinfo, "listing_ids")
    assert Bundle.objects.get(pk=bundle.pk).status == BundleStatus.DRAFT


def test_another_seller_cannot_touch_the_bundle():
    bundle = bundle_make()
    other = SellerFactory()
    own = listings_of_one_course(seller=other)

    with pytest.raises(Bundle.DoesNotExist):
        bundle_update(
            bundle_id=bundle.pk,
            seller=other,
            title="Van mij",
            description="",
            price_cents=1000,
            listing_ids=[listing.pk for listing in own],
        )
    with pytest.raises(Bundle.DoesNotExist):
        bundle_withdraw(bundle_id=bundle.pk, seller=other)
    with pytest.raises(Bundle.DoesNotExist):
        bundle_publish(bundle_id=bundle.pk, seller=other)
    assert Bundle.objects.get(pk=bundle.pk).title == "Alles voor Account Management"


def test_update_changes_the_documents_the_price_and_the_address():
    seller = SellerFactory()
    first, second, third = listings_of_one_course(seller=seller, prices=(949, 749, 499))
    bundle = bundle_make(listings=[first, second])

    updated = bundle_update(
        bundle_id=bundle.pk,
        seller=seller,
        title="  Drie documenten  ",
        description="Nu met oefenvragen.",
        price_cents=1799,
        listing_ids=[third.pk, first.pk, second.pk],
    )

    assert updated.title == "Drie documenten"
    assert updated.slug == "drie-documenten"
    assert [listing.pk for listing in bundle_listing_list(bundle_get_for_page(pk=bundle.pk))] == [
        third.pk,
        first.pk,
        second.pk,
    ]
    assert bundle_saving(updated, [first, second, third]).saving_cents == 21_97 - 17_99


def test_buyable_only_while_published_with_every_listing_on_sale():
    first, second = listings_of_one_course()
    bundle = bundle_make(listings=[first, second])
    assert bundle_buyable(bundle_get_for_page(pk=bundle.pk))
    assert list(bundle_buyable_list()) == [bundle]

    listing_unpublish(listing_id=second.pk)

    assert not bundle_buyable(bundle_get_for_page(pk=bundle.pk))
    assert list(bundle_buyable_list()) == []


def test_lists_carry_the_figures_and_find_bundles_by_course_seller_listing_and_title():
    first, second = listings_of_one_course(prices=(949, 749))
    bundle = bundle_make(listings=[first, second], price_cents=1349, title="Marketing compleet")
    bundle_make(publish=False, title="Marketing concept")  # a draft is never listed
    unrelated = ListingFactory()

    (listed,) = bundle_course_list(course=first.course)
    assert bundle_figures(listed) == (2, 16_98, 3_49)
    assert list(bundle_seller_list(seller=first.seller)) == [bundle]
    assert list(bundle_containing_list(listing_ids=[second.pk])) == [bundle]
    assert list(bundle_containing_list(listing_ids=[unrelated.pk])) == []
    assert bundle_search_list(listing_ids=[first.pk, unrelated.pk], query="iets anders") == [bundle]
    assert bundle_search_list(listing_ids=[unrelated.pk], query="marketing COMPLEET") == [bundle]
    assert bundle_search_list(listing_ids=[unrelated.pk], query="statistiek") == []
    assert bundle_search_list(listing_ids=[], query="") == []


def _price_set(listing, cents: int) -> None:
    # The seller lowered the price after making the bundle (selling.services saves it like this).
    listing.price_cents = cents
    listing.save(update_fields=["price_cents"])


@pytest.mark.parametrize(
    ("second_price", "offered"),
    [
        (749, True),  # € 16,98 los, € 13,49 als bundel
        (401, True),  # € 13,50 los: one cent saved is still a saving
        (400, False),  # € 13,49 los: as dear as the bundle
        (100, False),  # € 10,49 los: dearer as a bundle
    ],
)
def test_a_bundle_is_offered_only_while_it_costs_less_than_its_documents(second_price, offered):
    first, second = listings_of_one_course(prices=(949, 749))
    bundle = bundle_make(listings=[first, second], price_cents=1349)

    _price_set(second, second_price)

    expected = [bundle] if offered else []
    assert list(bundle_on_sale()) == expected
    assert list(bundle_buyable_list()) == expected
    assert list(bundle_course_list(course=first.course)) == expected
    assert list(bundle_seller_list(seller=first.seller)) == expected
    assert list(bundle_containing_list(listing_ids=[first.pk])) == expected
    assert bundle_search_list(listing_ids=[first.pk], query="") == expected
    assert bundle_buyable_ids([bundle.pk]) == ({bundle.pk} if offered else set())
    assert bundle_buyable(bundle_get_for_page(pk=bundle.pk)) is offered
    # The seller's own reads keep it, flagged.
    (own,) = seller_bundle_list(seller=first.seller)
    assert vars(own)["offers_saving"] is offered
    assert vars(seller_bundle_get(seller=first.seller, pk=bundle.pk))["offers_saving"] is offered
    assert seller_bundle_no_saving_list(listing_id=second.pk) == ([] if offered else [bundle])


def test_the_bundles_without_a_saving_are_the_drafts_and_published_ones_holding_the_listing():
    first, second = listings_of_one_course(prices=(949, 749))
    published = bundle_make(listings=[first, second], price_cents=1349, title="B online")
    draft = bundle_make(listings=[first, second], price_cents=1299, title="A concept", publish=False)
    withdrawn = bundle_make(listings=[first, second], price_cents=1199, title="C offline")
    bundle_withdraw(bundle_id=withdrawn.pk, seller=first.seller)
    elsewhere = bundle_make(title="Ander vak")  # its own listings, untouched

    _price_set(second, 100)

    assert seller_bundle_no_saving_list(listing_id=second.pk) == [draft, published]
    assert seller_bundle_no_saving_list(listing_id=elsewhere.items.all()[0].listing_id) == []
