"""Hostile and broken files for the bad-input tests, made on the spot (none is checked in)."""

import io
import random
import zlib

import pikepdf
from PIL import Image

from tests.pdfs import pdf_bytes


def truncated_pdf() -> bytes:
    """A real PDF cut off part-way, as an interrupted download leaves it."""
    data = pdf_bytes(pages=6)
    return data[: len(data) * 6 // 10]


def corrupt_pdf() -> bytes:
    """A PDF header and trailer around noise: nothing in it is a PDF object."""
    noise = random.Random(7).randbytes(20_000)
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise + b"\n%%EOF\n"


def _deflate_repeated(chunk: bytes, count: int) -> bytes:
    """zlib data that inflates to ``chunk`` * ``count``, made without holding that in memory:
    full flushes make every chunk's compressed form the same bytes."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = compressor.flush()[:-4]  # the checksum computed for two chunks is dropped
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(chunk, checksum)
    return first + again * (count - 1) + final_block + checksum.to_bytes(4, "big")


def decompression_bomb_pdf(*, gigabytes: int = 1) -> bytes:
    """A few kilobytes whose page content inflates to ``gigabytes`` GB (deflated twice)."""
    inner = _deflate_repeated(b" " * (1 << 20), gigabytes * 1024)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, zlib.compress(inner, 9))
    stream.Filter = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    pdf.pages[0].Contents = pdf.make_indirect(stream)
    return _saved(pdf, raw=True)


def huge_image_pdf(*, side: int = 20_000) -> bytes:
    """One page drawing an image of side × side pixels (1.2 GB decoded) from a tiny stream."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pikepdf.Stream(pdf, zlib.compress(_deflate_repeated(b"\0" * side * 3 * 16, side // 16), 9))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width = image.Height = side
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    image.Filter = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=pdf.make_indirect(image)))
    page.Contents = pdf.make_indirect(pikepdf.Stream(pdf, b"q 612 0 0 792 0 0 cm /Im0 Do Q"))
    return _saved(pdf, raw=True)


def javascript_pdf() -> bytes:
    """A normal document that runs a script when opened."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(pages=2)))
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hoi')"))
    return _saved(pdf)


def javascript_in_link_pdf() -> bytes:
    """The script hides in a link on page 2, not in the catalogue."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(pages=2)))
    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.print()"))
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 72, 200, 100], A=action
    )
    pdf.pages[1].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    return _saved(pdf)


def polyglot_pdf() -> bytes:
    """An HTML page with a PDF after it: a browser shows the HTML, a PDF reader the PDF."""
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n" + pdf_bytes(pages=1)


def zero_pages_pdf() -> bytes:
    return _saved(pikepdf.new())


def many_pages_pdf(*, pages: int) -> bytes:
    """``pages`` pages sharing one page's content: large in pages, small in bytes."""
    return _repeat_first_page(pikepdf.open(io.BytesIO(pdf_bytes(pages=1))), pages)


def _repeat_first_page(pdf: pikepdf.Pdf, pages: int) -> bytes:
    # Page dictionaries of their own that share the first page's content stream.
    tree = pdf.Root.Pages
    first = tree.Kids[0]
    kids = [first] + [
        pdf.make_indirect(pikepdf.Dictionary({**dict(first.items()), "/Parent": tree}))
        for _ in range(pages - 1)
    ]
    tree.Kids = pikepdf.Array(kids)
    tree.Count = pages
    return _saved(pdf)


def drawings_pdf(*, pages: int, strokes: int = 20_000) -> bytes:
    """``pages`` pages of ``strokes`` random lines each, like a detailed technical drawing:
    small in bytes, tens of milliseconds a page to draw."""
    rng = random.Random(3)
    content = "".join(
        f"{rng.randint(0, 595)} {rng.randint(0, 842)} m {rng.randint(0, 595)} {rng.randint(0, 842)} l S\n"
        for _ in range(strokes)
    )
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_indirect(pikepdf.Stream(pdf, content.encode()))
    return _repeat_first_page(pdf, pages)


def heavy_page_pdf(*, fills: int = 5_000, heavy_pages: tuple[int, ...] = (2,), pages: int = 3) -> bytes:
    """Small in bytes, slow to draw large: on each of ``heavy_pages``, ``fills`` half-transparent
    fills of the whole page (each one blends every pixel, so the cost grows with the width drawn:
    about 0.1 s at thumbnail width and 9 s at 1,600 px for 1,000 fills). The other pages say
    "Pagina n over appels en peren"."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(pages=pages)))
    body = b"".join(
        b"q /Half gs %.2f 0.2 0.4 rg 0 0 595 842 re f Q\n" % (i % 100 / 100) for i in range(fills)
    )
    for number in heavy_pages:
        page = pdf.pages[number - 1]
        page.Resources = pikepdf.Dictionary(
            ExtGState=pikepdf.Dictionary(Half=pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5, CA=0.5))
        )
        page.Contents = pdf.make_indirect(pikepdf.Stream(pdf, body))
    return _saved(pdf)


def encrypted_pdf() -> bytes:
    """Needs a password to open."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(pages=2)))
    return _saved(pdf, encryption=pikepdf.Encryption(user="geheim", owner="eigenaar"))


def owner_password_pdf() -> bytes:
    """Opens without a password; only printing is restricted. Not refused."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(pages=2)))
    return _saved(
        pdf,
        encryption=pikepdf.Encryption(
            user="", owner="eigenaar", allow=pikepdf.Permissions(print_highres=False)
        ),
    )


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, "PNG")
    return out.getvalue()


def _saved(pdf: pikepdf.Pdf, *, raw: bool = False, encryption: pikepdf.Encryption | None = None) -> bytes:
    out = io.BytesIO()
    if raw:
        # Streams as written: pikepdf would otherwise inflate a bomb to recompress it.
        pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    else:
        pdf.save(out, encryption=encryption)
    return out.getvalue()
