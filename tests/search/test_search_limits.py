"""Issue 12, ASVS 2.4.1: the search page and the header's suggestions are limited per client IP
(RATE_LIMITS["search_ip"], ["suggest_ip"]); over the limit the answer is 429 in Dutch, as a page
or, for htmx, as a fragment that fits the results or the suggestions box."""

import pytest

from studymarket.search import service
from studymarket.search.types import SearchQuery, SearchResult, Suggestion

pytestmark = pytest.mark.django_db

SEARCH = "/zoeken/?q=marketing"
SUGGEST = "/zoeken/suggesties/?q=mar"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def engine(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No engine needed: the limit sits in front of it. Records what reached it."""
    calls: list[str] = []

    def search(query: SearchQuery) -> SearchResult:
        calls.append("search")
        return SearchResult(hits=[], total=0, facets={})

    def autocomplete(text: str, *, limit: int = 8) -> list[Suggestion]:
        calls.append("suggest")
        return []

    monkeypatch.setattr(service, "search", search)
    monkeypatch.setattr(service, "autocomplete", autocomplete)
    return calls


@pytest.fixture
def small_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search_ip": "3/m", "suggest_ip": "4/m"}


def test_searches_under_the_limit_are_answered(client, small_limits):
    for _ in range(3):
        assert client.get(SEARCH, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_over_the_limit_the_page_is_429_in_dutch(client, small_limits, engine):
    for _ in range(3):
        client.get(SEARCH, REMOTE_ADDR="198.51.100.1")

    response = client.get(SEARCH, REMOTE_ADDR="198.51.100.1")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "<h1>Even rustig aan</h1>" in html
    assert "Je doet dit te vaak achter elkaar. Probeer het over 1 minuut opnieuw." in html
    assert engine.count("search") == 3  # the engine never saw the fourth


def test_another_ip_still_searches(client, small_limits):
    for _ in range(4):
        client.get(SEARCH, REMOTE_ADDR="198.51.100.1")

    assert client.get(SEARCH, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_the_results_fragment_over_the_limit_is_a_fragment(client, small_limits):
    headers = {**HTMX, "HTTP_HX_TARGET": "search-results"}
    for _ in range(3):
        client.get(SEARCH, REMOTE_ADDR="198.51.100.1", **headers)

    response = client.get(SEARCH, REMOTE_ADDR="198.51.100.1", **headers)

    assert response.status_code == 429
    assert response.content.decode().startswith('<p class="notice notice-error" role="alert">')
    assert "<html" not in response.content.decode()


def test_suggestions_over_their_limit_answer_a_fragment_for_the_box(client, small_limits, engine):
    for _ in range(4):
        assert client.get(SUGGEST, REMOTE_ADDR="198.51.100.1", **HTMX).status_code == 200

    response = client.get(SUGGEST, REMOTE_ADDR="198.51.100.1", **HTMX)

    assert response.status_code == 429
    html = response.content.decode()
    assert html == (
        '<p class="notice notice-error" role="alert">'
        "Je doet dit te vaak achter elkaar. Probeer het over 1 minuut opnieuw.</p>\n"
    )
    assert engine.count("suggest") == 4


def test_suggestions_and_searches_have_separate_counts(client, small_limits):
    for _ in range(4):
        client.get(SUGGEST, REMOTE_ADDR="198.51.100.1", **HTMX)

    assert client.get(SEARCH, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_the_default_limits_leave_room_for_people(client):
    for _ in range(60):
        assert client.get(SEARCH, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.get(SEARCH, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_htmx_is_told_to_show_a_429_fragment(client):
    # htmx swaps no 4xx answer by default; base.html's htmx-config makes an exception for 429.
    html = client.get("/zoeken/", REMOTE_ADDR="198.51.100.1").content.decode()

    assert '{"code": "429", "swap": true, "error": false}' in html


def test_a_client_hammering_the_limit_is_logged_once_per_window(client, small_limits, caplog):
    """One security-log line per limit, address and window, not one per refused request: a
    script that keeps searching must not fill the log (as for the JSON API)."""
    with caplog.at_level("INFO", logger="studymarket.security"):
        for _ in range(10):
            client.get(SEARCH, REMOTE_ADDR="198.51.100.1")
        client.get(SEARCH, REMOTE_ADDR="198.51.100.2")  # another address: its own count
        for _ in range(4):
            client.get(SEARCH, REMOTE_ADDR="198.51.100.2")

    lines = [r.getMessage() for r in caplog.records if "event=rate_limited" in r.getMessage()]
    assert len(lines) == 2
    assert all("limit=search_ip" in line and "path=/zoeken/" in line for line in lines)
    assert ["ip=198.51.100.1" in lines[0], "ip=198.51.100.2" in lines[1]] == [True, True]
