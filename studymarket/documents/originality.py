"""Is a new version a copy of a document already on the platform?

Two checks, both against versions of OTHER documents that were uploaded EARLIER (first
uploader wins) and are on sale or waiting for staff (published, held_for_review):

- exact: the same file (SHA-256 of the bytes) or the same normalised text (the same words
  in the same order, whatever the PDF around them) → the pipeline refuses the upload;
- near: a MinHash over word shingles estimates the Jaccard similarity of the two texts'
  shingle sets; at or above ``settings.NEAR_DUPLICATE_THRESHOLD`` the upload is held for
  staff review, with an OriginalityMatch row per earlier version.

The words are normalised so that typesetting does not count: case, accents, ligatures,
punctuation, white space, hyphenation at line ends, soft hyphens, page-number lines and "o"
bullets are folded away. Shingles of 4 words, 256 permutations and a threshold of 0.15 are what
bench/originality.py measured (ADR 0016): a copy with 20 % of its words edited at random, pages
removed and moved, typeset again, still scores about 0.2 or more, while distinct notes of the
same course, which share vocabulary, stock phrases and textbook definitions, stay at 0.06 or less.

Candidates for "near" come from locality-sensitive hashing: the signature is cut into bands
(datasketch picks bands × rows for the threshold) and every band's digest is stored in
FingerprintBand, so finding versions that share a band is an indexed SQL lookup that any
web or worker process on any machine can make, not a scan of every stored signature.
Changing NEAR_DUPLICATE_THRESHOLD, SHINGLE_WORDS, NUM_PERM, the seed or the normalisation
changes the signatures or the bands: ``manage.py originality_fingerprint --all`` runs
``originality_check`` again on every accepted and held version (it is idempotent) to rebuild
them. Signatures made before ADR 0016 (5-word shingles, 128 permutations) need exactly that;
rights holders' works (rights_holders.py) have to be registered again.

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
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    # datasketch brings numpy and scipy (about 60 MB): imported only where a signature is made or
    # read, so the web processes that reach this module through the URLconf never load it.
    from datasketch import LeanMinHash

# 4 words: a random edit of 20 % of the words leaves 0.8⁴ ≈ 41 % of the shingles intact
# (5 words: 33 %), while runs of 4 words are still rarely shared by distinct texts (ADR 0016).
SHINGLE_WORDS = 4
# 256: bands of 2 rows for the low threshold (128 bands) and an estimate within ±0.03.
NUM_PERM = 256
# Fixed: signatures stored in the database are only comparable when made with one seed.
MINHASH_SEED = 20210730
# Fewer shingles than this is too little text to tell copies apart (a scan, a title page).
MIN_SHINGLES = 50
# Little-endian on every machine, so stored signatures and band digests stay comparable.
_BYTE_ORDER = "<"
# Hashing shingles in batches keeps the (batch × NUM_PERM) matrix datasketch builds small.
_BATCH = 2048
# Staff look at the closest matches; a boilerplate text matching hundreds is one case, not hundreds.
MAX_MATCHES = 20
# LSH candidates compared per upload; far more would mean a text everyone shares (a template).
MAX_CANDIDATES = 2000

# The versions an upload is compared with: the ones on sale or held, never refused or broken ones.
COUNTING_STATUSES = (VersionStatus.ACCEPTED, VersionStatus.HELD_FOR_REVIEW)

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"\w+")
_LETTER = r"[\w\u0300-\u036f]"
# What may stand inside one word as typesetting leaves it: a hyphen at the end of a line
# ("informa-\ntie"), a hyphen joining two parts ("kosten-baten", which another layout may break
# at the hyphen), a soft hyphen, a zero-width space or joiner. Dropped, so every layout of a word
# gives the same word.
_JOIN = r"(?:-[ \t]*\r?\n[ \t]*|-|[\u00ad\u200b-\u200d\u2060\ufeff])"
_JOINS = re.compile(rf"(?<={_LETTER}){_JOIN}(?={_LETTER})")
# A word as it stands in the page text, accents and joins inside it included.
_RAW_WORD = re.compile(rf"{_LETTER}+(?:{_JOIN}{_LETTER}+)*")
# Page furniture that a new layout changes: a first or last line that is only a page number
# ("12", "- 12 -", "Pagina 3 van 17", "3/17"; a number alone on a line elsewhere is text, a table
# cell say), and "o" used as a bullet (Word's bullet font read as text). Blanked with spaces of
# the same length, so that word_spans still points into the text as stored.
_PAGE_NUMBER = re.compile(
    r"[^\w\n]*(?:(?:pagina|page|blz|p)\W*)?\d{1,4}(?:\s*(?:van|of|/)\s*\d{1,4})?[^\w\n]*", re.IGNORECASE
)
_BULLET_O = re.compile(r"^[ \t]*o(?=[ \t])", re.IGNORECASE | re.MULTILINE)


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
    """The words of a text, folded; punctuation and white space only separate them.

    Hyphenation, soft hyphens, ligatures (NFKD in fold), page-number lines and "o" bullets
    are folded away, so a text typeset again gives the same words.
    """
    return _WORD.findall(fold(_JOINS.sub("", _blanked(text))))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Each normalised word with the place (start, end) of the text it came from, to mark it.

    The words are normalised_words(text), one for one (the tests hold the two to it).
    """
    for match in _RAW_WORD.finditer(_blanked(text)):
        for word in _WORD.findall(fold(_JOINS.sub("", match.group()))):
            yield match.start(), match.end(), word


