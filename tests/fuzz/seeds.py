"""Small valid PDFs the fuzzer mutates (tests/fuzz/fuzz_ingest.py), also run through the pipeline
by tests/documents/test_fuzz_regressions.py. Each is a few kilobytes and made the same way on
every run (no dates, no random document ids), so a fuzz seed number names the same inputs.

Between them they hold what the pipeline reads: text and headings, an outline, images (Flate
and JPEG), several pages, a form XObject and a link, an incremental update, and object and
cross-reference streams. Most are written uncompressed, so the fuzzer's structure-aware
mutations find the dictionaries, numbers and streams they rewrite.
"""

import io
import random
import re

import pikepdf
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

_WORDS = "markt prijs waarde model analyse strategie proces kwaliteit begrip theorie examen".split()


def _canvas(out: io.BytesIO, *, compress: bool) -> Canvas:
    return Canvas(out, pagesize=A4, invariant=1, pageCompression=1 if compress else 0)


def _body(canvas: Canvas, number: int, *, lines: int = 6) -> None:
    words = random.Random(number).choices(_WORDS, k=lines * 10)
    text = canvas.beginText(60, 700)
    text.setFont("Helvetica", 10)
    for start in range(0, len(words), 10):
        text.textLine(" ".join(words[start : start + 10]))
    canvas.drawText(text)


def text_pdf() -> bytes:
    """Two pages of text with numbered bold headings (the table of contents comes from them)."""
    out = io.BytesIO()
    canvas = _canvas(out, compress=False)
    for number in (1, 2):
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(60, 760, f"{number}.1 Hoofdstuk over l'été")
        _body(canvas, number)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def outline_pdf() -> bytes:
    """Three pages with a two-level outline and a title in UTF-16."""
    out = io.BytesIO()
    canvas = _canvas(out, compress=False)
    canvas.setTitle("Samenvatting Économie")
    for number in (1, 2, 3):
        canvas.bookmarkPage(f"p{number}")
        canvas.addOutlineEntry(f"Deel {number}", f"p{number}", level=0)
        if number == 2:
            canvas.bookmarkPage("p2.1")
            canvas.addOutlineEntry("Deel 2.1 — €", "p2.1", level=1)
        _body(canvas, number, lines=3)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def images_pdf() -> bytes:
    """A page covered by an image (a scan, to the pipeline) and a page with text and a JPEG."""
    gradient = Image.linear_gradient("L").resize((24, 24)).convert("RGB")
    jpeg = io.BytesIO()
    Image.effect_noise((32, 32), 60).convert("RGB").save(jpeg, "JPEG", quality=50)
    out = io.BytesIO()
    canvas = _canvas(out, compress=False)
    canvas.drawImage(ImageReader(gradient), 0, 0, width=A4[0], height=A4[1])
    canvas.showPage()
    _body(canvas, 2, lines=2)
    canvas.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 60, 300, width=200, height=200)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pages_pdf() -> bytes:
    """Five short pages, compressed: two preview pages by length, three blurred thumbnails."""
    out = io.BytesIO()
    canvas = _canvas(out, compress=True)
    for number in range(1, 6):
        _body(canvas, number, lines=2)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _saved(pdf: pikepdf.Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, **options)  # type: ignore[arg-type]
    return out.getvalue()


def object_streams_pdf() -> bytes:
    """The outline document rewritten by qpdf with object streams and a cross-reference stream."""
    with pikepdf.open(io.BytesIO(outline_pdf())) as pdf:
        return _saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def incremental_pdf() -> bytes:
    """The text document with an incremental update appended, as an editor saves it: page 1
    gets new content and the trailer points back (/Prev) at the original cross-reference table."""
    with pikepdf.open(io.BytesIO(text_pdf())) as original:
        base = _saved(
            original,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            compress_streams=False,
        )
    previous = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    with pikepdf.open(io.BytesIO(base)) as pdf:
        size = int(pdf.trailer.Size)
        root = pdf.Root.objgen[0]
        page = pdf.pages[0].obj
        page_number = page.objgen[0]
        # The page as it reads after the update: the same dictionary, new contents in the next
        # free object number.
        page_text = re.sub(
            rb"/Contents \d+ 0 R", f"/Contents {size} 0 R".encode(), page.unparse(resolved=True)
        )
    contents = b"BT /F1 14 Tf 60 500 Td (Bijgewerkt in een tweede versie) Tj ET"
    update = io.BytesIO()
    update.write(b"\n")
    offsets = {}
    offsets[page_number] = len(base) + update.tell()
    update.write(f"{page_number} 0 obj\n".encode() + page_text + b"\nendobj\n")
    offsets[size] = len(base) + update.tell()
    update.write(
        f"{size} 0 obj\n<< /Length {len(contents)} >>\nstream\n".encode()
        + contents
        + b"\nendstream\nendobj\n"
    )
    xref = len(base) + update.tell()
    update.write(b"xref\n")
    for number in sorted(offsets):
        update.write(f"{number} 1\n{offsets[number]:010d} 00000 n \n".encode())
    update.write(
        f"trailer\n<< /Size {size + 1} /Root {root} 0 R /Prev {previous} >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return base + update.getvalue()


def forms_pdf() -> bytes:
    """Made with pikepdf: a rotated page whose text and image sit inside a form XObject, with a
    link annotation and page labels."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    image = pikepdf.Stream(pdf, bytes(range(256)) * 3)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = 16, 16
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    form = pikepdf.Stream(
        pdf, b"q 200 0 0 200 50 400 cm /Im0 Do Q BT /F1 12 Tf 50 300 Td (Een formulier met tekst) Tj ET"
    )
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = [0, 0, 595, 842]
    form.Resources = pikepdf.Dictionary(
        XObject=pikepdf.Dictionary(Im0=pdf.make_indirect(image)), Font=pikepdf.Dictionary(F1=font)
    )
    page = pdf.pages[0]
    page.Rotate = 90
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=pdf.make_indirect(form)))
    page.Contents = pdf.make_indirect(pikepdf.Stream(pdf, b"/Fm0 Do"))
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[50, 50, 200, 80],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")),
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    pdf.Root.PageLabels = pikepdf.Dictionary(
        Nums=[0, pikepdf.Dictionary(S=pikepdf.Name.r, P=pikepdf.String("Voorwoord "))]
    )
    return _saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)


SEEDS = {
    "text": text_pdf,
    "outline": outline_pdf,
    "images": images_pdf,
    "pages": pages_pdf,
    "incremental": incremental_pdf,
    "object-streams": object_streams_pdf,
    "forms": forms_pdf,
}


def seed_pdfs() -> dict[str, bytes]:
    return {name: make() for name, make in SEEDS.items()}
