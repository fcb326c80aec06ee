"""The postgres search backend (backend.py; the ADR and backend.py's docstring say how)."""

from studymarket.search.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresBackend"]
