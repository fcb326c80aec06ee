"""Rights holders register their own material (slides, exams) as fingerprints only.

The PDF is read by the same sandboxed pass as an upload (extraction.py: size, page, memory and
time limits, the same refusals), in a private workspace that is removed as soon as the pass is
done; what is kept per work is:

- the shingle hashes of every page (RightsHolderPage): which pages an upload repeats, and which
  words of the upload to mark for staff, without keeping a word of the work;
- a MinHash of the whole text and of each page with enough text, cut into LSH bands
  (RightsHolderBand), so that an upload finds the works it may repeat with an indexed lookup
  (rights_matching.py).

Registering runs inline, in the request, not in a task: a task would have to store the file
until a worker picks it up (and a reconcile to delete it after a crash), while inline the file
never leaves the request's temporary folder and is gone when the page answers. The pass takes
about as long as an upload's (a second or two for a hundred text pages) and at most
PROCESSING_TIME_LIMIT_SECONDS, and rights holders register rarely.

The fingerprints use originality.py's words, shingles, signature and bands: a change there
(SHINGLE_WORDS, NUM_PERM, the threshold behind the bands) makes works registered before it
incomparable, and as the files are gone they have to be registered again: each work records
the scheme it was made with (``fingerprint_scheme``), a stale work holds nothing, and its owner's
page asks for it again (registering the same file refreshes it in place).
"""

import functools
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.documents.extraction import (
    ExtractionBroken,
    ExtractionRejected,
    extract_job,
    extraction_run,
    extraction_workspace,
)
from studymarket.documents.models import RightsHolderBand, RightsHolderPage, RightsHolderWork
from studymarket.documents.originality import (
    band_digests,
    normalised_words,
    shingles,
    signature,
    signature_bytes,
)
from studymarket.documents.reasons import Reason
from studymarket.documents.services import UploadRejected, upload_bytes_check

# A page with fewer shingles than this (a title slide, "Vragen?") says nothing about copying.
MIN_PAGE_SHINGLES = 10
_TITLE_MAX = RightsHolderWork._meta.get_field("title").max_length or 200


# Text that exercises originality.py's normalisation (accents, a ligature, hyphenation, a page
# number line) and is long enough for a signature: its fingerprints name the scheme in use.
_PROBE = "Pagina 3 van 17\nHoofdstuk 1 — Économie en ﬁnanciële informa-\ntie, kosten-baten.\n" + " ".join(
    f"begrip{number}" for number in range(120)
)


def fingerprint_scheme() -> str:
    """A short name for the way fingerprints are made now, taken from what originality.py's
    functions make of a fixed text: any change to its normalisation, shingles, permutations,
    seed or bands gives another name, and works fingerprinted before it are stale."""
    return _scheme(float(settings.NEAR_DUPLICATE_THRESHOLD))


@functools.cache
def _scheme(threshold: float) -> str:
    words = normalised_words(_PROBE)
    digest = hashlib.blake2b(repr(threshold).encode(), digest_size=8)
    for item in sorted(shingles(words)):
        digest.update(item + b"\0")
    minhash = signature(words)
    if minhash is not None:
        digest.update(signature_bytes(minhash))
        digest.update(repr(band_digests(minhash)).encode())
    return digest.hexdigest()


def shingle_hash(shingle: bytes) -> int:
    """An unsigned 64-bit hash of one shingle (as originality.shingles makes them)."""
    return int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "little")


def text_shingle_hashes(text: str) -> set[int]:
    return {shingle_hash(item) for item in shingles(normalised_words(text))}


def hashes_pack(hashes: Iterable[int]) -> bytes:
    values = sorted(set(hashes))
    return struct.pack(f"<{len(values)}Q", *values)


def hashes_unpack(data: bytes | memoryview) -> set[int]:
    raw = bytes(data)
    return set(struct.unpack(f"<{len(raw) // 8}Q", raw))


@dataclass(frozen=True)
class Fingerprints:
    page_hashes: dict[int, set[int]]
    signature: bytes | None
    bands: list[tuple[int, int, int]]  # (page, band, digest); page 0 is the whole work

    @property
    def shingle_count(self) -> int:
        return len(set().union(*self.page_hashes.values())) if self.page_hashes else 0


def fingerprints_make(texts: dict[int, str]) -> Fingerprints:
    """The fingerprints of a text given page by page; the words are not kept."""
    page_hashes: dict[int, set[int]] = {}
    bands: list[tuple[int, int, int]] = []
    every_word: list[str] = []
    for number in sorted(texts):
        words = normalised_words(texts[number])
        every_word.extend(words)
        page_hashes[number] = {shingle_hash(item) for item in shingles(words)}
        page_signature = signature(words)
        if page_signature is not None:
            bands += [(number, band, digest) for band, digest in enumerate(band_digests(page_signature))]
    whole = signature(every_word)
    if whole is not None:
        bands += [(0, band, digest) for band, digest in enumerate(band_digests(whole))]
    return Fingerprints(
        page_hashes=page_hashes,
        signature=signature_bytes(whole) if whole is not None else None,
        bands=bands,
    )


