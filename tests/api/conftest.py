"""The API's tests store real PDFs (uploads, the buyer's stamped copy) in a data folder of
their own, as the selling and library tests do."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _data_dir_of_their_own(data_dir: Path) -> None:
    """Every API test keeps its files in a data folder of its own (tests/conftest.py)."""
