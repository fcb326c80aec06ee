"""Is a new version a copy of a document already on the platform?

Two checks, both against versions of OTHER documents that were uploaded EARLIER (first
uploader wins) and are on sale or waiting for staff (published, held_for_review):

- exact: the same file (SHA-256 of the bytes) or the same normalised text (the same words
  in the same order, whatever the PDF around them) → the pipeline refuses the upload;
- near: a MinHash over word shingles estimates the Jaccard similarity of the two texts'
  shingle sets; at or above ``settings.NEAR_DUPLICATE_THRESHOLD`` the upload is held for
  staff review, with an OriginalityMatch row per earlier version.

Candidates for "near" come from locality-sensitive hashing: the signature is cut into bands
(datasketch picks bands × rows for the threshold) and every band's digest is stored in
FingerprintBand, so finding versions that share a band is an indexed SQL lookup that any
web or worker process on any machine can make, not a scan of every stored signature.
Changing NEAR_DUPLICATE_THRESHOLD, NUM_PERM or the seed changes the bands: run
``originality_check`` again on every version (it is idempotent) to rebuild them.

Documents with (almost) no text layer, such as scans, have no usable shingles: comparing
their nearly empty texts would call every scan a copy of every other scan. Below
MIN_SHINGLES they get no text hash, no signature and no bands; only the file hash applies.
"""

import enum
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHash, MinHashLSH
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from studymarket.documents.models import (
    DocumentVersion,
    FingerprintBand,
    MatchKind,
    OriginalityMatch,
    VersionStatus,
)

SHINGLE_WORDS = 5
NUM_PERM = 128
# Fixed: signatures stored in the database are only comparable when made with one seed.
MINHASH_SEED = 20210730
# Fewer shingles than this is too little text to tell copies apart (a scan, a title page).
MIN_SHINGLES = 50
# Little-endian on every machine, so stored signatures and band digests stay comparable.
_BYTE_ORDER = "<"
# Hashing shingles in batches keeps the (batch × NUM_PERM) matrix datasketch builds small.
_BATCH = 8192
# Staff look at the closest matches; a boilerplate text matching hundreds is one case, not hundreds.
MAX_MATCHES = 20
# LSH candidates compared per upload; far more would mean a text everyone shares (a template).
MAX_CANDIDATES = 2000

# The versions an upload is compared with: the ones on sale or held, never refused or broken ones.
COUNTING_STATUSES = (VersionStatus.ACCEPTED, VersionStatus.HELD_FOR_REVIEW)

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"\w+")
# A word as it stands in the page text, accents that follow it included.
_RAW_WORD = re.compile(r"[\w\u0300-\u036f]+")


class Verdict(enum.StrEnum):
    EXACT = "exact"
    NEAR = "near"
    UNIQUE = "unique"


@dataclass(frozen=True)
class OriginalityResult:
    verdict: Verdict
    matches: list[OriginalityMatch]


def fold(text: str) -> str:
    """Lower case with accents removed: "Économie" and "economie" are the same word."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def normalised_words(text: str) -> list[str]:
    """The words of a text, folded; punctuation and white space only separate them."""
    return _WORD.findall(fold(text))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Each normalised word with the place (start, end) of the text it came from, to mark it."""
    for match in _RAW_WORD.finditer(text):
        for word in _WORD.findall(fold(match.group())):
            yield match.start(), match.end(), word


def shingles(words: list[str]) -> set[bytes]:
    size = SHINGLE_WORDS
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@functools.cache
def band_ranges(threshold: float) -> tuple[tuple[int, int], ...]:
    """Which slices of the signature form the LSH bands, as datasketch chooses them for the threshold.

    Weighted towards few false negatives: a copy the bands miss is never looked at, while a
    false candidate only costs one signature comparison. For 0.5 that is 26 bands of 3 rows:
    a version at similarity 0.5 becomes a candidate with probability 0.97 (0.55 with equal
    weights), one at 0.1 with probability 0.03.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=(0.05, 0.95))
    return tuple(lsh.hashranges)


def signature(words: list[str]) -> LeanMinHash | None:
    """The MinHash of a text's shingles; None when the text is too short to compare."""
    items = list(shingles(words))
    if len(items) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    for start in range(0, len(items), _BATCH):
        minhash.update_batch(items[start : start + _BATCH])
    return LeanMinHash(minhash)


def signature_bytes(minhash: LeanMinHash) -> bytes:
    buffer = bytearray(minhash.bytesize(byteorder=_BYTE_ORDER))
    minhash.serialize(buffer, byteorder=_BYTE_ORDER)
    return bytes(buffer)


def signature_load(data: bytes | memoryview) -> LeanMinHash:
    return LeanMinHash.deserialize(bytes(data), byteorder=_BYTE_ORDER)


def band_digests(minhash: LeanMinHash) -> list[int]:
    """One signed 64-bit digest per band (it fits a BigIntegerField)."""
    values = minhash.hashvalues.astype(f"{_BYTE_ORDER}u4")
    return [
        int.from_bytes(
            hashlib.blake2b(values[start:end].tobytes(), digest_size=8).digest(), "little", signed=True
        )
        for start, end in band_ranges(settings.NEAR_DUPLICATE_THRESHOLD)
    ]


