"""htmx attributes are written data-hx-*: the Nu HTML Checker refuses hx-* (issue 16)."""

import re
from pathlib import Path

from django.conf import settings

_BARE = re.compile(r"""(?<![\w-])hx-[a-z]+(?:-[a-z]+)*\s*=""")
_PYTHON_ATTRS = re.compile(r"""["']hx-[a-z]+(?:-[a-z]+)*["']""")


def _files(pattern: str) -> list[Path]:
    root = Path(settings.BASE_DIR, "studymarket")
    return [p for p in root.rglob(pattern) if "vendor" not in p.parts]


def test_templates_write_htmx_attributes_as_data_attributes():
    templates = _files("*.html")
    assert len(templates) > 50
    bare = [
        f"{p.relative_to(settings.BASE_DIR)}: {m}" for p in templates for m in _BARE.findall(p.read_text())
    ]
    assert bare == []


def test_form_widgets_write_htmx_attributes_as_data_attributes():
    bare = [
        f"{p.relative_to(settings.BASE_DIR)}: {m}"
        for p in _files("*.py")
        for m in _PYTHON_ATTRS.findall(p.read_text())
    ]
    assert bare == []


def test_the_check_sees_a_bare_attribute():
    assert _BARE.search('<div hx-get="/x">')
    assert not _BARE.search('<div data-hx-get="/x">')
    assert _PYTHON_ATTRS.search('{"hx-get": url}')
    assert not _PYTHON_ATTRS.search('{"data-hx-get": url}')
