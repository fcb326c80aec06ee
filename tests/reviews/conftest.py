import pytest


@pytest.fixture(autouse=True)
def _files_of_their_own(own_storage: None) -> None:
    """Every reviews test keeps its files in a folder of its own (tests/conftest.py)."""