def earlier_versions(version: DocumentVersion) -> QuerySet[DocumentVersion]:
    """Versions an upload may be a copy of: of other documents, uploaded before it, still counting.

    A seller's own earlier versions of the same document are left out: a new version of one's
    own work is not a copy. Later uploads are left out too: the first uploader wins, and an
    earlier upload is never flagged because someone copied it afterwards.
    """
    before = Q(created_at__lt=version.created_at) | Q(created_at=version.created_at, pk__lt=version.pk)
    return (
        DocumentVersion.objects.filter(before, status__in=COUNTING_STATUSES)
        .exclude(document_id=version.document_id)
        .order_by("created_at", "pk")
    )


def originality_check(*, version: DocumentVersion) -> OriginalityResult:
    """Fingerprint a version from its stored page texts and compare it with earlier uploads.

    Stores text_sha256, the MinHash signature, its LSH bands and the matches found; running it
    again gives the same rows. The number of queries does not depend on how many documents the
    platform holds. The caller moves the version on (refuse, hold, publish) by the verdict.
    """
    texts = version.pages.order_by("number").values_list("text", flat=True)
    words: list[str] = []
    for text in texts:
        words.extend(normalised_words(text))
    minhash = signature(words)
    text_sha256 = hashlib.sha256(" ".join(words).encode()).hexdigest() if minhash is not None else ""
    digests = band_digests(minhash) if minhash is not None else []

    earlier = earlier_versions(version)
    same = Q(sha256=version.sha256)
    if text_sha256:
        same |= Q(text_sha256=text_sha256)
    exact = list(earlier.filter(same).values_list("pk", flat=True)[:MAX_MATCHES])
    found: list[tuple[int, str, float]]
    if exact:
        verdict = Verdict.EXACT
        found = [(pk, MatchKind.EXACT, 1.0) for pk in exact]
    else:
        found = [(pk, MatchKind.NEAR, similarity) for pk, similarity in _near(earlier, minhash, digests)]
        verdict = Verdict.NEAR if found else Verdict.UNIQUE

    with transaction.atomic():
        version.text_sha256 = text_sha256
        version.minhash = signature_bytes(minhash) if minhash is not None else None
        version.save(update_fields=["text_sha256", "minhash", "updated_at"])
        # A refused copy's bands would only add candidates to every later upload's lookup.
        _bands_replace(version, digests if verdict != Verdict.EXACT else [])
        version.originality_matches.all().delete()
        matches = OriginalityMatch.objects.bulk_create(
            OriginalityMatch(version=version, earlier_version_id=pk, kind=kind, similarity=similarity)
            for pk, kind, similarity in found
        )
    return OriginalityResult(verdict=verdict, matches=matches)


def _near(
    earlier: QuerySet[DocumentVersion], minhash: LeanMinHash | None, digests: list[int]
) -> list[tuple[int, float]]:
    """Earlier versions whose estimated similarity reaches the threshold, closest first."""
    if minhash is None:
        return []
    # Two queries, each led by an index whatever the planner knows: the band lookup, then
    # the candidates by primary key (a join would let it start from "all earlier versions").
    candidate_ids = list(band_candidates(digests)[:MAX_CANDIDATES])
    candidates = earlier.filter(pk__in=candidate_ids).values_list("pk", "minhash")
    threshold = settings.NEAR_DUPLICATE_THRESHOLD
    scored = [(pk, minhash.jaccard(signature_load(data))) for pk, data in candidates if data is not None]
    close = [(pk, similarity) for pk, similarity in scored if similarity >= threshold]
    close.sort(key=lambda item: (-item[1], item[0]))
    return close[:MAX_MATCHES]


def band_candidates(digests: list[int]) -> QuerySet[FingerprintBand, int]:
    """Ids of the versions sharing at least one band with these digests, oldest first."""
    shares_a_band = Q()
    for band, digest in enumerate(digests):
        shares_a_band |= Q(band=band, digest=digest)
    return (
        FingerprintBand.objects.filter(shares_a_band)
        .values_list("version_id", flat=True)
        .distinct()
        .order_by("version_id")
    )


def _bands_replace(version: DocumentVersion, digests: list[int]) -> None:
    current = dict(version.fingerprint_bands.values_list("band", "digest"))
    wanted = dict(enumerate(digests))
    if current == wanted:
        return
    version.fingerprint_bands.all().delete()
    FingerprintBand.objects.bulk_create(
        FingerprintBand(version=version, band=band, digest=digest) for band, digest in wanted.items()
    )


def originality_fingerprints_ensure(
    *, every: bool = False
) -> list[tuple[DocumentVersion, OriginalityResult]]:
    """Fingerprint the accepted and held versions that have none (or ``every`` one of them),
    oldest first, so that a copy of them is recognised: versions the platform read itself (the
    demo data) never went through the pipeline's check. Returns each version with its result;
    its status is left as it is. Running it again finds nothing left to do.

    "None" means no text hash, no signature and no bands: a scan (too little text for either)
    looks the same, and is fingerprinted again, to the same empty result.
    """
    versions = DocumentVersion.objects.filter(status__in=COUNTING_STATUSES)
    if not every:
        versions = versions.filter(text_sha256="", minhash__isnull=True, fingerprint_bands__isnull=True)
    done = []
    # The ids first: each check writes, and SQLite does not isolate a read still being fetched.
    for pk in list(versions.order_by("created_at", "pk").values_list("pk", flat=True)):
        version = DocumentVersion.objects.get(pk=pk)
        done.append((version, originality_check(version=version)))
    return done
