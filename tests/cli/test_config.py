"""`studymarket login`/`logout` keep the token in a file only its owner can read."""

import json
import stat

import pytest
from studymarket_cli.config import (
    Settings,
    settings_delete,
    settings_read,
    settings_require,
    settings_save,
    site_normalize,
)
from studymarket_cli.errors import CliError


@pytest.fixture(autouse=True)
def _config_file(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYMARKET_CONFIG", str(tmp_path / "sub" / "config.json"))
    monkeypatch.delenv("STUDYMARKET_URL", raising=False)
    monkeypatch.delenv("STUDYMARKET_TOKEN", raising=False)


def test_saved_token_is_for_the_owner_only(tmp_path):
    path = settings_save(Settings(site="https://example.test", token="smpat_abc"))
    assert path == tmp_path / "sub" / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"site": "https://example.test", "token": "smpat_abc"}
    assert settings_read() == Settings(site="https://example.test", token="smpat_abc")
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_saving_again_replaces_the_file_and_keeps_its_mode():
    settings_save(Settings(site="https://example.test", token="smpat_old"))
    path = settings_save(Settings(site="https://example.test", token="smpat_new"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings_read() == Settings(site="https://example.test", token="smpat_new")


def test_environment_overrides_the_file(monkeypatch):
    settings_save(Settings(site="https://example.test", token="smpat_saved"))
    monkeypatch.setenv("STUDYMARKET_URL", "http://127.0.0.1:8000/")
    monkeypatch.setenv("STUDYMARKET_TOKEN", "smpat_env")
    assert settings_read() == Settings(site="http://127.0.0.1:8000", token="smpat_env")


def test_without_a_token_the_seller_is_told_to_log_in():
    assert settings_read() is None
    with pytest.raises(CliError, match="studymarket login"):
        settings_require()


def test_logout_forgets_the_token():
    settings_save(Settings(site="https://example.test", token="smpat_abc"))
    assert settings_delete() is True
    assert settings_read() is None
    assert settings_delete() is False


def test_a_damaged_file_says_what_to_do(tmp_path):
    path = tmp_path / "sub" / "config.json"
    path.parent.mkdir()
    path.write_text("{niet json")
    with pytest.raises(CliError, match="studymarket logout"):
        settings_read()


@pytest.mark.parametrize(
    ("given", "site"),
    [("studymarket.nl", "https://studymarket.nl"), ("http://127.0.0.1:8000/", "http://127.0.0.1:8000")],
)
def test_site_address_is_normalised(given, site):
    assert site_normalize(given) == site


def test_site_address_of_another_scheme_is_refused():
    with pytest.raises(CliError, match="https://"):
        site_normalize("ftp://studymarket.nl")
