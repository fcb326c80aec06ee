from collections.abc import Iterator

import pytest

from tests.reader_draws import reader_draws_finish


@pytest.fixture(autouse=True)
def _files_of_their_own(own_storage: None) -> None:
    """Every library test keeps its files in a folder of its own (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _reader_draws_finished(own_storage: None) -> Iterator[None]:
    """Page draws still storing the pages ahead end before the test's files go."""
    yield
    reader_draws_finish()
