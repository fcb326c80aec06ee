"""The child that draws reader pages (pdf/draw.py, issue 14): loads only what drawing needs,
encodes the page a buyer waits for faster without losing a pixel, and reports a file it cannot
open as refused."""

import io
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from studymarket.documents.pdf.draw import draw, reader_encode
from studymarket.documents.pdf.job import DrawJob
from tests.pdfs import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]


def _draw(tmp_path: Path, data: bytes, **job) -> list[dict]:
    source = tmp_path / "source.pdf"
    source.write_bytes(data)
    events: list[dict] = []
    options = {"pages": [1, 2], "width": 800, "seconds": 30.0, "ahead_seconds": 30.0, **job}
    draw(DrawJob(path=str(source), out_dir=str(tmp_path), **options), events.append)
    return events


def test_the_draw_child_loads_no_pikepdf_and_not_every_pillow_plugin():
    probe = (
        "import sys; from studymarket.documents.pdf import draw, job; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('pikepdf', 'PIL.')))))"
    )
    out = subprocess.run(
        [sys.executable, "-E", "-s", "-c", "import json; " + probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = json.loads(out.stdout)
    assert not [m for m in loaded if m.startswith("pikepdf")]
    assert "PIL.WebPImagePlugin" in loaded
    assert "PIL.TiffImagePlugin" not in loaded  # Image.init() would load every plugin


def test_a_draw_with_the_page_asked_for_fast_gives_every_page(tmp_path):
    events = _draw(tmp_path, pdf_bytes(pages=2), asked_fast=True)

    pages = {e["number"]: (tmp_path / e["file"]).read_bytes() for e in events if e["event"] == "page"}
    assert sorted(pages) == [1, 2]
    images = {n: Image.open(io.BytesIO(data)) for n, data in pages.items()}
    assert {n: (i.format, i.width) for n, i in images.items()} == {1: ("WEBP", 800), 2: ("WEBP", 800)}
    assert events[-1] == {"event": "done"}


def test_the_fast_encoding_is_larger_and_as_lossless(tmp_path):
    page = Image.open(io.BytesIO(_first_page_png(tmp_path)))
    fast, small = reader_encode(page, fast=True), reader_encode(page)

    assert len(small.data) < len(fast.data)
    decoded = [Image.open(io.BytesIO(r.data)).convert("L") for r in (fast, small)]
    assert decoded[0].tobytes() == decoded[1].tobytes() == page.convert("L").tobytes()


def _first_page_png(tmp_path: Path) -> bytes:
    events = _draw(tmp_path, pdf_bytes(pages=1), pages=[1])
    name = next(e["file"] for e in events if e["event"] == "page")
    out = io.BytesIO()
    Image.open(tmp_path / name).save(out, "PNG")
    return out.getvalue()


def test_a_file_pdfium_cannot_open_is_reported_refused(tmp_path):
    events = _draw(tmp_path, b"%PDF-1.7\nnot really a pdf\n%%EOF\n")
    assert events == [{"event": "rejected", "code": "unreadable", "params": {}}]
