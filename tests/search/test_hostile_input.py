"""No input breaks a search: arbitrary text (query syntax, quotes, control characters, huge
words, every script) is searched for as words or ignored, on both backends."""

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from studymarket.search import analysis
from studymarket.search.service import autocomplete, search
from studymarket.search.types import SearchQuery
from tests.search.searching import ids, listing_make

# Each hostile text with what it finds: EVERYTHING when no word is left in it (as an empty
# query: every published listing), ACCOUNT when its only words are the Account Management
# listing's (the rest is punctuation, ignored), NOTHING when it holds a word no listing has
# (every word is required, operators and code too).
EVERYTHING, ACCOUNT, NOTHING = "everything", "account", "nothing"
HOSTILE = [
    ('title:foo AND "', NOTHING),
    ("a OR b -c +d ~e^2", NOTHING),
    ("'; DROP TABLE search_listing; --", NOTHING),
    ("%s %(x)s {} \\", NOTHING),
    ("<script>alert(1)</script>", NOTHING),
    ("🙂 日本語 العربية", NOTHING),
    ("NOT", NOTHING),
    ("(((", EVERYTHING),
    ("*", EVERYTHING),
    ("'", EVERYTHING),
    ("%", EVERYTHING),
    ("__", EVERYTHING),
    ("!&|:*<->", EVERYTHING),
    ("x" * 10_000, EVERYTHING),  # a word too long to be one is dropped
    ("\x00\x01\ufeff", EVERYTHING),
    ("account (((", ACCOUNT),
    ("account*", ACCOUNT),
    ("account%", ACCOUNT),
    ("account\\", ACCOUNT),
    ("account!&|:*<->", ACCOUNT),
    ("account " + "x" * 10_000, ACCOUNT),
    ("account 🙂", ACCOUNT),
    ("kraljic\x00", ACCOUNT),
    ("<script>account</script>", NOTHING),  # "script" is a word no listing has
    ("account'; DROP TABLE search_listing; --", NOTHING),
]


@pytest.fixture
def listing(backend_name, indexed):
    made = listing_make(title="Account Management", pages=["Kraljic en de inkoop", "tweede"])
    indexed()
    return made


@pytest.fixture
def listings(backend_name, indexed):
    """The Account Management listing and another: an "everything" answer holds both."""
    made = {
        ACCOUNT: listing_make(title="Account Management", pages=["Kraljic en de inkoop", "tweede"]),
        "other": listing_make(title="Kostprijsberekening", pages=["Marge en dekking", "tweede"]),
    }
    indexed()
    return made


@pytest.mark.parametrize(("text", "finds"), HOSTILE)
def test_query_syntax_is_just_text(listings, text, finds):
    expected = {
        EVERYTHING: {listing.pk for listing in listings.values()},
        ACCOUNT: {listings[ACCOUNT].pk},
        NOTHING: set(),
    }[finds]
    result = search(SearchQuery(text=text))
    assert {hit.listing_id for hit in result.hits} == expected
    assert result.total == len(expected)
    if "account" not in text:
        # No word of a name in it: no suggestion (a "%" or "_" is no wildcard either). With
        # one, PostgreSQL may suggest its near match (trigrams), SQLite only a prefix.
        assert autocomplete(text) == []
    # And the index is as it was: the words of a listing still find it.
    assert ids("kraljic") == [listings[ACCOUNT].pk]


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
