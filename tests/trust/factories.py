"""Factories for notice and action: notices as notice_create makes them (the service: number,
deadline, audit), and staff who may decide."""

from typing import Any

import factory

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.trust.models import Notice, NoticeKind
from studymarket.trust.notices import notice_create
from tests.factories import ListingFactory, UserFactory


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"medewerker{n}@studymarket.test")
    is_staff = True
    first_name = "Mira"
    last_name = "Medewerker"


class NoticeFactory(factory.django.DjangoModelFactory):
    """A notice received through notice_create (its receipt e-mail goes after the commit)."""

    class Meta:
        model = Notice

    listing = factory.SubFactory(ListingFactory)
    kind = NoticeKind.COPYRIGHT
    explanation = factory.Sequence(lambda n: f"Hoofdstuk {n} is letterlijk overgenomen uit mijn boek.")
    location = factory.LazyAttribute(lambda o: f"https://studymarket.test{o.listing.get_absolute_url()}")
    reporter_name = "Rita Rechthebbende"
    reporter_email = "rita@uitgever.test"
    good_faith = True
    reporter = None

    @classmethod
    def _create(cls, model_class: type[Notice], *args: object, **kwargs: Any) -> Notice:
        return notice_create(**kwargs)


def seller_user(listing: Listing) -> User:
    user: User = listing.seller.user
    return user
