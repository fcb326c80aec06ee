"""The structure the code base promises (issue 11): one layering contract that names every app,
no domain signals, no upward model lookups by name, small modules, no imports from a conftest."""

import ast
import re
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "studymarket"
MODULE_MAX_LINES = 500


def _apps_on_disk() -> set[str]:
    return {path.parent.name for path in PACKAGE.glob("*/apps.py")}


def _layers_contract() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    return dict(layers)


def _python_sources(*folders: Path) -> list[Path]:
    return sorted(
        path for folder in folders for path in folder.rglob("*.py") if "migrations" not in path.parts
    )


def test_every_app_is_installed_and_named_once_in_the_layers_contract():
    layers = _layers_contract()
    named = [name.strip() for layer in layers["layers"] for name in re.split(r"[|:]", layer)]
    installed = {
        app.removeprefix("studymarket.") for app in settings.INSTALLED_APPS if app.startswith("studymarket.")
    }
    assert layers["containers"] == ["studymarket"]
    assert sorted(named) == sorted(set(named)), "an app is named twice"
    assert set(named) == _apps_on_disk() == installed


def test_no_signal_and_no_model_lookup_by_name_in_the_apps():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_sources(PACKAGE)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "Signal(" in line or "apps.get_model(" in line
    ]
    assert offenders == []


def test_no_module_over_500_lines():
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in _python_sources(PACKAGE, ROOT / "bench", ROOT / "scale")
        if (count := len(path.read_text().splitlines())) > MODULE_MAX_LINES
    }
    assert too_long == {}


def test_nothing_imports_from_a_conftest():
    """pytest gives tests their fixtures; plain helpers live in modules named for what they
    hold (tests/pdfs.py, tests/purchases.py, ...), so no conftest is imported, not even by another."""

    def from_a_conftest(node: ast.Import | ast.ImportFrom) -> bool:
        modules = [alias.name for alias in node.names]
        if isinstance(node, ast.ImportFrom):
            modules = [node.module or "", *modules]
        return any(module.split(".")[-1] == "conftest" for module in modules)

    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _python_sources(ROOT / "tests")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom) and from_a_conftest(node)
    ]
    assert offenders == []
