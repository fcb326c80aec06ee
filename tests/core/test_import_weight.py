"""Heavy libraries load only where they are used (issue 14, docs/CONVENTIONS.md): a web process
that has imported everything it serves from (the URLconf, the WSGI application with its
middleware, the template tag libraries and context processors), and the `serve` supervisor with
its periodic tasks, hold none of them. Each is checked in a fresh Python process, since this
test process has imported them all long ago.

A failure names the module and the chain of imports that pulled it in: move that import into
the function that uses it (TYPE_CHECKING for annotations), as documents/originality.py does.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each costs a process that imports it (resident MB, measured for bench/memory.py) and who
# needs it: the worker's upload pass, the sandboxed child, or a rare request.
HEAVY = {
    "datasketch": "MinHash signatures (documents.originality); brings numpy and scipy, ~60 MB",
    "scipy": "via datasketch",
    "numpy": "via datasketch and py3langid",
    "redis": "via datasketch",
    "py3langid": "language of an upload (documents.language), ~13 MB and its model",
    "pikepdf": "PDF checks and stamping (sandbox, worker), page sizes on a reader cache miss",
    "pypdfium2": "PDF reading and drawing (the sandboxed child)",
    "PIL": "page images (sandbox), avatars (accounts.services)",
    "reportlab": "stamping (worker), the yearly statement PDF",
    "schwifty": "IBAN checks (accounts.services), ~9 MB with its bank registry",
    "segno": "the staff's two-factor QR code",
    "zxcvbn": "password strength, ~12 MB of dictionaries",
    "text_unidecode": "erasure of a seller (privacy.erasure_seller)",
    "sepaxml": "SEPA payout files (worker)",
    "lxml": "via sepaxml",
    "mollie": "the Mollie client (payments with PAYMENT_PROVIDER=mollie)",
}

WEB = """
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # imports every urls.py and so every view module
from config.wsgi import application  # the middleware chain
from django.template import engines
from django.template.backends.django import get_installed_libraries
get_installed_libraries()  # every templatetags module
engines["django"].engine.template_context_processors
"""

SUPERVISOR = """
import django
django.setup()
from django.conf import settings
from django.utils.module_loading import import_string
import studymarket.core.management.commands.serve
import_string(settings.PERIODIC_TASKS)()  # the tasks it queues
"""

# Prints which of the heavy modules the code above loaded.
_REPORT = """
import json, sys
heavy = json.loads(sys.argv[1])
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


def _environment(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATA_DIR=str(tmp_path),
        # As `manage.py serve` runs the site, not as the tests do.
        STUDYMARKET_TESTING="0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    return environment


def _heavy_loaded(code: str, tmp_path: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code + _REPORT, json.dumps(sorted(HEAVY))],
        cwd=ROOT,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def _chains(code: str, names: list[str], tmp_path: Path) -> str:
    """For the failure message: who imported each module (python -X importtime's tree)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.split("|")[2]
            rows.append((len(name) - len(name.lstrip()), name.strip()))
    lines = []
    for index, (depth, name) in enumerate(rows):
        if name not in names:
            continue
        chain, level = [], depth
        for parent_depth, parent in rows[index + 1 :]:  # importtime lists children before parents
            if parent_depth < level:
                chain.append(parent)
                level = parent_depth
        lines.append(f"{name} <- " + " <- ".join(c for c in chain if c.startswith(("studymarket", "config"))))
    return "\n".join(lines)


@pytest.mark.parametrize(("process", "code"), [("web", WEB), ("supervisor", SUPERVISOR)])
def test_heavy_libraries_are_not_imported_up_front(process: str, code: str, tmp_path: Path) -> None:
    loaded = _heavy_loaded(code, tmp_path)
    assert loaded == [], f"The {process} process imports {loaded}:\n{_chains(code, loaded, tmp_path)}"


def test_the_guard_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check itself works: a module that does use pikepdf is reported."""
    assert _heavy_loaded(WEB + "import studymarket.library.stamping\n", tmp_path) == [
        "PIL",
        "pikepdf",
        "reportlab",
    ]
