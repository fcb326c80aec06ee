"""What kind of file an upload is, from its first bytes (never from its name)."""

import zipfile
from typing import IO

from studymarket.documents.reasons import Reason

# The same as pdf/checks.py's, not imported from there: that would load pikepdf into every web process.
PDF_HEADER = b"%PDF-"
# Bytes read to recognise a file; a PDF hidden behind other content is looked for this far.
HEAD_BYTES = 64 * 1024
_ZIP = b"PK\x03\x04"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Recognised only to tell the seller what they sent instead of a PDF.
_KNOWN = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"RIFF", "WebP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Word 97-2003"),
    (b"{\\rtf", "RTF"),
)


class NotAcceptable(Exception):
    def __init__(self, code: Reason, **params: str) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


def upload_format(head: bytes, file: IO[bytes]) -> str:
    """ "pdf", "docx" or "odt"; raises NotAcceptable for anything else.

    ``head`` is the file's first HEAD_BYTES; ``file`` (seekable) is read only for a ZIP's
    table of contents.
    """
    if head.startswith(PDF_HEADER):
        return "pdf"
    if PDF_HEADER in head:
        # Readers accept a PDF that starts a little later; what comes before it (HTML, a
        # script) is what a polyglot file hides. Only a PDF from byte 0 is taken.
        raise NotAcceptable(Reason.POLYGLOT)
    if head.startswith(_ZIP):
        return _office_format(file)
    for magic, kind in _KNOWN:
        if head.startswith(magic):
            raise NotAcceptable(Reason.NOT_PDF, detected=kind)
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise NotAcceptable(Reason.NOT_PDF, detected="HTML")
    raise NotAcceptable(Reason.NOT_PDF)


def _office_format(file: IO[bytes]) -> str:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            # The mimetype entry is a few bytes; a large one is not read (a zip bomb).
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= len(_ODT_MIMETYPE) + 2:
                if archive.read("mimetype").strip() == _ODT_MIMETYPE:
                    return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        pass
    finally:
        file.seek(0)
    raise NotAcceptable(Reason.UNSUPPORTED_TYPE)
