"""Tracing a leaked copy to its order (library.tracing, selectors.stamped_copy_trace): the mark
in the page content survives re-saving, cutting pages out and printing to PDF (the real qpdf
and pdftocairo), the metadata marks and the visible line back it up, and a file that is not
ours, or not safe to read, says so."""

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.urls import reverse
from PIL import Image, ImageChops

from studymarket.documents.pdf import pdf_open
from studymarket.library.models import StampedCopy
from studymarket.library.selectors import stamped_copy_trace
from studymarket.library.services import stamped_copy_build
from studymarket.library.stamping import content_marks, stamp_pdf
from studymarket.library.tracing import Evidence, PdfTraces, TraceUnreadable, pdf_traces_read
from tests.logins import login
from tests.pdfs import pdf_bytes
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db

E = Evidence


@pytest.fixture
def downloaded(client, buyer, tmp_path) -> tuple[Path, StampedCopy]:
    """A ten-page document bought and downloaded by Anna de Vries, as the buyer's flow does."""
    listing = listing_with_pdf(pages=10, title="Marketing Samenvatting")
    line = purchase(buyer=buyer, listing=listing)
    copy = stamped_copy_build(stamped_copy_id=StampedCopy.objects.get(entitlement=line.entitlement).pk)
    login(client, buyer)
    response = client.post(reverse("library:download", args=[listing.document_id]))
    assert response.status_code == 200
    path = tmp_path / "gedownload.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    return path, copy


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=60)


def _traces(path: Path, tmp_path: Path) -> PdfTraces:
    workdir = tmp_path / f"work-{path.stem}"
    workdir.mkdir()
    return pdf_traces_read(path, workdir=workdir)


def test_the_download_carries_every_trace(downloaded, tmp_path):
    path, copy = downloaded
    traces = _traces(path, tmp_path)
    assert traces.page_count == 10
    assert (traces.content_marks, traces.id_marks, traces.xmp_marks) == (
        [copy.mark],
        [copy.mark],
        [copy.mark],
    )
    assert traces.order_numbers == [copy.entitlement.order_number]
    found = stamped_copy_trace(traces=traces)
    assert found is not None
    assert found.copy == copy
    assert found.evidence == [E.CONTENT, E.DOCUMENT_ID, E.XMP, E.VISIBLE]
    assert [d.stamped_copy_id for d in found.downloads] == [copy.pk]


def test_resaved_with_qpdf_and_three_pages_cut_out_it_is_traced_to_its_order(downloaded, tmp_path):
    path, copy = downloaded
    resaved, cut = tmp_path / "resaved.pdf", tmp_path / "cut.pdf"
    _run("qpdf", path, resaved)
    _run("qpdf", "--empty", "--pages", resaved, "1-3,7-z", "--", cut)

    traces = _traces(cut, tmp_path)
    found = stamped_copy_trace(traces=traces)

    assert traces.page_count == 7
    assert found is not None
    assert found.copy == copy
    assert found.copy.entitlement.order_number == copy.entitlement.order_number
    assert found.copy.entitlement.buyer.email == "anna@example.nl"
    # qpdf --empty makes a new document: a new /ID and no XMP; the pages keep the rest.
    assert found.evidence == [E.CONTENT, E.VISIBLE]
    assert traces.xmp_marks == []
    assert traces.id_marks != [copy.mark]


def test_printed_to_pdf_it_is_traced_by_the_content_mark(downloaded, tmp_path):
    path, copy = downloaded
    cut, printed = tmp_path / "cut.pdf", tmp_path / "printed.pdf"
    _run("qpdf", "--empty", "--pages", path, "2-4", "--", cut)
    _run("pdftocairo", "-pdf", cut, printed)

    traces = _traces(printed, tmp_path)
    found = stamped_copy_trace(traces=traces)

    assert traces.page_count == 3
    assert found is not None
    assert found.copy == copy
    assert found.evidence == [E.CONTENT, E.VISIBLE]


def test_the_mark_survives_with_the_metadata_stripped(downloaded, tmp_path):
    path, copy = downloaded
    stripped = tmp_path / "stripped.pdf"
    with pikepdf.open(path) as pdf:
        del pdf.Root.Metadata
        del pdf.trailer.Info
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"z" * 16), pikepdf.String(b"z" * 16)])
        pdf.save(stripped)

    found = stamped_copy_trace(traces=_traces(stripped, tmp_path))

    assert found is not None
    assert found.copy == copy
    assert found.evidence == [E.CONTENT, E.VISIBLE]


