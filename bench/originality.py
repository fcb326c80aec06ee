"""Originality, measured: does the check catch disguised copies, and leave distinct notes alone?

A seeded corpus (bench/originality_corpus.py) of --documents distinct course notes (5–60 pages,
--courses courses: each course shares vocabulary, stock phrases, definitions and quotes) goes
through the real check, in upload order, on a scratch SQLite database: each version's page texts
are stored as DocumentPage rows and ``originality_check`` runs on it, exactly as the pipeline
calls it (normalised_words, shingles, signature, band_digests, the FingerprintBand lookup, the
threshold decision; so the figures include what the LSH bands miss). A version is then set to
what the pipeline would make of it: accepted (unique), held (near) or refused (exact).

Then --copies disguised copies per kind are checked against that platform:
edited_5/10/20 (that share of the words replaced, dropped or preceded by a new one, at random
places), reordered (the PDF's pages shuffled), pages_removed (20–50 % of the pages cut out),
retypeset (other line width, hyphenation, header, page numbers, bullets, ligatures, white
space), combined (10 % edited, reordered, 25 % of the pages removed, typeset again) and
combined_20 (the same with 20 % edited). A copy is found when the original is among its
matches; each copy is refused afterwards, so it never counts for the next one.

- recall: copies found / copies, per kind and overall;
- false positives: distinct documents held (or refused) as a copy of an earlier distinct
  document, per upload (the share of honest sellers held for staff) and per pair of documents
  of the same course;
- reference, on the same pairs: the exact Jaccard similarity of the shingle sets (brute force,
  no MinHash, no bands) with the same threshold, so what the estimate and the bands cost shows;
- time per document to fingerprint its page texts (what originality_check computes before it
  touches the database) against SHA-256 of the same texts (plain hashing: the floor for any
  check of the text, with no PDF reading on either side). Medians over --repeat runs.

Writes bench/results/originality.json.

    .venv/bin/python bench/originality.py [--documents 2000] [--copies 150] [--repeat 5]
"""

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import originality_corpus as corpus  # noqa: E402
from bench.recording import median_seconds, write  # noqa: E402

SEED = 20261206
RECALL_GOAL = 0.95
FALSE_POSITIVE_GOAL = 0.01
Disguise = Callable[[random.Random, corpus.Document, corpus.Style, list[str]], list[str]]


