"""Where a string still appears after an erasure: in any field of any row of any model of every
installed app (found through django.apps, so a model added later is searched too), and in any
file under the given folders (the private and public storage)."""

import io
import json
import zipfile
from pathlib import Path

import pikepdf
from django.apps import apps


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        # Both forms: as stored on SQLite (ASCII escapes) and as read.
        return json.dumps(value) + json.dumps(value, ensure_ascii=False)
    return str(value)


def rows_naming(needles: list[str]) -> list[str]:
    """ "app_label.Model#pk.field" for every field whose text holds one of ``needles``."""
    lowered = [n.lower() for n in needles]
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = model._meta.concrete_fields
        for row in model._default_manager.all().iterator():
            for field in fields:
                text = _text(field.value_from_object(row)).lower()
                for needle in lowered:
                    if needle in text:
                        found.append(f"{model._meta.label}#{row.pk}.{field.name}: {needle}")
    return found


def files_naming(folders: list[Path], needles: list[str]) -> list[str]:
    forms = [form for n in needles for form in {n.encode(), n.lower().encode(), n.encode("utf-16-be")}]
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if path.is_file():
                data = _readable(path.read_bytes())
                found += [f"{path}: {form!r}" for form in forms if form in data or form in data.lower()]
    return found


def _readable(data: bytes) -> bytes:
    """The bytes as stored, and what a reader would see: a ZIP's members, a PDF's streams
    decompressed (a stamped copy's name is in a compressed content stream)."""
    parts = [data]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts += [_readable(archive.read(name)) for name in archive.namelist()]
    elif data.startswith(b"%PDF-"):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    try:
                        parts.append(obj.read_bytes())
                    except pikepdf.PdfError:
                        continue
    return b"\n".join(parts)
