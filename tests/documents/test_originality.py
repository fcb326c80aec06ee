import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studymarket.documents.models import (
    DocumentPage,
    DocumentVersion,
    FingerprintBand,
    MatchKind,
    OriginalityMatch,
    VersionStatus,
)
from studymarket.documents.originality import (
    MIN_SHINGLES,
    MINHASH_SEED,
    NUM_PERM,
    Verdict,
    band_candidates,
    band_digests,
    band_ranges,
    fold,
    normalised_words,
    originality_check,
    signature,
    signature_bytes,
)
from tests.factories import DocumentFactory, DocumentVersionFactory

pytestmark = pytest.mark.django_db


def page_texts(seed: int, *, pages: int = 10, words: int = 200) -> list[str]:
    """Pages of made-up words; two seeds give texts that share (practically) no five-word run."""
    rng = random.Random(seed)
    return [" ".join(f"woord{rng.randrange(5000)}" for _ in range(words)) + "." for _ in range(pages)]


def edited(text: str, *, every: int, seed: int) -> str:
    """The text with every n-th word replaced, as a copier disguising a copy would."""
    rng = random.Random(seed)
    words = text.split()
    for i in range(0, len(words), every):
        words[i] = f"anders{rng.randrange(10**6)}"
    return " ".join(words)


def make_version(
    texts: list[str],
    *,
    document=None,
    number: int = 1,
    status: str = VersionStatus.PROCESSING,
    sha256: str | None = None,
) -> DocumentVersion:
    extra = {"sha256": sha256} if sha256 else {}
    version = DocumentVersionFactory(
        document=document or DocumentFactory(), number=number, status=status, page_count=len(texts), **extra
    )
    DocumentPage.objects.bulk_create(
        DocumentPage(version=version, number=n, text=text) for n, text in enumerate(texts, start=1)
    )
    return version


def stored(texts: list[str], **kwargs) -> DocumentVersion:
    """A version already on the platform: fingerprinted when it was uploaded, now published."""
    kwargs.setdefault("status", VersionStatus.ACCEPTED)
    version = make_version(texts, **kwargs)
    originality_check(version=version)
    return version


def test_normalisation_folds_case_accents_and_punctuation():
    assert fold("Économie, CAFÉ") == "economie, cafe"
    assert normalised_words("Hé,  dàt is\n§ 2.4.3 — Straße!") == ["he", "dat", "is", "2", "4", "3", "strasse"]


def test_signature_is_the_same_on_every_run_and_machine():
    # Stored signatures and bands are compared with ones made later, elsewhere: a change of seed,
    # permutation scheme or byte order would silently stop every comparison with old uploads.
    # (These numbers changed once, on purpose, with ADR 0016: 4-word shingles, 256 permutations,
    # threshold 0.15; `manage.py originality_fingerprint --all` rebuilt the stored ones.)
    words = [f"woord{n}" for n in range(100)]
    first, second = signature(words), signature(words)
    assert first is not None
    assert second is not None
    assert len(first.hashvalues) == NUM_PERM == 256
    assert [int(value) for value in first.hashvalues[:3]] == [20921613, 7511800, 20625002]
    assert list(first.hashvalues) == list(second.hashvalues)
    assert band_ranges(0.15)[:2] == ((0, 2), (2, 4))
    assert len(band_ranges(0.15)) == 128
    assert band_digests(first)[:2] == [8618205242923790237, -926918341497066131]


def test_exact_copy_of_the_same_file_is_refused():
    original = stored(page_texts(1))
    copy = make_version(page_texts(2), sha256=original.sha256)

    result = originality_check(version=copy)

    assert result.verdict == Verdict.EXACT
    assert [(m.earlier_version_id, m.kind, m.similarity) for m in result.matches] == [
        (original.pk, MatchKind.EXACT, 1.0)
    ]


def test_same_text_in_another_file_is_an_exact_copy():
    texts = page_texts(1)
    texts[0] = "Hoofdstuk 1: Économie van het café. " + texts[0]
    original = stored(texts)
    # Other bytes (another PDF maker), other case, accents, punctuation and line breaks.
    disguised = [text.upper().replace(" ", "\n ; ") for text in texts]
    disguised[0] = disguised[0].replace("ÉCONOMIE", "ECONOMIE").replace("CAFÉ", "CAFE")
    copy = make_version(disguised)

    result = originality_check(version=copy)

    assert result.verdict == Verdict.EXACT
    assert [m.earlier_version_id for m in result.matches] == [original.pk]
    assert not FingerprintBand.objects.filter(version=copy).exists()
    copy.refresh_from_db()
    assert copy.text_sha256 == DocumentVersion.objects.get(pk=original.pk).text_sha256 != ""


def test_near_duplicate_is_held_with_a_sane_similarity():
    texts = page_texts(1)
    original = stored(texts)
    # Seven pages copied as they are, three with every eighth word changed.
    copied = texts[:7] + [edited(text, every=8, seed=n) for n, text in enumerate(texts[7:])]
    copy = make_version(copied)

    result = originality_check(version=copy)

    assert result.verdict == Verdict.NEAR
    [match] = result.matches
    assert match.earlier_version_id == original.pk
    assert match.kind == MatchKind.NEAR
    true_jaccard = _jaccard(texts, copied)
    assert 0.6 < true_jaccard < 0.8
    assert abs(match.similarity - true_jaccard) < 0.12
    assert OriginalityMatch.objects.filter(version=copy).count() == 1


def test_unrelated_document_is_unique_and_fingerprinted():
    stored(page_texts(1))
    new = make_version(page_texts(2))

    result = originality_check(version=new)

    assert result == type(result)(verdict=Verdict.UNIQUE, matches=[])
    new.refresh_from_db()
    assert len(new.text_sha256) == 64
    assert new.minhash is not None
    assert FingerprintBand.objects.filter(version=new).count() == len(band_ranges(0.15)) == 128