def _blanked(text: str) -> str:
    text = _BULLET_O.sub(lambda match: " " * len(match.group()), text)
    lines = text.split("\n")
    filled = [n for n, line in enumerate(lines) if line.strip()]
    for n in {filled[0], filled[-1]} if filled else ():
        if _PAGE_NUMBER.fullmatch(lines[n]):
            lines[n] = " " * len(lines[n])
    return "\n".join(lines)


def shingles(words: list[str]) -> set[bytes]:
    size = SHINGLE_WORDS
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@functools.cache
def band_ranges(threshold: float) -> tuple[tuple[int, int], ...]:
    """Which slices of the signature form the LSH bands, as datasketch chooses them for the threshold.

    Weighted towards few false negatives: a copy the bands miss is never looked at, while a
    false candidate only costs one signature comparison. For 0.15 that is 128 bands of 2 rows:
    a version at similarity 0.15 becomes a candidate with probability 0.95, one at 0.2 (a copy
    with a fifth of its words edited, typeset again) with 0.995, one at 0.03 (distinct notes of
    the same course) with 0.11 and one at 0.01 with 0.013.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=(0.05, 0.95))
    return tuple(lsh.hashranges)


def signature(words: list[str]) -> "LeanMinHash | None":
    """The MinHash of a text's shingles; None when the text is too short to compare."""
    from datasketch import LeanMinHash, MinHash

    items = list(shingles(words))
    if len(items) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    for start in range(0, len(items), _BATCH):
        minhash.update_batch(items[start : start + _BATCH])
    return LeanMinHash(minhash)


def signature_bytes(minhash: "LeanMinHash") -> bytes:
    buffer = bytearray(minhash.bytesize(byteorder=_BYTE_ORDER))
    minhash.serialize(buffer, byteorder=_BYTE_ORDER)
    return bytes(buffer)


def signature_load(data: bytes | memoryview) -> "LeanMinHash":
    from datasketch import LeanMinHash

    return LeanMinHash.deserialize(bytes(data), byteorder=_BYTE_ORDER)


def band_digests(minhash: "LeanMinHash") -> list[int]:
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


def own_original_document_id(*, version: DocumentVersion) -> int | None:
    """The seller's own other document that a version refused as an exact copy repeats, when
    it repeats only their own work (so the seller is offered a new version of that document
    instead of "only your own work"); None when it also or only repeats someone else's."""
    exact = OriginalityMatch.objects.filter(version=version, kind=MatchKind.EXACT)
    rows = list(exact.values_list("earlier_version__document_id", "earlier_version__document__seller_id"))
    seller_id = (
        DocumentVersion.objects.filter(pk=version.pk).values_list("document__seller_id", flat=True).first()
    )
    if not rows or any(owner != seller_id for _, owner in rows):
        return None
    return min(document_id for document_id, _ in rows)


def _near(
    earlier: QuerySet[DocumentVersion], minhash: "LeanMinHash | None", digests: list[int]
) -> list[tuple[int, float]]:
    """Earlier versions whose estimated similarity reaches the threshold, closest first."""
    if minhash is None:
        return []
    # Two queries, each led by an index whatever the planner knows: the band lookup, then
    # the candidates by primary key (a join would let it start from "all earlier versions").
    candidate_ids = list(band_candidates(digests)[:MAX_CANDIDATES])
    candidates = earlier.filter(pk__in=candidate_ids).values_list("pk", "minhash")
    threshold = settings.NEAR_DUPLICATE_THRESHOLD
    signatures = [(pk, signature_load(data)) for pk, data in candidates if data is not None]
    # A signature of another size was made before NUM_PERM changed and cannot be compared (it
    # waits for `originality_fingerprint --all`); its bands would not have matched anyway.
    scored = [(pk, minhash.jaccard(other)) for pk, other in signatures if len(other) == NUM_PERM]
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
