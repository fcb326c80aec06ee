"""The PDF pass without Django: structure checks, headings, page facts, one pass over a file."""

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from studymarket.documents.pdf import OutlineItem
from studymarket.documents.pdf.checks import PdfRejected, pdf_inspect
from studymarket.documents.pdf.extract import extract
from studymarket.documents.pdf.job import ExtractJob, preview_count_by_length
from studymarket.documents.reasons import Reason
from tests.documents import hostile
from tests.pdfs import pdf_bytes

BODY = "Dit is gewone tekst van een samenvatting over markten, prijzen en klanten."


def _write(tmp_path: Path, data: bytes, name: str = "document.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (hostile.truncated_pdf, Reason.TRUNCATED),
        (hostile.corrupt_pdf, Reason.UNREADABLE),
        (hostile.encrypted_pdf, Reason.ENCRYPTED),
        (hostile.javascript_pdf, Reason.JAVASCRIPT),
        (hostile.javascript_in_link_pdf, Reason.JAVASCRIPT),
        (hostile.zero_pages_pdf, Reason.ZERO_PAGES),
        (hostile.huge_image_pdf, Reason.TOO_COMPLEX),
        (hostile.polyglot_pdf, Reason.NOT_PDF),
        (hostile.png_bytes, Reason.NOT_PDF),
    ],
)
def test_inspect_refuses(tmp_path, make, code):
    with pytest.raises(PdfRejected) as refused:
        pdf_inspect(_write(tmp_path, make()), max_pages=1000, memory_mb=512)
    assert refused.value.code == code


def test_inspect_counts_pages_and_refuses_too_many(tmp_path):
    path = _write(tmp_path, hostile.many_pages_pdf(pages=5000))

    with pytest.raises(PdfRejected) as refused:
        pdf_inspect(path, max_pages=1000, memory_mb=512)

    assert (refused.value.code, refused.value.params) == (Reason.TOO_MANY_PAGES, {"count": 5000, "max": 1000})
    assert pdf_inspect(path, max_pages=5000, memory_mb=512) == 5000


def test_inspect_accepts_a_password_that_only_restricts_printing(tmp_path):
    assert pdf_inspect(_write(tmp_path, hostile.owner_password_pdf()), max_pages=10, memory_mb=512) == 2


