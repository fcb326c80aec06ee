"""Search tests run against both backends: tantivy everywhere, postgres when the tests run
on PostgreSQL (DATABASE_URL=postgres://…)."""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from studymarket.search.backends import SearchBackend, backend_get
from studymarket.search.index_sync import search_rebuild

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(params=["tantivy", "postgres", "postgres-without-rum"])
def backend_name(
    request: pytest.FixtureRequest, settings: Any, db: None, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The backend under test; "postgres-without-rum" is the postgres backend on a server
    without the rum extension (GIN and ts_rank_cd over the small fields)."""
    name = str(request.param)
    if name.startswith("postgres"):
        if connection.vendor != "postgresql":
            pytest.skip("the postgres backend runs when the tests run on PostgreSQL")
        if name == "postgres-without-rum":
            from studymarket.search.backends.postgres import schema

            installed = schema.pg_extensions()
            monkeypatch.setattr(schema, "pg_extensions", lambda using="default": installed - {"rum"})
            name = "postgres"
    settings.SEARCH_BACKEND = name
    return name


@pytest.fixture
def engine(backend_name: str) -> SearchBackend:
    return backend_get(backend_name)


@pytest.fixture
def indexed(engine: SearchBackend) -> Callable[[], int]:
    """Call after making listings: indexes every published one into the backend under test."""
    return lambda: search_rebuild(backend=engine)
