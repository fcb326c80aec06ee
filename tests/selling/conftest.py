"""The seller's journey stores and processes real uploads too, as the documents tests do."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _data_dir_of_their_own(data_dir: Path) -> None:
    """Every selling test keeps its files in a data folder of its own (tests/conftest.py)."""
