"""Sequences that ninja's PageNumberPagination slices: only the requested page is read and
turned into the response's items, and ``len`` is the total ``count``."""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, overload

from django.db.models import QuerySet

T = TypeVar("T")
U = TypeVar("U")

PAGE_SIZE = 20
PAGE_SIZE_MAX = 100


class MappedPage(Sequence[U], Generic[T, U]):
    """A queryset (or list) whose sliced rows are mapped to response items on the way out."""

    def __init__(self, rows: "QuerySet[Any] | Sequence[T]", item: Callable[[T], U]) -> None:
        self.rows = rows
        self.item = item

    @overload
    def __getitem__(self, index: int) -> U: ...

    @overload
    def __getitem__(self, index: slice) -> list[U]: ...

    def __getitem__(self, index: int | slice) -> U | list[U]:
        if isinstance(index, slice):
            return [self.item(row) for row in self.rows[index]]
        return self.item(self.rows[index])

    def __len__(self) -> int:
        rows = self.rows
        return rows.count() if isinstance(rows, QuerySet) else len(rows)
