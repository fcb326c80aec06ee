# The library's purchases (real PDFs, paid orders, entitlements) are what reviews start from.
from tests.library.conftest import _own_storage, buyer, listing, order_line  # noqa: F401
