"""The demo data, loaded once for every test module in this package.

Loading it takes most of a minute (hundreds of orders, every PDF drawn), and four modules read
it: loaded per module, and once more on each xdist worker a module was split over, it cost
minutes of every suite. So it is loaded once per package, in one transaction rolled back when
the package is done; every test runs in a savepoint inside it, as before. The suites run with
``--dist loadgroup``, which keeps this package on one worker in one piece (tests/xdist_units.py),
so the load happens once per suite.
"""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone

from studymarket.storefront.demo.load import demo_data_load
from tests.demo.loading import DemoLoad


@pytest.fixture(scope="package")
def demo_load(django_db_setup: None, django_db_blocker) -> Iterator[DemoLoad]:
    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        yield DemoLoad(result=demo_data_load(now=now), now=now)
        transaction.set_rollback(True)
