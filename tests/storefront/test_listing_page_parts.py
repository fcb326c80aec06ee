"""The listing page's parts added in issue 16: the reviewer's short name, the seller's tier, the
quality card and the folded table of contents."""

import pytest
from django.core.cache import cache

from studymarket.documents.models import TocEntry
from studymarket.reviews.services import review_create
from tests.factories import ListingFactory, UserFactory
from tests.purchases import purchase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _html(client, listing) -> str:
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_review_names_its_author_by_first_name_and_initial(client):
    listing = ListingFactory()
    sanne = UserFactory(first_name="Sanne", last_name="de Vries")
    review_create(author=sanne, order_line=purchase(buyer=sanne, listing=listing), rating=5, text="Top")

    html = _html(client, listing)

    assert '<strong class="review-author">Sanne V.</strong>' in html
    assert "de Vries" not in html  # not in the review, not in the schema.org data


def test_the_seller_card_shows_the_tier(client, settings):
    settings.REPUTATION_TIERS = [(5, "bronze"), (10, "silver"), (100, "gold")]
    listing = ListingFactory(sold_count=12)

    html = _html(client, listing)

    url = listing.seller.get_absolute_url()
    assert f'<a href="{url}#reputation" class="tier tier-silver" id="seller-tier">Verkoper Zilver</a>' in html
    assert 'id="seller-tier"' not in _html(client, ListingFactory(sold_count=1))  # no tier yet


def test_the_quality_card(client):
    listing = ListingFactory()
    version = listing.document.current_version
    assert version is not None
    version.word_count, version.language, version.scanned_page_count = 31245, "nl", 3
    version.save()
    version.pages.filter(number__lte=2).update(has_images=True)

    html = _html(client, listing)

    assert "<dt>Tekst</dt><dd>Getypt, 3 pagina's gescand</dd>" in html
    assert "<dt>Woorden</dt><dd>31.245</dd>" in html
    assert "<dt>Taal van de tekst</dt><dd>Nederlands</dd>" in html
    assert "<dt>Pagina's met afbeeldingen</dt><dd>2 van 12</dd>" in html
    assert "<dt>Inhoudsopgave</dt><dd>Nee</dd>" in html


@pytest.mark.parametrize(("entries", "shown", "folded"), [(10, 10, 0), (11, 8, 3), (54, 8, 46)])
def test_the_table_of_contents_is_folded_after_its_first_entries(client, entries, shown, folded):
    listing = ListingFactory()
    TocEntry.objects.bulk_create(
        TocEntry(
            version=listing.document.current_version, position=n, title=f"{n}. Onderwerp ({n} in versie 2)"
        )
        for n in range(1, entries + 1)
    )

    html = _html(client, listing)

    before, _summary, after = html.partition('<details class="toc-more" id="toc-more">')
    assert before.count('<li class="level-1">') == shown
    assert after.count('<li class="level-1">') == folded
    if folded:
        assert f"Toon de hele inhoudsopgave ({entries} onderdelen)" in after
    assert f"{entries}. Onderwerp ({entries} in versie 2)</li>" in html  # whole titles
