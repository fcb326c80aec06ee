"""PDFs made on the spot with reportlab, for the tests that store, process, stamp or upload one."""

import io
import random
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas


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
