import io
import uuid
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from studymarket.documents.pdf import pdf_open
from studymarket.library.stamping import StampError, marks_read, stamp_pdf
from tests.pdfs import pdf_bytes

MARK = "0123456789abcdef0123456789abcdef"
TEXT = "Gekocht door Anna de Vries · bestelling SM-ABCD2345"


def _stamp(tmp_path: Path, data: bytes, *, text: str = TEXT, mark: str = MARK) -> bytes:
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(data)
    stamp_pdf(source=source, target=target, text=text, mark=mark)
    return target.read_bytes()


def test_every_page_carries_the_line_and_keeps_its_own_text(tmp_path):
    stamped = _stamp(tmp_path, pdf_bytes(pages=3))
    with pdf_open(stamped) as pdf:
        assert pdf.page_count == 3
        for number in (1, 2, 3):
            lines = pdf.page_text(number).splitlines()
            assert f"Pagina {number} over appels en peren" in lines
            assert TEXT in lines


def test_the_mark_is_in_the_document_id_and_the_xmp(tmp_path):
    stamped = _stamp(tmp_path, pdf_bytes(pages=1))
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        assert bytes(pdf.trailer.ID[0]) == bytes.fromhex(MARK)
        assert str(pdf.open_metadata()["xmpMM:DocumentID"]) == "uuid:01234567-89ab-cdef-0123-456789abcdef"
    assert marks_read(stamped) == [MARK]


def test_either_mark_alone_is_enough(tmp_path):
    stamped = _stamp(tmp_path, pdf_bytes(pages=1))
    # A tool that rewrites the /ID keeps the XMP ...
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"x" * 16), pikepdf.String(b"y" * 16)])
        out = io.BytesIO()
        pdf.save(out)
    assert marks_read(out.getvalue()) == ["78" * 16, MARK]
    # ... and one that drops the XMP keeps the /ID.
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        del pdf.Root.Metadata
        out = io.BytesIO()
        pdf.save(out)
    assert marks_read(out.getvalue()) == [MARK]


def test_an_unmarked_or_broken_file_has_no_mark(tmp_path):
    assert marks_read(b"not a pdf") == []
    with pikepdf.open(io.BytesIO(pdf_bytes(pages=1))) as pdf:
        del pdf.trailer.ID
        with pdf.open_metadata() as meta:
            meta["xmpMM:DocumentID"] = "xmp.did:" + str(uuid.uuid4())
        out = io.BytesIO()
        pdf.save(out, static_id=False)
    assert all(len(mark) == 32 for mark in marks_read(out.getvalue()))  # qpdf's own /ID at most
    assert MARK not in marks_read(out.getvalue())


def test_characters_the_font_lacks_become_question_marks(tmp_path):
    stamped = _stamp(tmp_path, pdf_bytes(pages=1), text="Gekocht door Zoë 李 · bestelling SM-X")
    with pdf_open(stamped) as pdf:
        assert "Gekocht door Zoë ? · bestelling SM-X" in pdf.page_text(1).splitlines()


def _rotated_pdf(*, rotation: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawString(72, 760, "Bovenaan")
    canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        pdf.pages[0].obj.Rotate = rotation
        rotated = io.BytesIO()
        pdf.save(rotated)
    return rotated.getvalue()


def _rendered(data: bytes) -> Image.Image:
    with pdf_open(data) as pdf:
        rendered = pdf.render_pages([1], width=600)[1]
    return Image.open(io.BytesIO(rendered.data)).convert("L")


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_the_line_sits_at_the_bottom_the_reader_sees(tmp_path, rotation):
    source = _rotated_pdf(rotation=rotation)
    before, after = _rendered(source), _rendered(_stamp(tmp_path, source))
    box = ImageChops.difference(before, after).getbbox()
    assert box is not None
    left, top, right, bottom = box
    width, height = after.size
    # A band along the visible bottom edge, centred, lying flat (wider than tall).
    assert top > 0.95 * height if rotation % 180 == 0 else top > 0.9 * height
    assert bottom < height
    assert abs((left + right) / 2 - width / 2) <= 2
    assert right - left > 5 * (bottom - top)


def test_a_damaged_file_raises_stamp_error(tmp_path):
    with pytest.raises(StampError):
        _stamp(tmp_path, b"%PDF-1.7\nthis is not really a pdf")


def test_a_mark_is_32_hex_digits(tmp_path):
    with pytest.raises(ValueError, match="32 hex digits"):
        _stamp(tmp_path, pdf_bytes(pages=1), mark="abc")
