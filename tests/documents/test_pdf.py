import io

import pytest
from PIL import Image

from studymarket.documents.pdf import OutlineItem, PdfError, pdf_open
from tests.pdfs import pdf_bytes

OUTLINE = [
    (1, "Hoofdstuk 1: Appels", 1),
    (2, "1.1 Goudreinetten", 2),
    (3, "1.1.1 Bewaren", 2),
    (1, "Hoofdstuk 2", 3),
]


def test_page_count_and_text_per_page():
    with pdf_open(pdf_bytes(pages=3)) as pdf:
        assert pdf.page_count == 3
        assert pdf.page_text(2) == "Pagina 2 over appels en peren"


def test_pages_are_numbered_from_one():
    with pdf_open(pdf_bytes(pages=2)) as pdf, pytest.raises(IndexError):
        pdf.page_text(0)


def test_outline_with_levels_and_pages():
    with pdf_open(pdf_bytes(pages=3, outline=OUTLINE)) as pdf:
        assert pdf.outline() == [
            OutlineItem(level=1, title="Hoofdstuk 1: Appels", page=1),
            OutlineItem(level=2, title="1.1 Goudreinetten", page=2),
            OutlineItem(level=3, title="1.1.1 Bewaren", page=2),
            OutlineItem(level=1, title="Hoofdstuk 2", page=3),
        ]


def test_no_outline():
    with pdf_open(pdf_bytes(pages=1)) as pdf:
        assert pdf.outline() == []


def test_render_pages_as_webp_of_the_asked_width():
    with pdf_open(pdf_bytes(pages=3)) as pdf:
        rendered = pdf.render_pages([1, 3], width=600)
    assert sorted(rendered) == [1, 3]
    image = Image.open(io.BytesIO(rendered[3].data))
    assert (image.format, image.width) == ("WEBP", 600)
    assert image.size == (rendered[3].width, rendered[3].height)
    assert abs(image.height - 600 * 842 / 595) < 1.5  # A4's proportions


def test_text_pages_are_small_and_colour_survives():
    with pdf_open(pdf_bytes(pages=2, colour_page=2)) as pdf:
        rendered = pdf.render_pages([1, 2], width=1100)
    assert len(rendered[1].data) < 40_000
    colour = Image.open(io.BytesIO(rendered[2].data)).convert("RGB")
    pixel = colour.getpixel((300, 632))  # inside the red rectangle
    assert isinstance(pixel, tuple)
    red, green, blue = pixel
    assert red > 200
    assert max(green, blue) < 100


def test_not_a_pdf():
    with pytest.raises(PdfError), pdf_open(b"%PDF-1.7 but nothing else"):
        pass
