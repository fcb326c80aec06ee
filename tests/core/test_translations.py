"""The translation catalogues: English complete, committed .mo files in step with their .po files."""

import gettext
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "studymarket" / "locale"


def catalogue(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def msgfmt(po: Path, output: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", output, str(po)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_english_catalogue_translates_every_message():
    result = msgfmt(catalogue("en"), "/dev/null")

    assert result.returncode == 0, result.stderr
    # "N translated messages." alone: msgfmt adds ", N fuzzy translations" and
    # ", N untranslated messages" when there are any, and Django skips both at run time.
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"[1-9]\d* translated messages\.", statistics), statistics


@pytest.mark.parametrize("language", ["en", "nl"])
def test_committed_mo_file_matches_its_po_file(language, tmp_path):
    """A .po edited without running compilemessages leaves a stale .mo, which is what Django reads."""
    fresh = tmp_path / "django.mo"
    result = msgfmt(catalogue(language), str(fresh))
    assert result.returncode == 0, result.stderr

    with catalogue(language).with_suffix(".mo").open("rb") as committed_file, fresh.open("rb") as fresh_file:
        committed = gettext.GNUTranslations(committed_file)
        expected = gettext.GNUTranslations(fresh_file)

    assert committed._catalog == expected._catalog  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_home_page_in_english(client):
    response = client.get("/en/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Start selling" in html
    assert "Start met verkopen" not in html
