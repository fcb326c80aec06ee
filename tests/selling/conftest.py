"""The documents tests' data folder (each test its own, autouse) and seller, for the seller's
journey, which stores and processes real uploads too."""

from tests.documents.conftest import data_dir, seller

__all__ = ["data_dir", "seller"]
