import pytest


@pytest.fixture(autouse=True)
def _files_of_their_own(data_dir: object) -> None:
    """Every privacy test keeps its files in a data folder of its own (tests/conftest.py), so
    the no-trace tests can read every stored file."""
