"""The embedded tantivy search backend (backend.py; its docstring and the ADR say how)."""

from studymarket.search.backends.tantivy.backend import TantivyBackend

__all__ = ["TantivyBackend"]