def _setup_django(data_dir: str) -> None:
    os.environ.update(DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="config.settings", STUDYMARKET_TESTING="0")
    for name in ("DATABASE_URL", "STUDYMARKET_ENV", "EMAIL_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _disguises(courses: list[corpus.Course]) -> dict[str, Disguise]:
    """Each kind of copy: (rng, the original, its layout, its page texts as stored) → the copy's
    page texts."""

    def edit(share: float) -> Disguise:
        # The copier edits the text and saves a new PDF in the same layout.
        return lambda rng, doc, style, texts: corpus.typeset(
            rng, corpus.edited(rng, doc, courses, share), style
        )

    def retypeset(
        rng: random.Random, doc: corpus.Document, style: corpus.Style, texts: list[str]
    ) -> list[str]:
        return corpus.typeset(rng, doc, corpus.style_make(rng, doc, courses))

    def reordered(
        rng: random.Random, doc: corpus.Document, style: corpus.Style, texts: list[str]
    ) -> list[str]:
        # Pages moved with a PDF tool: each page's text stays as it was.
        order = list(range(len(texts)))
        while order == sorted(order):
            rng.shuffle(order)
        return [texts[p] for p in order]

    def removed(rng: random.Random, doc: corpus.Document, style: corpus.Style, texts: list[str]) -> list[str]:
        keep = max(3, round(len(texts) * (1 - rng.uniform(0.2, 0.5))))
        return [texts[p] for p in sorted(rng.sample(range(len(texts)), keep))]

    def combined(share: float) -> Disguise:
        def disguise(
            rng: random.Random, doc: corpus.Document, style: corpus.Style, texts: list[str]
        ) -> list[str]:
            copy = corpus.edited(rng, doc, courses, share)
            copy = corpus.removed(rng, corpus.reordered(rng, copy), 0.25)
            return corpus.typeset(rng, copy, corpus.style_make(rng, doc, courses))

        return disguise

    return {
        "edited_5": edit(0.05),
        "edited_10": edit(0.10),
        "edited_20": edit(0.20),
        "reordered": reordered,
        "pages_removed": removed,
        "retypeset": retypeset,
        "combined": combined(0.10),
        "combined_20": combined(0.20),
    }


class Platform:
    """The scratch database: one seller, versions stored and checked in upload order."""

    def __init__(self) -> None:
        from studymarket.accounts.services import seller_profile_create, user_create

        user = user_create(email="bench-originality@example.test", password="bench-wachtwoord-2026")
        self.seller = seller_profile_create(user=user, display_name="bench-originality")
        self.count = 0

    def upload(self, texts: list[str]) -> Any:
        from studymarket.documents.models import Document, DocumentPage, DocumentVersion, VersionStatus

        self.count += 1
        document = Document.objects.create(seller=self.seller)
        version = DocumentVersion.objects.create(
            document=document,
            number=1,
            file=f"documents/bench-{self.count}.pdf",
            original_name="samenvatting.pdf",
            sha256=hashlib.sha256(f"bench-file-{self.count}".encode()).hexdigest(),  # every file differs
            size_bytes=sum(len(text) for text in texts),
            page_count=len(texts),
            status=VersionStatus.PROCESSING,
        )
        DocumentPage.objects.bulk_create(
            DocumentPage(version=version, number=n, text=text) for n, text in enumerate(texts, start=1)
        )
        return version

    def check(self, version: Any, *, keep: bool) -> tuple[str, list[int], float]:
        """The real check; returns the verdict, the versions matched and the seconds it took.
        ``keep``: the version then counts for later uploads as the pipeline leaves it."""
        from studymarket.documents.models import VersionStatus
        from studymarket.documents.originality import Verdict, originality_check

        start = time.perf_counter()
        result = originality_check(version=version)
        elapsed = time.perf_counter() - start
        status = {
            Verdict.UNIQUE: VersionStatus.ACCEPTED,
            Verdict.NEAR: VersionStatus.HELD_FOR_REVIEW,
            Verdict.EXACT: VersionStatus.REJECTED,
        }[result.verdict]
        version.status = status if keep else VersionStatus.REJECTED
        version.save(update_fields=["status", "updated_at"])
        return str(result.verdict), [m.earlier_version_id for m in result.matches], elapsed


def _shingle_set(texts: list[str]) -> set[bytes]:
    from studymarket.documents.originality import normalised_words, shingles

    words: list[str] = []
    for text in texts:
        words.extend(normalised_words(text))
    return shingles(words)


def _jaccard(a: set[bytes], b: set[bytes]) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if a or b else 0.0


def _fingerprint(texts: list[str]) -> None:
    """What originality_check computes from the page texts before it queries the database."""
    from studymarket.documents.originality import band_digests, normalised_words, signature

    words: list[str] = []
    for text in texts:
        words.extend(normalised_words(text))
    minhash = signature(words)
    hashlib.sha256(" ".join(words).encode()).hexdigest()
    if minhash is not None:
        band_digests(minhash)


def _plain_hash(texts: list[str]) -> None:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
    digest.hexdigest()


def _timing(documents: list[tuple[int, list[str]]], repeat: int) -> tuple[dict, dict, dict]:
    figures, reference, ratio = {}, {}, {}
    for pages, texts in documents:
        name = f"{pages}_pages"
        words = sum(len(text.split()) for text in texts)
        ours, ours_times = median_seconds(partial(_fingerprint, texts), repeat=repeat)
        plain, plain_times = median_seconds(partial(_plain_hash, texts), repeat=repeat)
        figures[name] = {"words": words, "median_s": ours, "times_s": ours_times}
        reference[name] = {
            "tool": "hashlib.sha256 of the page texts",
            "median_s": plain,
            "times_s": plain_times,
        }
        ratio[name] = round(ours / plain, 1)
    return figures, reference, ratio


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def main(data_dir: str) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--courses", type=int, default=40)
    parser.add_argument("--copies", type=int, default=150, help="copies per kind")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    _setup_django(data_dir)
    from django.conf import settings

    from studymarket.documents import originality

    threshold = settings.NEAR_DUPLICATE_THRESHOLD
    rng = random.Random(args.seed)
    courses, documents = corpus.corpus(args.seed, courses=args.courses, documents=args.documents)
    styles = [corpus.style_make(rng, document, courses) for document in documents]
    texts = [corpus.typeset(rng, document, style) for document, style in zip(documents, styles, strict=True)]
    print(
        f"corpus: {len(documents)} documents, {sum(len(t) for t in texts)} pages "
        f"({time.perf_counter() - started:.0f} s)"
    )

    platform = Platform()
    version_of: list[int] = []
    document_of: dict[int, int] = {}
    flagged_pairs: set[tuple[int, int]] = set()
    flagged_uploads = 0
    check_times: list[float] = []
    candidates: list[int] = []
    for index, pages in enumerate(texts):
        version = platform.upload(pages)
        verdict, matches, elapsed = platform.check(version, keep=True)
        check_times.append(elapsed)
        candidates.append(_candidates(version))
        version_of.append(version.pk)
        document_of[version.pk] = index
        if matches:
            flagged_uploads += 1
            flagged_pairs.update((document_of[pk], index) for pk in matches)
    print(f"originals checked ({time.perf_counter() - started:.0f} s): {flagged_uploads} held")

    # The reference on the same pairs: every earlier document of the same course, brute force.
    shingle_sets = [_shingle_set(pages) for pages in texts]
    by_course: dict[int, list[int]] = defaultdict(list)
    exact_pairs, exact_uploads, pairs, distinct_max = 0, 0, 0, []
    for index, document in enumerate(documents):
        earlier = by_course[document.course]
        similarities = [_jaccard(shingle_sets[index], shingle_sets[other]) for other in earlier]
        pairs += len(earlier)
        exact_pairs += sum(1 for s in similarities if s >= threshold)
        exact_uploads += any(s >= threshold for s in similarities)
        distinct_max.append(max(similarities, default=0.0))
        earlier.append(index)
    same_course_flagged = sum(1 for a, b in flagged_pairs if documents[a].course == documents[b].course)
    print(f"reference for the originals done ({time.perf_counter() - started:.0f} s)")

    disguises = _disguises(courses)
    chosen = random.Random(args.seed + 1).sample(range(len(documents)), min(args.copies, len(documents)))
    recall: dict[str, Any] = {}
    recall_exact: dict[str, Any] = {}
    found_total = exact_found_total = copies_total = 0
    for kind, disguise in disguises.items():
        kind_rng = random.Random(f"{args.seed}-{kind}")
        found = exact_found = other_matches = refused = 0
        copy_similarities: list[float] = []
        errors: list[float] = []
        for index in chosen:
            copy = disguise(kind_rng, documents[index], styles[index], texts[index])
            version = platform.upload(copy)
            verdict, matches, elapsed = platform.check(version, keep=False)
            check_times.append(elapsed)
            found += version_of[index] in matches
            refused += verdict == "exact"
            other_matches += any(pk != version_of[index] for pk in matches)
            similarity = _jaccard(shingle_sets[index], _shingle_set(copy))
            copy_similarities.append(similarity)
            exact_found += similarity >= threshold
            if version_of[index] in matches:
                errors.append(abs(_estimate(version, version_of[index]) - similarity))
        copies_total += len(chosen)
        found_total += found
        exact_found_total += exact_found
        recall[kind] = {
            "copies": len(chosen),
            "found": found,
            "recall": _rate(found, len(chosen)),
            "refused_as_exact_copies": refused,
            "copies_also_matching_another_document": other_matches,
        }
        recall_exact[kind] = {
            "found": exact_found,
            "recall": _rate(exact_found, len(chosen)),
            "jaccard_min": round(min(copy_similarities), 3),
            "jaccard_p5": round(_quantile(copy_similarities, 0.05), 3),
            "jaccard_median": round(statistics.median(copy_similarities), 3),
            "estimate_error_median": round(statistics.median(errors), 3) if errors else None,
        }
        print(
            f"{kind}: recall {recall[kind]['recall']:.3f} "
            f"(exact Jaccard: {recall_exact[kind]['recall']:.3f}, "
            f"median J {recall_exact[kind]['jaccard_median']}) ({time.perf_counter() - started:.0f} s)"
        )

    samples = [
        (5, texts[_by_pages(texts, 5)]),
        (30, texts[_by_pages(texts, 30)]),
        (60, texts[_by_pages(texts, 60)]),
    ]
    timing, timing_reference, timing_ratio = _timing(samples, args.repeat)
    bands = originality.band_ranges(threshold)
    overall_recall = _rate(found_total, copies_total)
    false_positive_uploads = _rate(flagged_uploads, len(documents))
    figures = {
        "algorithm": {
            "shingle_words": originality.SHINGLE_WORDS,
            "num_perm": originality.NUM_PERM,
            "bands": len(bands),
            "rows_per_band": bands[0][1] - bands[0][0],
            "near_duplicate_threshold": threshold,
            "score": "MinHash estimate of the Jaccard similarity of the word-shingle sets",
        },
        "corpus": {
            "seed": args.seed,
            "documents": len(documents),
            "courses": args.courses,
            "pages": sum(len(t) for t in texts),
            "words": sum(len(s) for pages in documents for p in pages.pages for s in p),
            "copies": copies_total,
            "path": "originality_check on DocumentVersion rows (SQLite), in upload order",
        },
        "recall": {
            **recall,
            "overall": {"copies": copies_total, "found": found_total, "recall": overall_recall},
        },
        "false_positives": {
            "uploads": len(documents),
            "uploads_held": flagged_uploads,
            "per_upload": false_positive_uploads,
            "same_course_pairs": pairs,
            "same_course_pairs_matched": same_course_flagged,
            "per_same_course_pair": _rate(same_course_flagged, pairs),
            "other_course_pairs_matched": len(flagged_pairs) - same_course_flagged,
        },
        "band_candidates_per_upload": {
            "median": statistics.median(candidates),
            "p99": _quantile(candidates, 0.99),
            "max": max(candidates),
            "note": "earlier versions sharing a band, compared by signature; the rest are never read",
        },
        "check_seconds": {
            "median": statistics.median(check_times),
            "p95": _quantile(check_times, 0.95),
            "note": "one originality_check, database queries and writes included",
        },
        "fingerprint_seconds_per_document": timing,
        "run_seconds": round(time.perf_counter() - started, 1),
        # The machine is shared: the times above are only as good as the load around them.
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    reference = {
        "exact_jaccard": {
            "note": "brute force on the same pairs: exact Jaccard of the shingle sets, no MinHash, no bands",
            "recall": {
                **recall_exact,
                "overall": {"found": exact_found_total, "recall": _rate(exact_found_total, copies_total)},
            },
            "false_positives": {
                "per_upload": _rate(exact_uploads, len(documents)),
                "same_course_pairs_matched": exact_pairs,
                "per_same_course_pair": _rate(exact_pairs, pairs),
                "closest_earlier_same_course_jaccard_p99": round(_quantile(distinct_max, 0.99), 3),
                "closest_earlier_same_course_jaccard_max": round(max(distinct_max), 3),
            },
        },
        "plain_hash_seconds_per_document": timing_reference,
    }
    ratio = {
        "recall_over_exact_jaccard": round(
            overall_recall / max(_rate(exact_found_total, copies_total), 1e-9), 3
        ),
        "fingerprint_over_plain_hash": timing_ratio,
    }
    goal = {
        "recall_at_least": RECALL_GOAL,
        "false_positives_per_upload_at_most": FALSE_POSITIVE_GOAL,
        "met": overall_recall >= RECALL_GOAL
        and all(r["recall"] >= RECALL_GOAL for r in recall.values())
        and false_positive_uploads <= FALSE_POSITIVE_GOAL,
        "note": "recall of every kind of copy and overall; false positives per upload of a distinct document",
    }
    path = write("originality", figures=figures, reference=reference, ratio=ratio, goal=goal)
    print(
        f"recall {overall_recall:.3f}, false positives per upload {false_positive_uploads:.4f}; wrote {path}"
    )


def _candidates(version: Any) -> int:
    """How many other versions share a band with this one (the same lookup as the check's)."""
    from studymarket.documents.originality import band_candidates

    digests = list(version.fingerprint_bands.order_by("band").values_list("digest", flat=True))
    return sum(1 for pk in band_candidates(digests) if pk != version.pk) if digests else 0


def _estimate(version: Any, earlier_pk: int) -> float:
    return float(version.originality_matches.get(earlier_version_id=earlier_pk).similarity)


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _by_pages(texts: list[list[str]], pages: int) -> int:
    return min(range(len(texts)), key=lambda i: abs(len(texts[i]) - pages))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="bench-originality-") as scratch:
        main(scratch)
