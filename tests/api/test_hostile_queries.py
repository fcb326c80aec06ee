"""Query text the database cannot hold (a NUL byte) is no reason for a 500 on the public API."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/courses"])
@pytest.mark.parametrize("q", ["\x00", "a\x00b", "%00"])
def test_a_nul_in_the_query_finds_nothing_and_breaks_nothing(client, path, q):
    response = client.get(path, {"q": q})

    assert response.status_code == 200
    assert response.json()["count"] == 0