def test_a_sellers_own_new_version_is_not_a_copy():
    texts = page_texts(1)
    first = stored(texts)
    second = make_version(texts[:9] + page_texts(2, pages=1), document=first.document, number=2)
    same_bytes = make_version(texts, document=first.document, number=3, sha256=first.sha256)

    assert originality_check(version=second).verdict == Verdict.UNIQUE
    assert originality_check(version=same_bytes).verdict == Verdict.UNIQUE


def test_the_first_uploader_wins():
    texts = page_texts(1)
    first = stored(texts)
    later = make_version(texts[:8] + page_texts(2, pages=2))
    assert originality_check(version=later).verdict == Verdict.NEAR
    later.status = VersionStatus.HELD_FOR_REVIEW
    later.save()

    # Checking the first upload again (a retried task) does not turn it into the copy.
    again = originality_check(version=first)

    assert again.verdict == Verdict.UNIQUE
    assert not OriginalityMatch.objects.filter(version=first).exists()
    [match] = OriginalityMatch.objects.filter(version=later)
    assert match.earlier_version_id == first.pk


@pytest.mark.parametrize("status", [VersionStatus.REJECTED, VersionStatus.FAILED, VersionStatus.PROCESSING])
def test_refused_failed_and_unfinished_uploads_do_not_count(status):
    texts = page_texts(1)
    earlier = stored(texts, status=status)
    copy = make_version(texts, sha256=earlier.sha256)

    assert originality_check(version=copy).verdict == Verdict.UNIQUE


def test_scans_without_text_are_not_near_duplicates_of_each_other():
    # A page of a scan yields at most a stray word or two from its text layer.
    scan = stored(["", "Hoofdstuk 1", "", "3"])
    other_scan = make_version(["", "Hoofdstuk 1", "", "3"])
    short = make_version(["Samenvatting " * (MIN_SHINGLES // 2)])

    assert originality_check(version=other_scan).verdict == Verdict.UNIQUE
    assert originality_check(version=short).verdict == Verdict.UNIQUE
    other_scan.refresh_from_db()
    assert (other_scan.text_sha256, other_scan.minhash) == ("", None)
    assert not FingerprintBand.objects.filter(version__in=[scan, other_scan, short]).exists()
    # The same scanned file is still an exact copy.
    same_file = make_version([""], sha256=scan.sha256)
    assert originality_check(version=same_file).verdict == Verdict.EXACT


def test_check_is_idempotent():
    texts = page_texts(1)
    original = stored(texts)
    copy = make_version(texts[:8] + page_texts(2, pages=2))

    first = originality_check(version=copy)
    bands = _bands(copy)
    second = originality_check(version=copy)

    assert [(m.earlier_version_id, m.kind, m.similarity) for m in first.matches] == [
        (m.earlier_version_id, m.kind, m.similarity) for m in second.matches
    ]
    assert second.matches[0].earlier_version_id == original.pk
    assert _bands(copy) == bands
    assert OriginalityMatch.objects.filter(version=copy).count() == 1


def _queries_to_check_a_copy(stored_documents: int) -> int:
    texts = page_texts(10_000 + stored_documents)
    for seed in range(stored_documents):
        stored(page_texts(seed, pages=2))
    stored(texts)
    copy = make_version(texts[:8] + page_texts(1, pages=2))
    with CaptureQueriesContext(connection) as queries:
        result = originality_check(version=copy)
    assert result.verdict == Verdict.NEAR
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_documents_stored():
    with_few = _queries_to_check_a_copy(5)
    FingerprintBand.objects.all().delete()
    DocumentVersion.objects.all().delete()
    with_many = _queries_to_check_a_copy(50)

    assert with_few == with_many


def test_the_band_lookup_is_an_index_search():
    for seed in range(3):
        stored(page_texts(seed, pages=2))
    digests = band_digests(signature([f"woord{n}" for n in range(100)]))
    sql, params = band_candidates(digests).query.sql_with_params()
    index = FingerprintBand._meta.indexes[0].name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            expected = f"USING INDEX {index} (band=? AND digest=?)"
        else:
            # Scanning a few rows is cheaper; the point is that the query can be answered from the index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            expected = f"Index Scan on {index}"
    assert expected in plan
    assert "Seq Scan" not in plan
    assert "SCAN documents_fingerprintband" not in plan


def _bands(version: DocumentVersion) -> list[tuple[int, int]]:
    return list(
        FingerprintBand.objects.filter(version=version).order_by("band").values_list("band", "digest")
    )


def _jaccard(a: list[str], b: list[str]) -> float:
    from studymarket.documents.originality import shingles

    first = shingles([w for text in a for w in normalised_words(text)])
    second = shingles([w for text in b for w in normalised_words(text)])
    return len(first & second) / len(first | second)


def test_a_signature_made_before_num_perm_changed_is_skipped_not_compared():
    # ADR 0016 moved from 128 to 256 permutations; until `originality_fingerprint --all` has
    # run, a stored signature may be of the old size, and comparing it would raise.
    from datasketch import LeanMinHash, MinHash

    texts = page_texts(1)
    original = stored(texts)
    old = MinHash(num_perm=128, seed=MINHASH_SEED)
    old.update_batch([f"woord{n}".encode() for n in range(100)])
    DocumentVersion.objects.filter(pk=original.pk).update(minhash=signature_bytes(LeanMinHash(old)))
    copy = make_version(texts[:8] + page_texts(2, pages=2))

    assert originality_check(version=copy).verdict == Verdict.UNIQUE
