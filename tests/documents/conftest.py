import io
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import Storage
from pytest_django import Settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from studymarket.accounts.models import SellerProfile
from studymarket.core.storage import private_storage, public_storage
from tests.factories import SellerFactory


def pdf_bytes(
    *, pages: int, outline: Sequence[tuple[int, str, int]] = (), colour_page: int | None = None
) -> bytes:
    """A PDF whose page n says "Pagina n over appels en peren", with bookmarks (level, title, page)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 14)
        canvas.drawString(72, 760, f"Pagina {number} over appels en peren")
        if number == colour_page:
            canvas.setFillColorRGB(0.9, 0.2, 0.1)
            canvas.rect(72, 400, 300, 200, fill=1, stroke=0)
        for n, (level, title, page) in enumerate(outline):
            if page == number:
                canvas.bookmarkPage(f"b{n}")
                canvas.addOutlineEntry(title, f"b{n}", level=level - 1)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


_WORDS = (
    "klant markt prijs waarde model analyse strategie proces kwaliteit begrip theorie praktijk examen "
    "leverancier segment planning relatie inkoop verkoop meting organisatie portfolio casus evolutie"
).split()


def words_pdf(pages: list[int]) -> bytes:
    """One page per seed: 150 words drawn from a fixed list by that seed, so two documents
    sharing seeds share those pages' text word for word."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    for seed in pages:
        words = random.Random(seed).choices(_WORDS, k=150)
        lines = canvas.beginText(50, 800)
        lines.setFont("Helvetica", 9)
        for start in range(0, len(words), 15):
            lines.textLine(" ".join(words[start : start + 15]))
        canvas.drawText(lines)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.fixture
def seller(db: None) -> SellerProfile:
    profile: SellerProfile = SellerFactory()
    return profile


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets a data folder of its own, laid out as DATA_DIR is (private/, public/,
    tmp/), so it can tell exactly which files it made and left; a subprocess given it as
    DATA_DIR sees the same files."""
    root = tmp_path / "data"
    settings.DATA_DIR = root
    storages = {"private": private_storage(), "public": public_storage()}
    for kind, storage in storages.items():
        monkeypatch.setattr(storage, "_location", str(root / kind))
        _forget_location(storage)
    yield root
    monkeypatch.undo()
    for storage in storages.values():
        _forget_location(storage)


def _forget_location(storage: Storage) -> None:
    # FileSystemStorage caches its folder; the next use reads _location again.
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)


def stored_files(storage: str) -> list[str]:
    """Every file in the test's "private" (sellers' documents) or "public" (previews) folder."""
    root = Path(settings.DATA_DIR) / storage
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def workspaces() -> list[str]:
    """Processing folders left in DATA_DIR/tmp (each run removes its own)."""
    root = Path(settings.DATA_DIR) / "tmp"
    return sorted(path.name for path in root.iterdir()) if root.exists() else []