def rights_holder_work_register(*, owner: User, title: str, file: File) -> RightsHolderWork:
    """Fingerprint a PDF that ``owner`` declares to hold the rights to, and forget the file.

    Refuses (UploadRejected, with the upload's messages) what the upload pipeline refuses, and
    a PDF without a text layer (a scan: nothing to recognise copies by). The same file
    registered again by the same owner returns the work already registered (a double submit).
    """
    title = " ".join(title.split())[:_TITLE_MAX]
    if not title:
        raise ApplicationError(_("Geef je werk een titel."))
    if upload_bytes_check(file) != "pdf":
        raise UploadRejected(Reason.NOT_PDF)
    with extraction_workspace() as workdir:
        sha256 = _copy(file, workdir / "work.pdf")
        existing = _registered(owner, sha256)
        if existing is not None and existing.scheme == fingerprint_scheme():
            return existing
        texts = _texts(workdir / "work.pdf", workdir)
    # The workspace, and the copy of the file in it, is gone here; only the page texts remain,
    # in memory, until the fingerprints are made.
    fingerprints = fingerprints_make(texts)
    if sum(1 for hashes in fingerprints.page_hashes.values() if len(hashes) >= MIN_PAGE_SHINGLES) == 0:
        raise ApplicationError(
            _(
                "In dit PDF-bestand staat (bijna) geen tekst, bijvoorbeeld omdat het een scan is. "
                "We herkennen kopieën aan de tekst: registreer een PDF met een tekstlaag "
                "(sla het op vanuit PowerPoint, Word of je tekstverwerker)."
            )
        )
    return _work_store(
        owner=owner, title=title, sha256=sha256, page_count=len(texts), fingerprints=fingerprints
    )


def _registered(owner: User, sha256: str) -> RightsHolderWork | None:
    return RightsHolderWork.objects.filter(owner=owner, sha256=sha256, removed_at__isnull=True).first()


def _copy(file: File, target: Path) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    with target.open("wb") as out:
        for chunk in file.chunks():
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _texts(source: Path, workdir: Path) -> dict[int, str]:
    # The work's pages are never shown, so the reader's drawing-time check does not apply.
    job = replace(extract_job(source, workdir, text=True), reader_seconds=0.0)
    try:
        result = extraction_run(job)
    except ExtractionRejected as rejected:
        raise UploadRejected(rejected.code, rejected.params) from None
    except ExtractionBroken:
        raise ApplicationError(
            _("Er ging bij ons iets mis bij het lezen van dit bestand. Probeer het later opnieuw.")
        ) from None
    return {page.number: page.text for page in result.pages}


def _work_store(
    *, owner: User, title: str, sha256: str, page_count: int, fingerprints: Fingerprints
) -> RightsHolderWork:
    scheme = fingerprint_scheme()
    with transaction.atomic():
        # Under the owner's row lock: two submits of one file make one work.
        list(User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True))
        work = _registered(owner, sha256)
        if work is not None and work.scheme == scheme:
            return work
        if work is None:
            work = RightsHolderWork(owner=owner, sha256=sha256)
        else:
            # Registered again after the fingerprinting changed: new fingerprints, same work.
            work.pages.all().delete()
            work.bands.all().delete()
        work.title = title
        work.page_count = page_count
        work.shingle_count = fingerprints.shingle_count
        work.signature = fingerprints.signature
        work.scheme = scheme
        work.save()
        RightsHolderPage.objects.bulk_create(
            RightsHolderPage(work=work, number=number, shingle_hashes=hashes_pack(hashes))
            for number, hashes in fingerprints.page_hashes.items()
        )
        RightsHolderBand.objects.bulk_create(
            RightsHolderBand(work=work, page=page, band=band, digest=digest)
            for page, band, digest in fingerprints.bands
        )
        audit_record(
            action="rights_holder_work.registered", obj=work, actor=owner, pages=page_count, sha256=sha256
        )
    return work


def rights_holder_work_remove(*, owner: User, work_id: int) -> RightsHolderWork:
    """Withdraw a work: its fingerprints are deleted, so no later upload is held for it; the
    row stays for the matches it made (staff still see what was held and why). Removing it
    again returns quietly; another person's work is not found (DoesNotExist)."""
    with transaction.atomic():
        work = RightsHolderWork.objects.select_for_update().get(pk=work_id, owner=owner)
        if work.removed_at is not None:
            return work
        work.removed_at = timezone.now()
        work.signature = None
        work.save(update_fields=["removed_at", "signature"])
        work.pages.all().delete()
        work.bands.all().delete()
        audit_record(action="rights_holder_work.removed", obj=work, actor=owner)
    return work
