"""The demo's bundles (issue 17): one of demo-emre's, so that the demo shows a bundle page, the
"Ook in bundel" line on his listings and the bundle on the course page and in search."""

from dataclasses import dataclass

from django.utils.text import slugify

from studymarket.catalog.bundles import bundle_create, bundle_publish
from studymarket.catalog.models import Bundle, Listing


@dataclass(frozen=True)
class BundleSpec:
    title: str
    description: str
    price_cents: int
    listing_titles: tuple[str, ...]  # demo listings of one seller and one course (listings.py)


DEMO_BUNDLES = (
    BundleSpec(
        title="Micro-economie UvA: samenvatting + oefenvragen",
        description=(
            "De volledige samenvatting van Micro-economie samen met de oefenvragen met uitwerkingen: "
            "eerst de stof, dan meteen oefenen. Samen goedkoper dan los."
        ),
        price_cents=999,  # € 7,49 + € 4,99 = € 12,48 los: je bespaart € 2,49
        listing_titles=("Micro-economie samenvatting UvA", "Micro-economie: oefenvragen met uitwerkingen"),
    ),
)


def demo_bundles_present(*, seller_emails: list[str]) -> bool:
    """Every demo bundle is there (load.py's quick check that the demo is complete)."""
    slugs = {slugify(spec.title) for spec in DEMO_BUNDLES}
    have = (
        Bundle.objects.filter(seller__user__email__in=seller_emails, slug__in=slugs).values("slug").distinct()
    )
    return have.count() == len(slugs)


def demo_bundles_load(*, listings: dict[str, Listing]) -> int:
    """Make and publish the demo bundles that are missing (by seller and title); returns how many.
    ``listings``: the demo listings by slug (load.py)."""
    created = 0
    for spec in DEMO_BUNDLES:
        members = [listings[slugify(title)] for title in spec.listing_titles if slugify(title) in listings]
        if len(members) != len(spec.listing_titles):
            continue  # a partial demo: its listings come on the next run
        seller = members[0].seller
        if Bundle.objects.filter(seller=seller, slug=slugify(spec.title)).exists():
            continue
        bundle = bundle_create(
            seller=seller,
            title=spec.title,
            description=spec.description,
            price_cents=spec.price_cents,
            listing_ids=[listing.pk for listing in members],
        )
        bundle_publish(bundle_id=bundle.pk, seller=seller)
        created += 1
    return created
