"""The test environment, set before Django reads its settings.

pyproject.toml loads this package as a pytest plugin (``-p tests``): pytest imports it
before pytest-django loads ``config.settings``, and the settings read these variables
only at import. A conftest.py would come too late.
"""

import atexit
import os
import shutil
import tempfile

# One temporary folder per run; xdist's workers inherit it from the controller, which
# removes it at the end, and each worker takes a subfolder of its own.
if "STUDYMARKET_TEST_DATA_DIR" not in os.environ:
    _run_dir = tempfile.mkdtemp(prefix="studymarket-test-")
    os.environ["STUDYMARKET_TEST_DATA_DIR"] = _run_dir
    atexit.register(shutil.rmtree, _run_dir, ignore_errors=True)
_data_dir = os.path.join(
    os.environ["STUDYMARKET_TEST_DATA_DIR"], os.environ.get("PYTEST_XDIST_WORKER", "main")
)
# WhiteNoise warns about a missing STATIC_ROOT; tests serve static files from the finders.
os.makedirs(os.path.join(_data_dir, "static"), exist_ok=True)

os.environ["STUDYMARKET_TESTING"] = "1"
# Tests never touch the developer's data folder (database file, uploads, mail, cache).
os.environ["DATA_DIR"] = _data_dir
# Each xdist worker counts its own requests for /metrics: the settings only set this variable when
# it is unset, and the workers inherit the controller's, which would make their counts one.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(_data_dir, "metrics")
# Tasks run inline unless a test asks for the database backend (fixture db_task_backend).
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
os.environ["CACHE_URL"] = "locmemcache://studymarket-tests"
# Pages are rendered fresh in tests (a test changes data with factories, not through the services
# that drop cached pages); tests/storefront/test_page_cache.py turns the public page cache on.
os.environ.setdefault("PUBLIC_PAGE_CACHE_SECONDS", "0")
os.environ.pop("STUDYMARKET_ENV", None)
