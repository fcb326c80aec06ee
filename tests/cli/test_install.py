"""The issue's "done when": `pip install ./cli` in a fresh virtual environment, then
`studymarket upload` of a PDF publishes a listing that the site's search finds.

pip installs from a wheelhouse repacked from this .venv (tests/cli/wheelhouse.py) with
--no-index: no network needed, and the same locked versions of httpx, tqdm and setuptools
(the build backend, in pip's isolated build environment). The source is copied first: building
in place would leave build/ and an .egg-info in cli/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from studymarket.accounts.tokens import token_create
from studymarket.catalog.models import Listing, ListingStatus
from tests.cli.wheelhouse import wheelhouse_build
from tests.factories import CourseFactory, SellerFactory
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

CLI = Path(__file__).resolve().parents[2] / "cli"
TITLE = "Statistiek Samenvatting Hoorcolleges"
DESCRIPTION = "De hoorcolleges statistiek samengevat, met uitgewerkte voorbeelden."


def _run(command: list[str | Path], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def test_pip_install_then_upload_publishes_what_search_finds(tmp_path, live_server):
    wheels = tmp_path / "wheels"
    wheelhouse_build(wheels, roots=["httpx", "tqdm", "setuptools"])
    source = shutil.copytree(
        CLI, tmp_path / "cli", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", venv])
    assert made.returncode == 0, made.stderr
    pip = [venv / "bin/python", "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    installed = _run([*pip, "--no-index", "--find-links", wheels, source])
    assert installed.returncode == 0, installed.stderr

    seller = SellerFactory()
    course = CourseFactory(name="Statistiek", code="STA 101")
    pdf = tmp_path / "statistiek.pdf"
    pdf.write_bytes(pdf_bytes(pages=6))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "STUDYMARKET_URL": live_server.url,
        "STUDYMARKET_TOKEN": token_create(user=seller.user, name="ci", scopes=["sell"]).secret,
        "STUDYMARKET_CONFIG": str(tmp_path / "config.json"),
    }
    details = ["--title", TITLE, "--price", "3.49", "--course", "STA 101", "--description", DESCRIPTION]
    upload = _run([venv / "bin/studymarket", "upload", pdf, *details], env=env)
    assert upload.returncode == 0, upload.stderr

    listing = Listing.objects.get(seller=seller)
    assert (listing.status, listing.price_cents, listing.course) == (ListingStatus.PUBLISHED, 349, course)
    assert upload.stdout.splitlines()[-1] == f"Gepubliceerd: {live_server.url}{listing.get_absolute_url()}"
    page = httpx.get(f"{live_server.url}/zoeken/", params={"q": "statistiek hoorcolleges"})
    assert listing.get_absolute_url() in page.text