def test_preview_count_by_length():
    table = [(31, 4), (15, 3), (4, 2), (1, 1)]
    assert [preview_count_by_length(n, table) for n in (1, 3, 4, 14, 15, 30, 31, 102)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def _headings_pdf(layout: Sequence[Sequence[tuple[str, float, str]]]) -> bytes:
    """A page per list of (font, size, line), each line followed by body text at 10 pt, and a
    running header on every page."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    for page in layout:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, 810, "Samenvatting Marketing - studymarket")
        y = 780
        for font, size, text in page:
            canvas.setFont(font, size)
            canvas.drawString(72, y, text)
            for _ in range(8):  # body text makes 10 pt the most common size
                y -= 14
                canvas.setFont("Helvetica", 10)
                canvas.drawString(72, y, BODY)
            y -= 24
        canvas.showPage()
    canvas.save()
    return out.getvalue()


BOLD = "Helvetica-Bold"


def _events(path: str, tmp_path: Path, **job: Any) -> list[dict[str, Any]]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    options: dict[str, Any] = {
        "max_pages": 1000,
        "text": True,
        "preview_count": 1,
        "preview_width": 400,
        "thumbnail_width": 120,
    }
    events: list[dict[str, Any]] = []
    extract(ExtractJob(path=path, out_dir=str(out), **{**options, **job}), events.append)
    return events


def test_headings_become_the_toc_when_there_is_no_outline(tmp_path):
    layout = [
        [(BOLD, 20, "Marketing in de praktijk"), (BOLD, 14, "Inhoud"), (BOLD, 10, "1. Inleiding ........ 2")],
        [(BOLD, 10, "1. Inleiding"), (BOLD, 10, "1.1 Begrippen"), ("Helvetica", 10, "2.3 Top 10")],
        [(BOLD, 14, "Bijlage met cijfers"), (BOLD, 10, "2.4.3 Tabellen")],
    ]

    events = _events(_write(tmp_path, _headings_pdf(layout)), tmp_path)

    (toc,) = [event for event in events if event["event"] == "toc"]
    # Numbered headings take the numbering's depth; the others that of the numbered headings
    # nearest in size. Left out: the running header, the printed contents ("Inhoud" and its
    # lines ending in a page number) and a numbered line in body text.
    assert toc == {
        "event": "toc",
        "source": "headings",
        "entries": [
            [1, "Marketing in de praktijk", 1],
            [1, "1. Inleiding", 2],
            [2, "1.1 Begrippen", 2],
            [1, "Bijlage met cijfers", 3],
            [3, "2.4.3 Tabellen", 3],
        ],
    }


def test_without_numbering_the_larger_heading_is_the_higher_level(tmp_path):
    layout = [[(BOLD, 18, "Marketing"), (BOLD, 14, "Prijzen")], [(BOLD, 14, "Klanten")]]

    events = _events(_write(tmp_path, _headings_pdf(layout)), tmp_path)

    assert events[-2]["entries"] == [[1, "Marketing", 1], [2, "Prijzen", 1], [2, "Klanten", 2]]


def test_the_outline_wins_over_headings(tmp_path):
    data = pdf_bytes(pages=3, outline=[(1, "Hoofdstuk 1", 1), (2, "1.1 Appels", 2)])

    events = _events(_write(tmp_path, data), tmp_path)

    assert events[-2] == {
        "event": "toc",
        "source": "outline",
        "entries": [[1, "Hoofdstuk 1", 1], [2, "1.1 Appels", 2]],
    }
    assert OutlineItem(level=1, title="Hoofdstuk 1", page=1)  # the same shape the parent builds


def test_one_pass_reports_every_page_in_order(tmp_path):
    events = _events(_write(tmp_path, pdf_bytes(pages=4)), tmp_path, preview_count=2)

    assert [event["event"] for event in events] == ["opened", "page", "page", "page", "page", "toc", "done"]
    assert events[0] == {"event": "opened", "page_count": 4, "preview_count": 2}
    pages = events[1:5]
    assert [page["number"] for page in pages] == [1, 2, 3, 4]
    assert [page["text"] for page in pages] == [f"Pagina {n} over appels en peren" for n in (1, 2, 3, 4)]
    assert [page["words"] for page in pages] == [6, 6, 6, 6]
    assert [page["thumbnail_blurred"] for page in pages] == [False, False, True, True]
    assert ["preview" in page for page in pages] == [True, True, False, False]
    preview = Image.open(tmp_path / "out" / pages[0]["preview"]["file"])
    thumbnail = Image.open(tmp_path / "out" / pages[3]["thumbnail"]["file"])
    assert (preview.format, preview.width, thumbnail.format, thumbnail.width) == ("WEBP", 400, "WEBP", 120)
    assert pages[0]["preview"]["height"] == preview.height


def test_preview_count_from_the_length_once_the_page_count_is_known(tmp_path):
    events = _events(_write(tmp_path, pdf_bytes(pages=16)), tmp_path, preview_by_length=[(15, 3), (1, 1)])

    assert events[0]["preview_count"] == 3
    assert [event["number"] for event in events if "preview" in event] == [1, 2, 3]


def test_images_only_for_the_pages_asked(tmp_path):
    events = _events(
        _write(tmp_path, pdf_bytes(pages=5)), tmp_path, text=False, pages=[2, 5], preview_count=2
    )

    pages = [event for event in events if event["event"] == "page"]
    assert [(page["number"], "text" in page, "preview" in page) for page in pages] == [
        (2, False, True),
        (5, False, False),
    ]
    assert [event["event"] for event in events] == ["opened", "page", "page", "done"]


def _scanned_pdf() -> bytes:
    """Page 1: a photo of a page (a scan) with an invisible OCR layer; page 2: text with a
    small logo; page 3: text and a large photo."""
    photo = io.BytesIO()
    Image.effect_noise((300, 400), 60).convert("RGB").save(photo, "JPEG")
    image = ImageReader(io.BytesIO(photo.getvalue()))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    canvas.drawImage(image, 0, 0, width=width, height=height)
    text = canvas.beginText(72, 700)
    text.setTextRenderMode(3)  # invisible, as OCR software writes it
    text.textLine("Gescande tekst uit de OCR-laag")
    canvas.drawText(text)
    canvas.showPage()
    canvas.drawImage(image, 500, 780, width=30, height=40)
    canvas.drawString(72, 700, BODY)
    canvas.showPage()
    canvas.drawString(72, 760, BODY)
    canvas.drawImage(image, 72, 300, width=400, height=400)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_scanned_pages_and_pages_with_images(tmp_path):
    events = _events(_write(tmp_path, _scanned_pdf()), tmp_path)

    pages = [event for event in events if event["event"] == "page"]
    assert [(page["has_images"], page["is_scanned"]) for page in pages] == [
        (True, True),
        (False, False),
        (True, False),
    ]
    assert pages[0]["text"] == "Gescande tekst uit de OCR-laag"


def test_a_heading_set_over_two_lines_keeps_its_end_without_letters(tmp_path):
    # Issue 16: "(nieuw in versie 2)" wrapped after "versie" was cut to "(nieuw in versie": the
    # line "2)" has no letters, was never a heading candidate and so never joined.
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setFont(BOLD, 16)
    canvas.drawString(72, 780, "Hoofdstuk 6: Nieuwe inzichten (nieuw in versie")
    canvas.drawString(72, 760, "2)")
    y = 730
    for _ in range(8):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, y, BODY)
        y -= 14
    canvas.setFont(BOLD, 16)
    canvas.drawString(72, 600, "2024")  # a number on its own, after body text: no entry
    canvas.showPage()
    canvas.save()

    events = _events(_write(tmp_path, out.getvalue()), tmp_path)

    assert events[-2]["entries"] == [[1, "Hoofdstuk 6: Nieuwe inzichten (nieuw in versie 2)", 1]]
