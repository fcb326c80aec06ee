"""No input breaks a search: arbitrary text (query syntax, quotes, control characters, huge
words, every script) is searched for as words or ignored, on both backends."""

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from studymarket.catalog.search import analysis
from studymarket.catalog.search.service import SearchQuery, autocomplete, search
from tests.catalog.search.searching import ids, listing_make

HOSTILE = [
    'title:foo AND "',
    "(((",
    "*",
    "a OR b -c +d ~e^2",
    "'; DROP TABLE search_listing; --",
    "%s %(x)s {} \\",
    "<script>alert(1)</script>",
    "!&|:*<->",
    "x" * 10_000,
    "\x00\x01\ufeff",
    "🙂 日本語 العربية",
    "NOT",
]


@pytest.fixture
def listing(backend_name, indexed):
    made = listing_make(title="Account Management", pages=["Kraljic en de inkoop", "tweede"])
    indexed()
    return made


@pytest.mark.parametrize("text", HOSTILE)
def test_query_syntax_is_just_text(listing, text):
    result = search(SearchQuery(text=text))
    assert result.total >= 0
    autocomplete(text)


def test_operators_do_not_operate(listing):
    assert ids("account OR nothingatall") == []  # every word is required, "OR" too
    assert ids("-account") == [listing.pk]  # "-" is not a negation
    assert ids('"account management"') == [listing.pk]


@given(text=st.text(max_size=300))
@example(text="a\u0301 MAN 3025 België")
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_arbitrary_text_never_raises(listing, text):
    result = search(SearchQuery(text=text, sort="relevance"))
    assert result.total == len(result.hits) <= 1
    for hit in result.hits:
        for page_hit in hit.page_hits:
            assert page_hit.locked == (page_hit.page_number > listing.preview_page_count)
    assert isinstance(autocomplete(text), list)


@given(text=st.text(max_size=200))
@hypothesis_settings(max_examples=300, deadline=None)
def test_the_query_plan_holds_only_plain_words(text):
    plan = analysis.query_plan(text)
    assert len(plan) <= analysis.MAX_QUERY_WORDS
    for word in analysis.plan_words(plan):
        assert word.plain
        assert len(word.plain) <= 2 * analysis.MAX_WORD  # a code pair joins two words
        assert word.plain == word.plain.lower()