def test_the_visible_line_alone_still_names_the_order(buyer, tmp_path):
    """A copy whose marks were all replaced (a mark no copy has): the order number on the line."""
    listing = listing_with_pdf(pages=3)
    line = purchase(buyer=buyer, listing=listing)
    copy = stamped_copy_build(stamped_copy_id=StampedCopy.objects.get(entitlement=line.entitlement).pk)
    source, forged = tmp_path / "source.pdf", tmp_path / "forged.pdf"
    source.write_bytes(pdf_bytes(pages=3))
    number = line.order.number
    stamp_pdf(source=source, target=forged, text=f"Gekocht door X · bestelling {number}", mark="f" * 32)

    found = stamped_copy_trace(traces=_traces(forged, tmp_path))

    assert found is not None
    assert found.copy == copy
    assert found.evidence == [E.VISIBLE]


def test_a_pdf_without_our_traces_finds_no_order(order_line, tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(pdf_bytes(pages=4))
    traces = _traces(plain, tmp_path)
    assert traces.page_count == 4
    assert traces.content_marks == []
    assert traces.order_numbers == []
    assert stamped_copy_trace(traces=traces) is None


def test_a_mark_no_copy_has_finds_no_order(order_line, tmp_path):
    source, stamped = tmp_path / "source.pdf", tmp_path / "stamped.pdf"
    source.write_bytes(pdf_bytes(pages=2))
    stamp_pdf(source=source, target=stamped, text="Gekocht door X · bestelling SM-NOTHERE2", mark="e" * 32)
    traces = _traces(stamped, tmp_path)
    assert traces.content_marks == ["e" * 32]
    assert stamped_copy_trace(traces=traces) is None


def _javascript_pdf() -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes(pages=1))) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"hello, not a pdf at all", "Dit is geen PDF-bestand"),
        (b"%PDF-1.7\nbroken beyond repair", "Het bestand is niet compleet"),
        (b"%PDF-1.7\nbroken beyond repair\n%%EOF\n", "We kunnen dit PDF-bestand niet lezen"),
        (_javascript_pdf(), "JavaScript"),
    ],
)
def test_a_hostile_or_broken_file_gives_a_clear_error(tmp_path, data, says):
    path = tmp_path / "leak.pdf"
    path.write_bytes(data)
    with pytest.raises(TraceUnreadable) as raised:
        _traces(path, tmp_path)
    assert raised.value.message.startswith("Dit bestand kunnen we niet veilig lezen: ")
    assert says in raised.value.message


def test_the_content_mark_is_on_every_page_on_a_line_of_its_own_and_unseen(tmp_path):
    mark = "0123456789abcdef0123456789abcdef"
    text = "Gekocht door Anna de Vries · bestelling SM-ABCD2345"
    source, marked, unmarked = tmp_path / "in.pdf", tmp_path / "marked.pdf", tmp_path / "unmarked.pdf"
    source.write_bytes(pdf_bytes(pages=3))
    stamp_pdf(source=source, target=marked, text=text, mark=mark)
    with pdf_open(marked.read_bytes()) as pdf:
        for number in (1, 2, 3):
            lines = pdf.page_text(number).splitlines()
            assert text in lines
            assert f"smk{mark}" in lines
            assert content_marks(pdf.page_text(number)) == [mark]
        image = Image.open(io.BytesIO(pdf.render_pages([1], width=1200)[1].data)).convert("L")
    # The same stamp without the mark in the content, drawn alike: not one pixel differs by
    # more than a shade or two.
    from studymarket.library import stamping

    with pikepdf.open(marked) as pdf, pikepdf.open(io.BytesIO(stamping.stamp_page_pdf(text))) as bare:
        formx = pdf.copy_foreign(bare.pages[0].as_form_xobject())
        for page in pdf.pages:
            for name, xobject in page.Resources.XObject.items():
                if xobject.get("/Subtype") == pikepdf.Name.Form and "/BBox" in xobject:
                    page.Resources.XObject[name] = formx
        pdf.save(unmarked)
    with pdf_open(unmarked.read_bytes()) as pdf:
        assert content_marks(pdf.page_text(1)) == []
        plain = Image.open(io.BytesIO(pdf.render_pages([1], width=1200)[1].data)).convert("L")
    _, most = ImageChops.difference(image, plain).getextrema()
    assert isinstance(most, int)
    assert most <= 3
