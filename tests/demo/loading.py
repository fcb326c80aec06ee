"""What the package's ``demo_load`` fixture (conftest.py) hands to its tests."""

from dataclasses import dataclass
from datetime import datetime

from studymarket.storefront.demo.load import DemoLoadResult


@dataclass(frozen=True)
class DemoLoad:
    result: DemoLoadResult
    now: datetime  # the moment of loading
