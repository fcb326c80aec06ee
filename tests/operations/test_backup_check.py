"""`manage.py check` warns a production shop on SQLite that makes no backups."""

import pytest
from django.db import connections

from studymarket.operations.checks import backups_configured

SQLITE = connections["default"].vendor == "sqlite"


@pytest.mark.skipif(not SQLITE, reason="the embedded profile's check (PostgreSQL is backed up otherwise)")
def test_production_without_backup_dir_is_warned(settings):
    settings.PRODUCTION = True
    settings.BACKUP_DIR = ""

    (warning,) = backups_configured()

    assert warning.id == "operations.W001"
    assert "BACKUP_DIR" in warning.msg


def test_no_warning_with_a_backup_dir_or_outside_production(settings, tmp_path):
    settings.PRODUCTION = True
    settings.BACKUP_DIR = str(tmp_path)
    assert backups_configured() == []
    settings.PRODUCTION = False
    settings.BACKUP_DIR = ""
    assert backups_configured() == []
