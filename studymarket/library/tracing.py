"""Reading a leaked (or suspicious) PDF for the traces of a buyer's copy (library.stamping).

The file comes from outside: a leak staff found, or a seller's upload. It is parsed the way
the upload pipeline parses one (documents.extraction): first in the sandboxed child process,
with its memory and time limits and its structure checks (pdf.checks: not a PDF, cut off,
encrypted, JavaScript, absurd images, too many pages). The child gives back each page's text,
which holds the two traces on the pages: the mark in the page content and the visible line's
order number. Only a file the child read without complaint is then opened here, with
pikepdf, for its trailer /ID and its XMP (library.stamping.metadata_marks_read): the parser the
child's checks ran on the whole file. A file the child refuses gives ``TraceUnreadable``
with a message staff can act on.

The child also draws a thumbnail per page (the pass cannot be asked for text alone); it is
drawn tiny and thrown away with the workspace.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.accounts.models import User
from studymarket.core.audit import audit_record
from studymarket.documents.extraction import (
    ExtractionBroken,
    ExtractionRejected,
    extraction_run,
    extraction_workspace,
)
from studymarket.documents.pdf.job import ExtractJob
from studymarket.documents.rejections import reason_text

if TYPE_CHECKING:
    from studymarket.library.selectors import CopyTrace

# The order number on the visible line ("SM-" and eight letters and digits, orders.services).
# Spaces are taken out of the text first: a print to PDF may put some inside a word.
_ORDER_NUMBER = re.compile(r"SM-[A-Z0-9]{8}")
_SPACE = re.compile(r"\s+")
# Pixels: the thumbnail the pass draws anyway; as small as it goes.
_THUMBNAIL_WIDTH = 16


class Evidence(models.TextChoices):
    """A trace that points at a copy, in the order tracing trusts them."""

    CONTENT = "content", gettext_lazy("Onzichtbaar kenmerk in de pagina's")
    DOCUMENT_ID = "document_id", gettext_lazy("Kenmerk in de bestands-ID (/ID)")
    XMP = "xmp", gettext_lazy("Kenmerk in de XMP-metadata")
    VISIBLE = "visible", gettext_lazy("Bestelnummer in de zichtbare regel")


class TraceUnreadable(Exception):
    """The file could not be read safely; the message (translated) says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PdfTraces:
    """What a PDF carries of a buyer's copy, each kind in the order tracing trusts it."""

    page_count: int
    page_texts: list[str]
    # The marks in the page content, the one on most pages first.
    content_marks: list[str]
    id_marks: list[str]  # from the trailer /ID
    xmp_marks: list[str]  # from the XMP DocumentID
    order_numbers: list[str]  # from the visible line, the one on most pages first

    @property
    def marks(self) -> list[str]:
        """Every mark found, each once, the most trusted first."""
        return list(dict.fromkeys(self.content_marks + self.id_marks + self.xmp_marks))

    @property
    def is_empty(self) -> bool:
        return not (self.content_marks or self.id_marks or self.xmp_marks or self.order_numbers)


def pdf_traces_read(path: Path, *, workdir: Path, pages: list[int] | None = None) -> PdfTraces:
    """The traces in the PDF at ``path`` (a file of its own in ``workdir``, a folder from
    documents.extraction.extraction_workspace), read from every page or from ``pages`` (those
    past the end are left out). Raises TraceUnreadable."""
    # stamping loads pikepdf and reportlab: here, not at import (library.selectors, reached
    # from the URLconf, imports this module).
    from studymarket.library.stamping import content_marks, metadata_marks_read

    out = workdir / "trace-out"
    out.mkdir(exist_ok=True)
    job = ExtractJob(
        path=str(path),
        out_dir=str(out),
        max_pages=settings.UPLOAD_MAX_PAGES,
        text=True,
        preview_count=0,
        preview_width=_THUMBNAIL_WIDTH,
        thumbnail_width=_THUMBNAIL_WIDTH,
        pages=pages,
        memory_mb=settings.PROCESSING_MEMORY_LIMIT_MB,
    )
    try:
        result = extraction_run(job)
    except ExtractionRejected as rejected:
        raise TraceUnreadable(
            _("Dit bestand kunnen we niet veilig lezen: %(reason)s")
            % {"reason": reason_text(rejected.code, rejected.params)}
        ) from None
    except ExtractionBroken:
        raise TraceUnreadable(
            _("Er ging bij ons iets mis bij het lezen van dit bestand. Probeer het later opnieuw.")
        ) from None
    texts = [page.text for page in sorted(result.pages, key=lambda page: page.number)]
    id_marks, xmp_marks = metadata_marks_read(path)
    return PdfTraces(
        page_count=result.page_count,
        page_texts=texts,
        content_marks=_by_pages(content_marks(text) for text in texts),
        id_marks=id_marks,
        xmp_marks=xmp_marks,
        order_numbers=_by_pages(_ORDER_NUMBER.findall(_SPACE.sub("", text)) for text in texts),
    )


def _by_pages(found_per_page: Iterable[list[str]]) -> list[str]:
    """Each value once, the one found on most pages first (ties: the first found)."""
    counts: Counter[str] = Counter()
    for found in found_per_page:
        counts.update(set(found))
    return [value for value, _count in counts.most_common()]


@dataclass(frozen=True)
class LeakTrace:
    """What staff learn from a leaked file: the copy it came from (None: no order found) and
    every trace read from it."""

    found: "CopyTrace | None"
    traces: PdfTraces
    sha256: str


def leak_trace(*, upload: File, original_name: str, actor: User) -> LeakTrace:
    """Staff's "Wie heeft dit gelekt?": read the uploaded file (in the sandbox, at most
    UPLOAD_MAX_BYTES), find the copy it was made from, and audit the lookup, whatever its
    outcome, on the copy found (or on the staff member: nothing else to hang it on). The file
    is not kept; its SHA-256 is. Raises TraceUnreadable."""
    # selectors reads this module's types; importing it back here, at use, keeps them apart.
    from studymarket.library.selectors import stamped_copy_trace

    digest = hashlib.sha256()
    name = original_name[:200]
    with extraction_workspace() as workdir:
        path = workdir / "leak.pdf"  # our name, never the uploader's (CONVENTIONS 6)
        try:
            _write_limited(upload, path, digest)
            traces = pdf_traces_read(path, workdir=workdir)
        except TraceUnreadable as error:
            with transaction.atomic():
                audit_record(
                    action="leak.unreadable", obj=actor, actor=actor, file=name, sha256=digest.hexdigest()
                )
            raise error
    found = stamped_copy_trace(traces=traces)
    with transaction.atomic():
        audit_record(
            action="leak.traced",
            obj=found.copy if found else actor,
            actor=actor,
            file=name,
            sha256=digest.hexdigest(),
            found=found is not None,
            order_number=found.copy.entitlement.order_number if found else "",
            evidence=[str(kind) for kind in found.evidence] if found else [],
            marks=traces.marks,
            order_numbers=traces.order_numbers,
        )
    return LeakTrace(found=found, traces=traces, sha256=digest.hexdigest())


def _write_limited(upload: File, path: Path, digest: "hashlib._Hash") -> None:
    limit = settings.UPLOAD_MAX_BYTES
    size = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > limit:
                raise TraceUnreadable(
                    _("Dit bestand is groter dan %(max_mb)s MB; zo groot is geen document op studymarket.")
                    % {"max_mb": limit // (1024 * 1024)}
                )
            digest.update(chunk)
            out.write(chunk)
