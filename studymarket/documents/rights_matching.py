"""Does an upload repeat a work a rights holder registered (rights_holders.py)?

Run by the upload pipeline right after the originality check (processing.py). Candidates come
from the LSH bands: the works sharing a band with the upload's whole text or with one of its
pages (a copied exam page among a seller's own pages is found by that page). Each candidate is
then measured exactly with the stored shingle hashes:

- similarity: the shingles the two texts share, over the smaller text's shingles (a summary
  that is half slides, or slides copied whole into a longer summary, both score high);
- the work's pages the upload repeats: pages with at least RIGHTS_HOLDER_PAGE_SHARE of their
  shingles in the upload.

At RIGHTS_HOLDER_MATCH_THRESHOLD or RIGHTS_HOLDER_MATCH_MIN_PAGES repeated pages the upload is
held, with a RightsHolderMatch per work. A rights holder's own uploads are not held for their
own works. Running it again gives the same rows (and keeps the record of e-mails sent).
"""

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from studymarket.documents.models import (
    DocumentVersion,
    RightsHolderBand,
    RightsHolderMatch,
    RightsHolderPage,
    RightsHolderWork,
)
from studymarket.documents.originality import band_digests, normalised_words, signature
from studymarket.documents.rights_holders import (
    MIN_PAGE_SHINGLES,
    fingerprint_scheme,
    hashes_unpack,
    text_shingle_hashes,
)

if TYPE_CHECKING:
    from datasketch import LeanMinHash  # numpy and scipy: only where originality.py makes one

# Works compared exactly per upload; more would mean text that every work shares (a template).
MAX_CANDIDATES = 50
# Digests per IN (...) lookup: within SQLite's limit on query parameters.
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class WorkOverlap:
    work_id: int
    similarity: float
    work_pages: list[int]
    upload_pages: list[int]

    @property
    def holds(self) -> bool:
        return bool(
            self.similarity >= settings.RIGHTS_HOLDER_MATCH_THRESHOLD
            or len(self.work_pages) >= settings.RIGHTS_HOLDER_MATCH_MIN_PAGES
        )


@dataclass(frozen=True)
class RightsCheck:
    matches: list[RightsHolderMatch]

    @property
    def held(self) -> bool:
        return bool(self.matches)


def rights_holder_check(*, version: DocumentVersion) -> RightsCheck:
    """Compare the version's stored page texts with the registered works; store the matches."""
    if not RightsHolderWork.objects.filter(removed_at__isnull=True, scheme=fingerprint_scheme()).exists():
        # Nothing registered (the usual case on a young platform): no signatures to make.
        version.rights_holder_matches.all().delete()
        return RightsCheck(matches=[])
    texts = dict(version.pages.order_by("number").values_list("number", "text"))
    upload_hashes = {number: text_shingle_hashes(text) for number, text in texts.items()}
    owner_id = version.document.seller.user_id
    found = [
        overlap
        for overlap in (
            work_overlap(work_id=work_id, upload_hashes=upload_hashes)
            for work_id in _candidates(texts, exclude_owner_id=owner_id)
        )
        if overlap.holds
    ]
    with transaction.atomic():
        version.rights_holder_matches.exclude(work_id__in=[overlap.work_id for overlap in found]).delete()
        matches = []
        for overlap in sorted(found, key=lambda item: (-item.similarity, item.work_id)):
            match, _created = RightsHolderMatch.objects.update_or_create(
                version=version,
                work_id=overlap.work_id,
                defaults={
                    "similarity": overlap.similarity,
                    "work_pages": overlap.work_pages,
                    "upload_pages": overlap.upload_pages,
                },
            )
            matches.append(match)
    return RightsCheck(matches=matches)


def _candidates(texts: dict[int, str], *, exclude_owner_id: int) -> list[int]:
    """Registered works (not withdrawn, not the uploader's own) sharing an LSH band with the
    upload's whole text or one of its pages."""
    wanted: set[tuple[int, int]] = set()
    every_word: list[str] = []
    for number in sorted(texts):
        words = normalised_words(texts[number])
        every_word.extend(words)
        wanted |= _bands(signature(words))
    wanted |= _bands(signature(every_word))
    if not wanted:
        return []
    digests = sorted({digest for _band, digest in wanted})
    hits: Counter[int] = Counter()
    for start in range(0, len(digests), _LOOKUP_CHUNK):
        rows = RightsHolderBand.objects.filter(digest__in=digests[start : start + _LOOKUP_CHUNK]).values_list(
            "work_id", "band", "digest"
        )
        hits.update(work_id for work_id, band, digest in rows if (band, digest) in wanted)
    active = set(
        RightsHolderWork.objects.filter(
            pk__in=hits.keys(), removed_at__isnull=True, scheme=fingerprint_scheme()
        )
        .exclude(owner_id=exclude_owner_id)
        .values_list("pk", flat=True)
    )
    # The works sharing the most bands first: a phrase every course uses must not push the
    # work actually copied out of the MAX_CANDIDATES compared.
    ranked = sorted(active, key=lambda work_id: (-hits[work_id], work_id))
    return ranked[:MAX_CANDIDATES]


def _bands(minhash: "LeanMinHash | None") -> set[tuple[int, int]]:
    if minhash is None:
        return set()
    return set(enumerate(band_digests(minhash)))


def work_page_hashes(*, work_id: int) -> dict[int, set[int]]:
    return {
        number: hashes_unpack(data)
        for number, data in RightsHolderPage.objects.filter(work_id=work_id).values_list(
            "number", "shingle_hashes"
        )
    }


def work_overlap(*, work_id: int, upload_hashes: dict[int, set[int]]) -> WorkOverlap:
    """How much of the upload (its shingle hashes by page) repeats the work, measured exactly."""
    work_pages = work_page_hashes(work_id=work_id)
    work_all: set[int] = set().union(*work_pages.values()) if work_pages else set()
    upload_all: set[int] = set().union(*upload_hashes.values()) if upload_hashes else set()
    smaller = min(len(work_all), len(upload_all))
    shared = len(work_all & upload_all)
    share = settings.RIGHTS_HOLDER_PAGE_SHARE
    repeated = [
        number
        for number, hashes in sorted(work_pages.items())
        if len(hashes) >= MIN_PAGE_SHINGLES and len(hashes & upload_all) >= share * len(hashes)
    ]
    repeating = [
        number for number, hashes in sorted(upload_hashes.items()) if _repeats(hashes & work_all, hashes)
    ]
    return WorkOverlap(
        work_id=work_id,
        similarity=shared / smaller if smaller else 0.0,
        work_pages=repeated,
        upload_pages=repeating,
    )


def _repeats(shared: set[int], page: set[int]) -> bool:
    # A page of the upload repeats the work when a real passage of it comes from there.
    return len(shared) >= MIN_PAGE_SHINGLES or (
        bool(page) and len(shared) >= settings.RIGHTS_HOLDER_PAGE_SHARE * len(page)
    )
