import pytest

# The library's purchases (real PDFs, paid orders, entitlements) are what reviews start from.
from tests.library.conftest import buyer, listing, order_line  # noqa: F401


@pytest.fixture(autouse=True)
def _files_of_their_own(own_storage: None) -> None:
    """Every reviews test keeps its files in a folder of its own (tests/conftest.py)."""
