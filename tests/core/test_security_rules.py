"""security/semgrep.yml catches what it says it catches: each rule fires on a small violation, and
the code base itself has none (the same scan `make security` runs)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "security" / "semgrep.yml"
SEMGREP = Path(sys.executable).parent / "semgrep"

VIOLATIONS = {
    "studymarket/x/shell.py": "import subprocess\nsubprocess.run('ls', shell=True, timeout=1)\n",
    "studymarket/x/notimeout.py": "import subprocess\nsubprocess.run(['ls'])\n",
    "studymarket/x/dynamic.py": "eval('1')\n",
    "studymarket/x/safe.py": "from django.utils.safestring import mark_safe\nmark_safe(x)\n",
    "studymarket/x/templates/x/page.html": "<p>{{ text|safe }}</p>\n",
    "studymarket/x/csrf.py": (
        "from django.views.decorators.csrf import csrf_exempt\n@csrf_exempt\ndef view(request):\n    pass\n"
    ),
    "studymarket/x/sql.py": "Model.objects.raw('SELECT 1')\n",
    "studymarket/ledger/money.py": "amount = float(cents) / 100\n",
    "studymarket/x/signal.py": "import django.dispatch\nchanged = django.dispatch.Signal()\n",
    "studymarket/x/lookup.py": "from django.apps import apps\napps.get_model('orders', 'Order')\n",
    "studymarket/x/redirect.py": (
        "from django.shortcuts import redirect\ndef view(request):\n"
        "    return redirect(request.GET.get('next'))\n"
    ),
}
RULE_IDS = {
    "subprocess-shell",
    "subprocess-run-without-timeout",
    "dynamic-code",
    "mark-safe-outside-reviewed-places",
    "safe-filter-in-templates",
    "csrf-exempt-outside-reviewed-views",
    "raw-sql-outside-search-backend",
    "float-in-money",
    "domain-signal",
    "model-lookup-by-name",
    "open-redirect",
}


def _scan(target: Path) -> set[tuple[str, str]]:
    result = subprocess.run(
        [
            str(SEMGREP),
            "scan",
            "--config",
            str(RULES),
            "--metrics=off",
            "--disable-version-check",
            "--json",
            "--quiet",
            ".",
        ],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    found = json.loads(result.stdout)["results"]
    return {(hit["check_id"].rsplit(".", 1)[-1], hit["path"]) for hit in found}


@pytest.fixture(scope="module")
def violations(tmp_path_factory):
    target = tmp_path_factory.mktemp("violations")
    for name, text in VIOLATIONS.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text)
    return _scan(target)


def test_every_rule_fires_on_its_violation(violations):
    assert {rule for rule, _ in violations} == RULE_IDS


def test_each_violation_is_reported_where_it_is(violations):
    assert {path for _, path in violations} == set(VIOLATIONS)


def test_the_code_base_has_none(tmp_path):
    for folder in ("studymarket", "config"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    assert _scan(tmp_path) == set()
