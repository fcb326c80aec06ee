"""The search backends behind one interface (base.py); ``backend_get`` builds one by name,
importing only the backend asked for."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from studymarket.search.backends.base import SearchBackend, SearchUnavailable


def backend_get(name: str | None = None, **options: Any) -> SearchBackend:
    """The backend called ``name`` (default: settings.SEARCH_BACKEND).

    tantivy takes ``index_dir`` (default settings.SEARCH_INDEX_DIR); postgres uses the default
    database connection (``using=`` another alias) and raises SearchUnavailable elsewhere."""
    name = name or settings.SEARCH_BACKEND
    if name == "tantivy":
        from studymarket.search.backends.tantivy import TantivyBackend

        return TantivyBackend(**options)
    if name == "postgres":
        from studymarket.search.backends.postgres import PostgresBackend

        return PostgresBackend(**options)
    raise SearchUnavailable(f"Unknown search backend {name!r}: use 'tantivy' or 'postgres'.")
