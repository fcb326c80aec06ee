"""The words of the site (issue 16, defect 8): Dutch that says "je", never "u" or "Uw"; real
singulars and plurals, never "beoordeling(en)"; and Dutch names for every model in the admin,
never Django's English guess ("Entrys", "Payout batchs")."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from studymarket.accounts.password_change import ChangePasswordForm

ROOT = Path(settings.BASE_DIR) / "studymarket"
NL_CATALOGUE = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"

# Polite "u" / "uw" as a word, and a plural in brackets after a word: "afwijking(en)",
# "document(en)", "review(s)".
_POLITE = re.compile(r"(?<![\w%-])(?:[Uu]w|[Uu])(?![\w-])")
_BRACKET_PLURAL = re.compile(r"[a-zë]\((?:en|s|n|e)\)")
# What is not words: template tags and variables, %(name)s placeholders, markup, URLs.
_NOT_WORDS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|%\(\w+\)[sdi]|<[^>]*>|https?://\S+", re.DOTALL)


def _wording_problems(text: str) -> list[str]:
    words = _NOT_WORDS.sub(" ", text)
    return [match.group(0) for pattern in (_POLITE, _BRACKET_PLURAL) for match in pattern.finditer(words)]


def _catalogue_msgids() -> list[str]:
    """Every Dutch source string of the catalogue, singular and plural (``make messages``)."""
    text = NL_CATALOGUE.read_text(encoding="utf-8")
    ids = []
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        found = re.search(r'^msgid "(.*?)"\n((?:".*"\n)*)', block + "\n", re.MULTILINE)
        plural = re.search(r'^msgid_plural "(.*?)"\n((?:".*"\n)*)', block + "\n", re.MULTILINE)
        for match in (found, plural):
            if match:
                continuation = "".join(re.findall(r'^"(.*)"$', match.group(2), re.MULTILINE))
                ids.append(match.group(1) + continuation)
    return [msgid for msgid in ids if msgid]


def _templates() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*")
        if path.suffix in {".html", ".txt"} and "templates" in path.parts and path.is_file()
    )


def test_the_scan_finds_what_it_looks_for():
    """The guard can fail: each of these is caught, and their "je" forms are not."""
    for bad in (
        "Uw wachtwoord is gewijzigd.",
        "Weet u het zeker?",
        "Kies een bestand voor uw document.",
        "12 beoordeling(en)",
        "{{ count }} document(en)",
    ):
        assert _wording_problems(bad), bad
    for good in (
        "Je wachtwoord is gewijzigd.",
        "Weet je het zeker?",
        "{{ u }} en %(u)s",
        "U-bocht",
        "12 beoordelingen (en 3 reacties)",
        '<a href="/u/">Kies</a>',
    ):
        assert not _wording_problems(good), good


def test_catalogue_has_the_source_strings():
    msgids = _catalogue_msgids()
    assert len(msgids) > 1000
    assert "In winkelwagen" in msgids


def test_no_dutch_source_string_says_u_or_uses_a_bracket_plural():
    problems = {msgid: _wording_problems(msgid) for msgid in _catalogue_msgids()}
    assert {msgid: found for msgid, found in problems.items() if found} == {}


@pytest.mark.parametrize("path", _templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_says_u_or_uses_a_bracket_plural(path):
    """Also the text a template has outside {% translate %} (e-mails included)."""
    assert _wording_problems(path.read_text(encoding="utf-8")) == []


def test_djangos_password_texts_say_je():
    """Django's own Dutch says "Uw wachtwoord …": the site's validators and forms use their own."""
    with translation.override("nl"):
        texts = [str(text) for text in password_validation.password_validators_help_texts()]
        texts += [str(message) for message in ChangePasswordForm.error_messages.values()]
    assert len(texts) >= 6
    assert {text: _wording_problems(text) for text in texts if _wording_problems(text)} == {}


def _project_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("studymarket.")]


def test_every_model_has_dutch_names_for_the_admin():
    models = _project_models()
    assert len(models) > 40
    missing = []
    for model in models:
        given = model._meta.original_attrs
        for option in ("verbose_name", "verbose_name_plural"):
            # Given, and through gettext_lazy: Dutch source, English from the catalogue.
            if not isinstance(given.get(option), Promise):
                missing.append(f"{model._meta.label}.{option}")
    assert missing == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_admin_name_is_an_english_guess(language):
    """No "Entrys" or "Payout batchs": the plural is written, in either language."""
    with translation.override(language):
        plurals = {model._meta.label: str(model._meta.verbose_name_plural) for model in _project_models()}
    guesses = {label: plural for label, plural in plurals.items() if re.search(r"(ys|chs|shs|xs)$", plural)}
    assert guesses == {}
    if language == "nl":
        assert plurals["ledger.Entry"] == "boekingen"
        assert plurals["ledger.PayoutBatch"] == "uitbetalingsbatches"
    else:
        assert plurals["ledger.Entry"] == "entries"
        assert plurals["ledger.PayoutBatch"] == "payout batches"


def test_every_app_with_models_has_a_dutch_name_for_the_admin():
    unnamed = [
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("studymarket.")
        and list(config.get_models())
        and not isinstance(config.verbose_name, Promise)
    ]
    assert unnamed == []
