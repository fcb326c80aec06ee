import io
from collections.abc import Sequence

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from studymarket.accounts.models import SellerProfile
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


@pytest.fixture
def seller(db: None) -> SellerProfile:
    profile: SellerProfile = SellerFactory()
    return profile
