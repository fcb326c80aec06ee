"""The synthetic corpus and queries of bench/search.py: deterministic, seeded, streamed.

Words follow a Zipf law (s = 1.0) over a 50,000-term vocabulary, as in the search study in
../shared/research/performance.md §4.1: ranks 1-30 are Dutch/English stop words, then come real
Dutch/English study words (many with diacritics: coëfficiënt, privé, België …), then pronounceable
pseudo-words. So a query can pick rare (rank 5,000-40,000), medium (300-2,000) and common
(31-120) words and get predictable document frequencies.

Two corpora:
- listings: title (a head word and 4-6 topic words), course (name and code), institution,
  programme, book, table of contents and preview text, about 2 KB of text per listing;
- documents: listings whose 100 pages each hold about 1.8 KB of text (search inside documents).

Both are generated in batches (plain dicts with the fields of search's IndexDoc), so that a
million listings never sit in memory at once. Numpy does the sampling: a million listings take
about a minute to generate on one core.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

VOCABULARY_SIZE = 50_000
SEED = 20260
STOP_WORDS = (
    "de het een en van in is op te dat die voor met zijn niet aan er om ook als "
    "the of and to a for with on are by"
).split()
STUDY_WORDS = (
    "hoofdstuk samenvatting definitie begrip theorie model analyse onderzoek methode resultaat "
    "markt klant waarde strategie management marketing economie recht bedrijf organisatie "
    "statistiek kansrekening regressie variabele hypothese steekproef populatie gemiddelde "
    "coëfficiënt privé één België Curaçao geïnteresseerd geüpdatet financiën café reïntegratie "
    "ideeën zeeën beïnvloeding efficiëntie patiënt cliënt ingrediënt Köln Zürich naïef "
    "accountancy boekhouding balans winst verlies kosten omzet begroting investering rente "
    "psychologie sociologie filosofie geschiedenis biologie scheikunde natuurkunde wiskunde "
    "anatomie fysiologie farmacologie pathologie neurologie immunologie genetica ecologie "
    "contract aansprakelijkheid eigendom verbintenis overeenkomst wetboek rechtspraak grondwet "
    "chapter summary definition concept theory analysis research method result market customer "
    "value strategy organisation statistics probability regression variable hypothesis sample "
    "population mean variance distribution inference estimation significance correlation "
    "leadership communication negotiation procurement logistics supply chain inventory "
    "accounting balance profit loss costs revenue budget investment interest finance "
    "psychology sociology philosophy history biology chemistry physics mathematics "
    "algebra calculus integraal afgeleide matrix vector eigenwaarde differentiaalvergelijking "
    "programmeren algoritme datastructuur database netwerk beveiliging besturingssysteem "
    "compiler objectgeoriënteerd recursie complexiteit sortering zoekboom graaf "
    "Kraljic portfolio leverancier inkoop accountmanager sleutelklant relatiebeheer "
    "verkoopgesprek onderhandeling klantwaarde segmentatie positionering merk reclame "
    "consument gedrag motivatie perceptie attitude leerproces geheugen emotie persoonlijkheid "
    "ontwikkeling opvoeding onderwijs didactiek pedagogiek leerling docent curriculum "
    "toetsing beoordeling feedback reflectie competentie vaardigheid kennis "
    "verpleegkunde zorg gezondheid preventie diagnose behandeling therapie medicatie "
    "epidemiologie volksgezondheid voeding beweging revalidatie "
    "europese unie verdrag richtlijn verordening parlement commissie raad hof "
    "macro micro inflatie werkloosheid groei conjunctuur monetair fiscaal begrotingstekort "
    "vraag aanbod elasticiteit evenwicht monopolie oligopolie concurrentie prijsvorming"
).split()
HEADS = (
    "Samenvatting",
    "Summary",
    "Uitwerkingen",
    "Aantekeningen",
    "College-aantekeningen",
    "Oefententamen",
    "Lecture notes",
    "Tentamenbundel",
)
INSTITUTIONS = (
    "Odisee",
    "KU Leuven",
    "Universiteit Gent",
    "Universiteit Antwerpen",
    "Vrije Universiteit Brussel",
    "Universiteit van Amsterdam",
    "Vrije Universiteit Amsterdam",
    "Universiteit Utrecht",
    "Rijksuniversiteit Groningen",
    "Universiteit Leiden",
    "Erasmus Universiteit Rotterdam",
    "Radboud Universiteit",
    "Tilburg University",
    "Maastricht University",
    "Technische Universiteit Delft",
    "Technische Universiteit Eindhoven",
    "Universiteit Twente",
    "Wageningen University",
    "Hogeschool Utrecht",
    "Hogeschool van Amsterdam",
    "Hogeschool Rotterdam",
    "Fontys Hogescholen",
    "Hanzehogeschool Groningen",
    "Avans Hogeschool",
    "Saxion",
    "Hogeschool Gent",
    "Arteveldehogeschool",
    "Thomas More",
    "AP Hogeschool",
    "Hogeschool PXL",
    "UCLL",
    "Howest",
    "VIVES",
    "Karel de Grote Hogeschool",
    "Erasmushogeschool Brussel",
    "Hogeschool Leiden",
    "Haagse Hogeschool",
    "Windesheim",
    "NHL Stenden",
    "Zuyd Hogeschool",
)
DOCUMENT_TYPES = ("summary", "lecture_notes", "exam", "exam_prep", "assignment", "other")
DOCUMENT_TYPE_WEIGHTS = (0.5, 0.2, 0.1, 0.1, 0.05, 0.05)
ACADEMIC_YEARS = tuple(f"{year}/{year + 1}" for year in range(2016, 2026))
LANGUAGES = ("nl", "en")
LANGUAGE_WEIGHTS = (0.7, 0.3)
COURSES = 2_000
PAGES_PER_DOCUMENT = 100

_ONSETS = "b d f g h k l m n p r s t v w z br dr gr kr pr tr st sl sp sch bl kl fl vr".split()
_VOWELS = "a e i o u aa ee oo ie oe ei ui au ij eu".split()
_CODAS = ("", "", "n", "r", "l", "s", "t", "k", "m", "nd", "rt", "ng", "st", "cht", "ns")


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def vocabulary(size: int = VOCABULARY_SIZE, *, seed: int = SEED) -> list[str]:
    """The words by rank (index 0 is rank 1): stop words, study words, then pseudo-words."""
    words: list[str] = []
    seen: set[str] = set()
    for word in [*STOP_WORDS, *STUDY_WORDS]:
        if word.lower() not in seen:
            seen.add(word.lower())
            words.append(word)
    rng = np.random.default_rng(seed)
    while len(words) < size:
        syllables = int(rng.integers(2, 5))
        word = "".join(
            _ONSETS[int(rng.integers(len(_ONSETS)))]
            + _VOWELS[int(rng.integers(len(_VOWELS)))]
            + _CODAS[int(rng.integers(len(_CODAS)))]
            for _ in range(syllables)
        )
        if word not in seen and 4 <= len(word) <= 16:
            seen.add(word)
            words.append(word)
    return words


@dataclass(frozen=True)
class Course:
    course_id: int
    name: str
    code: str
    institution_name: str
    institution_slug: str
    programme: str
    book_title: str
    isbn: str


@dataclass(frozen=True)
class Query:
    """One benchmark query: 1-3 words, maybe one facet filter (SearchQuery field and value)."""

    kind: str
    words: tuple[str, ...]
    facet: tuple[str, Any] | None = None

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "facet": list(self.facet) if self.facet else None}


def _isbn13(number: int) -> str:
    digits = f"978{number:09d}"
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    return digits + str(check)


class Corpus:
    """Seeded generator of listings, documents and queries over one vocabulary."""

    def __init__(self, *, seed: int = SEED) -> None:
        self.seed = seed
        self.words = np.array(vocabulary(seed=seed), dtype=object)
        ranks = np.arange(1, len(self.words) + 1, dtype=np.float64)
        weights = 1.0 / ranks
        self._cumulative = np.cumsum(weights) / weights.sum()
        # Topic words (titles, courses, headings) skip the stop words.
        topic = weights.copy()
        topic[: len(STOP_WORDS)] = 0.0
        self._topic_cumulative = np.cumsum(topic) / topic.sum()
        self.courses = self._courses()

    # -- sampling -------------------------------------------------------------------------
    def _ranks(self, rng: np.random.Generator, count: int, *, topic: bool = False) -> np.ndarray:
        cumulative = self._topic_cumulative if topic else self._cumulative
        found = np.searchsorted(cumulative, rng.random(count), side="right")
        return np.minimum(found, len(self.words) - 1)

    def _text(self, rng: np.random.Generator, count: int) -> str:
        return " ".join(self.words[self._ranks(rng, count)])

    def _courses(self) -> list[Course]:
        rng = np.random.default_rng(self.seed + 1)
        courses = []
        letters = "ABCDEFGHIKLMNPRSTUVW"
        for index in range(COURSES):
            name_words = self.words[self._ranks(rng, int(rng.integers(2, 4)), topic=True)]
            name = " ".join(str(w).capitalize() for w in name_words)
            institution = INSTITUTIONS[index % len(INSTITUTIONS)]
            prefix = "".join(letters[int(i)] for i in rng.integers(len(letters), size=3))
            book = " ".join(str(w) for w in self.words[self._ranks(rng, 3, topic=True)])
            courses.append(
                Course(
                    course_id=index + 1,
                    name=name,
                    code=f"{prefix}{1000 + index}",
                    institution_name=institution,
                    institution_slug=_slug(institution),
                    programme=f"Bachelor {str(name_words[0]).capitalize()}",
                    book_title=book.capitalize(),
                    isbn=_isbn13(100_000 + index),
                )
            )
        return courses

    def _common_fields(self, rng: np.random.Generator, listing_id: int) -> dict[str, Any]:
        course = self.courses[int(rng.integers(len(self.courses)))]
        title_words = self.words[self._ranks(rng, int(rng.integers(4, 7)), topic=True)]
        head = HEADS[int(rng.integers(len(HEADS)))]
        with_book = rng.random() < 0.4
        reviews = int(rng.integers(0, 12)) if rng.random() < 0.5 else 0
        return {
            "listing_id": listing_id,
            "title": f"{head} {course.name} " + " ".join(str(w) for w in title_words),
            "course_name": course.name,
            "course_code": course.code,
            "institution_name": course.institution_name,
            "institution_slug": course.institution_slug,
            "programme": course.programme,
            "course_id": course.course_id,
            "book_titles": [course.book_title] if with_book else [],
            "isbns": [course.isbn] if with_book else [],
            "document_type": DOCUMENT_TYPES[int(rng.choice(len(DOCUMENT_TYPES), p=DOCUMENT_TYPE_WEIGHTS))],
            "academic_year": ACADEMIC_YEARS[int(rng.integers(len(ACADEMIC_YEARS)))],
            "language": LANGUAGES[int(rng.choice(2, p=LANGUAGE_WEIGHTS))],
            "price_cents": int(rng.integers(199, 2000)),
            "published_at": datetime(2020, 1, 1, tzinfo=UTC)
            + timedelta(minutes=int(rng.integers(0, 3_000_000))),
            "rating_avg": round(float(rng.uniform(2.5, 5.0)), 2) if reviews else 0.0,
            "review_count": reviews,
            "sold_count": int(rng.zipf(1.8)) - 1,
        }

    def _toc(self, rng: np.random.Generator, chapters: int) -> list[str]:
        lines = []
        for chapter in range(1, chapters + 1):
            words = self.words[self._ranks(rng, int(rng.integers(2, 5)), topic=True)]
            lines.append(f"{chapter} " + " ".join(str(w) for w in words).capitalize())
        return lines

    # -- the corpora ----------------------------------------------------------------------
    def listings(
        self, count: int, *, batch: int = 10_000, first_id: int = 1
    ) -> Iterator[list[dict[str, Any]]]:
        """``count`` listings of about 2 KB of text each, in batches. The preview text is the
        listing's description (the first pages as the seller shows them); no page documents."""
        for start in range(0, count, batch):
            rng = np.random.default_rng([self.seed, 2, start])
            docs = []
            for offset in range(min(batch, count - start)):
                doc = self._common_fields(rng, first_id + start + offset)
                doc["toc"] = self._toc(rng, int(rng.integers(6, 13)))
                doc["description"] = self._text(rng, int(rng.integers(165, 215)))
                doc["preview_page_count"] = 1
                doc["pages"] = []
                docs.append(doc)
            yield docs

    def documents(
        self, count: int, *, pages: int = PAGES_PER_DOCUMENT, batch: int = 200, first_id: int = 1
    ) -> Iterator[list[dict[str, Any]]]:
        """``count`` listings with ``pages`` pages of about 1.8 KB of text each, in batches;
        the first 4 pages are the preview (the rule for documents over 30 pages)."""
        for start in range(0, count, batch):
            rng = np.random.default_rng([self.seed, 3, start])
            docs = []
            for offset in range(min(batch, count - start)):
                doc = self._common_fields(rng, first_id + start + offset)
                doc["toc"] = self._toc(rng, int(rng.integers(6, 13)))
                doc["description"] = self._text(rng, 40)
                doc["preview_page_count"] = 4 if pages > 30 else 1
                lengths = rng.integers(190, 235, size=pages)
                words = self.words[self._ranks(rng, int(lengths.sum()))]
                bounds = np.concatenate(([0], np.cumsum(lengths)))
                doc["pages"] = [" ".join(words[bounds[i] : bounds[i + 1]]) for i in range(pages)]
                docs.append(doc)
            yield docs

    def queries(self, count: int = 200, *, corpus: str = "listings") -> list[Query]:
        """``count`` queries of 1-3 words in seven classes (rare, medium, common, two, three,
        two_mixed, two_common; see the module docstring for the ranks), every fourth with a facet
        filter (document type, language, institution, academic year or price range)."""
        rng = np.random.default_rng([self.seed, 4, 1 if corpus == "documents" else 0])
        kinds = {
            "rare1": ((5_000, 40_000),),
            "medium1": ((300, 2_000),),
            "common1": ((31, 120),),
            "two": ((100, 5_000), (100, 5_000)),
            "three": ((50, 3_000), (50, 3_000), (50, 3_000)),
            "two_mixed": ((31, 120), (300, 2_000)),
            "two_common": ((31, 120), (31, 120)),
        }
        facets = itertools.cycle(
            [
                ("document_type", "summary"),
                ("language", "en"),
                ("institution", INSTITUTIONS_SLUGS[1]),
                ("academic_year", "2023/2024"),
                ("price_max_cents", 800),
            ]
        )
        queries = []
        names = list(kinds)
        for index in range(count):
            kind = names[index % len(names)]
            words = []
            for low, high in kinds[kind]:
                while True:
                    word = str(self.words[int(rng.integers(low, high)) - 1])
                    if word not in words:
                        words.append(word)
                        break
            facet = next(facets) if index % 4 == 3 else None
            queries.append(Query(kind=kind, words=tuple(words), facet=facet))
        return queries


INSTITUTIONS_SLUGS = tuple(_slug(name) for name in INSTITUTIONS)
