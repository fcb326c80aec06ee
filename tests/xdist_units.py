"""How the suites are spread over pytest-xdist's workers (``--dist loadgroup`` in the Makefile).

Every test is a unit of its own, except the package tests/demo/, which is one unit: its tests
share the demo data its package fixture loads once (tests/demo/conftest.py), and that happens
only if the package runs on one worker in one piece.

Written here rather than with xdist's own ``xdist_group`` marker: xdist 3.8 marks a group by
rewriting ``item._nodeid``, which pytest 9 no longer reads, so the marker groups nothing.
"""

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

WHOLE_PACKAGES = ("tests/demo/",)


class PackageUnits(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        for package in WHOLE_PACKAGES:
            if nodeid.startswith(package):
                return package
        return nodeid
