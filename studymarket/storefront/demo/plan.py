"""What the demo derives from its specs: descriptions, document structure, dates and sales.

Derived with ``random.Random`` seeded by each listing's slug, so every run plans the same
thing; dates of sales and reviews are relative to the moment of loading, so a fresh
database always has recent sales ("sold in the last 30 days").

The dates tell one story: an account is made before its first upload or purchase, a file is
uploaded minutes before its listing is published ("Geüpload op"), a sale follows the
publication and a review its sale, and all of it lies before the moment of loading.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from studymarket.catalog.models import DocumentType
from studymarket.storefront.demo.courses import BOOKS, COURSES, INSTITUTIONS, CourseSpec
from studymarket.storefront.demo.listings import AMSTERDAM, ListingSpec, demo_listings, reference_listing
from studymarket.storefront.demo.pdf import DemoPdf, Heading
from studymarket.storefront.demo.people import (
    BUYERS,
    CROWD_BUYERS,
    REFERENCE_REVIEWER,
    REGULAR_BUYERS,
    SELLERS,
    STAFF,
    STAFF_JOINED_AT,
)
from studymarket.storefront.demo.writing import heading_keywords

_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        DocumentType.SUMMARY: "Samenvatting",
        DocumentType.LECTURE_NOTES: "College-aantekeningen",
        DocumentType.EXAM: "Uitwerkingen van oude tentamens",
        DocumentType.EXAM_PREP: "Examenvoorbereiding",
        DocumentType.ASSIGNMENT: "Uitgewerkte opdracht",
        DocumentType.OTHER: "Overzicht",
    },
    "en": {
        DocumentType.SUMMARY: "Summary",
        DocumentType.LECTURE_NOTES: "Lecture notes",
        DocumentType.EXAM: "Past exams with answers",
        DocumentType.EXAM_PREP: "Exam preparation",
        DocumentType.ASSIGNMENT: "Worked assignment",
        DocumentType.OTHER: "Overview",
    },
}
_CHAPTER_WORD: dict[str, dict[str, str]] = {
    "nl": {DocumentType.SUMMARY: "Hoofdstuk", DocumentType.LECTURE_NOTES: "Week"},
    "en": {DocumentType.SUMMARY: "Chapter", DocumentType.LECTURE_NOTES: "Week"},
}
_SUBSECTIONS = {
    "nl": {
        "study": (
            "Begrippen en definities",
            "Theorie en modellen",
            "Voorbeelden uit de les",
            "Kernpunten op een rij",
        ),
        "exam": ("Oefenvragen", "Uitwerkingen", "Veelgemaakte fouten", "Tips voor het examen"),
        "work": ("De opdracht", "Aanpak", "Uitwerking", "Reflectie"),
    },
    "en": {
        "study": ("Key concepts and definitions", "Theory and models", "Examples from class", "Key points"),
        "exam": ("Practice questions", "Worked answers", "Common mistakes", "Exam tips"),
        "work": ("The assignment", "Approach", "Elaboration", "Reflection"),
    },
}
_KIND: dict[str, str] = {
    DocumentType.EXAM: "exam",
    DocumentType.EXAM_PREP: "exam",
    DocumentType.ASSIGNMENT: "work",
}

_REVIEWS = {
    "nl": {
        5: (
            "Heel duidelijke samenvatting, alles wat je voor het examen nodig hebt.",
            "Super overzichtelijk en goed gestructureerd. Een aanrader!",
            "Dankzij deze notities ben ik in één keer geslaagd.",
            "Compleet en helder geschreven, met goede voorbeelden.",
        ),
        4: (
            "Goede samenvatting, alleen hier en daar wat kort.",
            "Handig overzicht van de stof; de voorbeelden hielpen me echt.",
            "Duidelijk, al mist er een paar details uit de laatste colleges.",
        ),
        3: (
            "Bruikbaar als aanvulling, maar niet volledig.",
            "Redelijk; sommige hoofdstukken zijn erg beknopt.",
        ),
        2: (
            "Te beknopt voor de prijs, ik miste veel uitleg.",
            "Niet wat ik verwachtte: een groot deel van de stof ontbreekt.",
        ),
    },
    "en": {
        5: (
            "Very clear, everything you need for the exam.",
            "Well structured and easy to revise from. Recommended!",
            "Thanks to these notes I passed at the first attempt.",
        ),
        4: ("Good summary, a bit short in places.", "Useful overview; the examples really helped."),
        3: ("Useful as an extra, but not complete.", "Fair, some chapters are very brief."),
        2: ("Too brief for the price.", "Not what I expected, a lot of the material is missing."),
    },
}
# The reference review's star value is not shown by the source page; five stars is our choice.
_REFERENCE_REVIEW = (
    5,
    "Heel duidelijke samenvatting: alle hoofdstukken staan erin, aangevuld met wat de docent in de les "
    "vertelde. Daardoor kon ik gericht studeren voor het examen.",
)
_REFERENCE_SALES = (
    ("demo-buyer-1", datetime(2021, 9, 14, 19, 42, tzinfo=AMSTERDAM)),
    ("demo-buyer-2", datetime(2021, 12, 20, 10, 5, tzinfo=AMSTERDAM)),
    (REFERENCE_REVIEWER.key, datetime(2022, 5, 30, 21, 17, tzinfo=AMSTERDAM)),
)


@dataclass(frozen=True)
class ReviewSpec:
    rating: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class SaleSpec:
    listing: ListingSpec
    buyer: str  # key in people.BUYERS
    paid_at: datetime
    review: ReviewSpec | None


def listing_language(spec: ListingSpec) -> str:
    return spec.language or COURSES[spec.course].language


def _lower_first(text: str) -> str:
    # "De Grondwet" reads "de Grondwet" mid-sentence; "SQL: selecteren" stays as it is.
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def listing_description(spec: ListingSpec) -> str:
    if spec.description:
        return spec.description
    course = COURSES[spec.course]
    language = listing_language(spec)
    code = f" ({course.code})" if course.code else ""
    topics = [_lower_first(topic) for topic in course.topics[:3]]
    label = _LABELS[language][spec.document_type]
    book = BOOKS[spec.book] if spec.book else None
    if language == "nl":
        year_word = "academiejaar" if INSTITUTIONS[course.institution].country == "BE" else "studiejaar"
        text = (
            f"{label} van {course.name}{code} aan {course.institution} ({course.programme}), {year_word} "
            f"{spec.academic_year}. Behandelt onder meer {topics[0]}, {topics[1]} en {topics[2]}."
        )
        if book:
            text += f" Gebaseerd op het boek '{book.title}' van {book.authors} ({book.edition})."
        if spec.whole_book_summarized:
            text += " Alle hoofdstukken van het boek zijn samengevat."
        return text
    text = (
        f"{label} for {course.name}{code} at {course.institution} ({course.programme}), academic year "
        f"{spec.academic_year}. Covers {topics[0]}, {topics[1]} and {topics[2]}."
    )
    if book:
        text += f" Based on the textbook '{book.title}' by {book.authors} ({book.edition})."
    if spec.whole_book_summarized:
        text += " Every chapter of the book is covered."
    return text


def listing_headings(spec: ListingSpec) -> tuple[Heading, ...]:
    """The reference listing's given table of contents, or one built from the course's topics
    and scaled to the page count (a 3-page document gets two headings, a 60-page one thirty)."""
    if spec.headings:
        return spec.headings
    course = COURSES[spec.course]
    language = listing_language(spec)
    body_pages = spec.page_count - 1 - (1 if spec.page_count >= 8 else 0)
    chapters = min(len(course.topics), max(1, body_pages // 2))
    subsections = min(4, max(0, body_pages // chapters - 1))
    word = _CHAPTER_WORD[language].get(spec.document_type, "Deel" if language == "nl" else "Part")
    names = _SUBSECTIONS[language][_KIND.get(spec.document_type, "study")]
    headings = []
    for i, topic in enumerate(course.topics[:chapters], start=1):
        keywords = tuple(heading_keywords(topic)) or (topic.lower(),)
        headings.append(Heading(title=f"{word} {i}: {topic}", level=1, keywords=keywords))
        headings.extend(
            Heading(title=f"{i}.{j} {name}", level=2, keywords=keywords)
            for j, name in enumerate(names[:subsections], start=1)
        )
    return tuple(headings)


def _cover_lines(spec: ListingSpec, course: CourseSpec) -> tuple[str, ...]:
    language = listing_language(spec)
    nl = language == "nl"
    belgian = INSTITUTIONS[course.institution].country == "BE"
    year_word = ("Academiejaar" if belgian else "Studiejaar") if nl else "Academic year"
    lines = [
        _LABELS[language][spec.document_type],
        f"{course.name} ({course.code})" if course.code else course.name,
        f"{course.institution} · {course.programme}",
        f"{year_word} {spec.academic_year}",
    ]
    if spec.book:
        book = BOOKS[spec.book]
        lines.append(f"{'Bij het boek' if nl else 'Textbook'}: {book.title} – {book.authors}, {book.edition}")
    lines.append(f"{'Door' if nl else 'By'} {SELLERS[spec.seller].display_name}")
    return tuple(lines)


def listing_pdf(spec: ListingSpec) -> DemoPdf:
    course = COURSES[spec.course]
    return DemoPdf(
        title=spec.title,
        cover_lines=_cover_lines(spec, course),
        author=SELLERS[spec.seller].display_name,
        language=listing_language(spec),
        page_count=spec.page_count,
        headings=listing_headings(spec),
        terms=course.terms,
        seed=spec.slug,
    )


def listing_published_at(spec: ListingSpec, *, now: datetime) -> datetime:
    if spec.published_at:
        return spec.published_at
    rng = random.Random(f"{spec.slug}:published")
    first_year = int(spec.academic_year[:4])
    moment = datetime(first_year, 9, 15, 9, tzinfo=AMSTERDAM) + timedelta(
        days=rng.randint(0, 260), minutes=rng.randint(0, 12 * 60)
    )
    # This year's documents may not have been "uploaded" yet at load time: keep them in the past.
    return min(moment, now - timedelta(days=2, minutes=rng.randint(0, 48 * 60)))


def listing_view_count(spec: ListingSpec, *, sales: int) -> int:
    if spec.view_count is not None:
        return spec.view_count
    rng = random.Random(f"{spec.slug}:views")
    return rng.randint(12, 60) + sales * rng.randint(8, 25)


def demo_sales(*, now: datetime) -> list[SaleSpec]:
    """Every demo purchase, oldest first."""
    reference = reference_listing()
    rating, text = _REFERENCE_REVIEW
    sales = [
        SaleSpec(
            listing=reference,
            buyer=buyer,
            paid_at=paid_at,
            # About two years and two months ago: shown as "2 jaar geleden", as on the source page.
            review=ReviewSpec(rating, text, now - timedelta(days=2 * 365 + 61))
            if buyer == REFERENCE_REVIEWER.key
            else None,
        )
        for buyer, paid_at in _REFERENCE_SALES
    ]
    buyers = [spec.key for spec in REGULAR_BUYERS if spec.key != REFERENCE_REVIEWER.key]
    for spec in demo_listings()[1:]:
        sales.extend(_listing_sales(spec, buyers=buyers, now=now))
        sales.extend(_crowd_sales(spec, now=now))
    return sorted(sales, key=lambda sale: sale.paid_at)


def _listing_sales(spec: ListingSpec, *, buyers: list[str], now: datetime) -> list[SaleSpec]:
    rng = random.Random(f"{spec.slug}:sales")
    published_at = listing_published_at(spec, now=now)
    language = listing_language(spec)
    latest = now - timedelta(hours=1)
    sales = []
    for buyer in rng.sample(buyers, rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8))):
        # About a third of the sales fall in the last month, so the platform looks alive.
        recent = rng.random() < 0.35 and published_at < now - timedelta(days=31)
        earliest = now - timedelta(days=29) if recent else published_at + timedelta(hours=6)
        paid_at = earliest + (latest - earliest) * rng.random()
        review = None
        if rng.random() < 0.55:
            stars = rng.choices((5, 4, 3, 2), weights=(5, 4, 2, 1))[0]
            written = min(paid_at + timedelta(days=rng.randint(1, 21), minutes=rng.randint(0, 600)), latest)
            review = ReviewSpec(stars, rng.choice(_REVIEWS[language][stars]), written)
        sales.append(SaleSpec(listing=spec, buyer=buyer, paid_at=paid_at, review=review))
    return sales


# The share of the crowd (people.CROWD_BUYERS) that bought each listing of a seller: what lifts
# EconEmre to Goud (1,000 points) and JurJoris to Zilver (100), while NotesByNoah and MedMila
# stay Brons and the others have no tier yet (settings.REPUTATION_TIERS; tests/storefront).
SELLER_CROWD_SHARE = {"demo-emre": 0.68, "demo-joris": 0.08}
_CROWD_REVIEW_CHANCE = 0.97


def _crowd_sales(spec: ListingSpec, *, now: datetime) -> list[SaleSpec]:
    share = SELLER_CROWD_SHARE.get(spec.seller, 0.0)
    if not share:
        return []
    rng = random.Random(f"{spec.slug}:crowd")
    published_at = listing_published_at(spec, now=now)
    language = listing_language(spec)
    latest = now - timedelta(hours=1)
    sales = []
    for buyer in CROWD_BUYERS:
        if rng.random() >= share:
            continue
        earliest = published_at + timedelta(hours=6)
        paid_at = earliest + (latest - earliest) * rng.random()
        review = None
        if rng.random() < _CROWD_REVIEW_CHANCE:
            stars = rng.choices((5, 4, 3, 2), weights=(8, 4, 0.4, 0.1))[0]
            written = min(paid_at + timedelta(days=rng.randint(1, 21), minutes=rng.randint(0, 600)), latest)
            review = ReviewSpec(stars, rng.choice(_REVIEWS[language][stars]), written)
        sales.append(SaleSpec(listing=spec, buyer=buyer.key, paid_at=paid_at, review=review))
    return sales


def listing_uploaded_at(spec: ListingSpec, *, now: datetime) -> datetime:
    """When the seller uploaded the file: minutes before the listing was published (the
    processing), on the same day. The document, its version and the seller's version list
    show this moment; the listing page shows the publication ("Geüpload op")."""
    rng = random.Random(f"{spec.slug}:uploaded")
    processing = timedelta(minutes=rng.randint(2, 9), seconds=rng.randint(0, 59))
    return listing_published_at(spec, now=now) - processing


def people_joined_at(*, now: datetime, sales: list[SaleSpec]) -> dict[str, datetime]:
    """When each demo account was made: a seller some weeks before their first upload, a buyer
    some days before their first purchase ("Lid sinds")."""
    first: dict[str, datetime] = {}
    for spec in demo_listings():
        uploaded = listing_uploaded_at(spec, now=now)
        first[spec.seller] = min(first.get(spec.seller, uploaded), uploaded)
    for sale in sales:
        first[sale.buyer] = min(first.get(sale.buyer, sale.paid_at), sale.paid_at)
    joined = {}
    for key, moment in first.items():
        rng = random.Random(f"{key}:joined")
        before = timedelta(days=rng.randint(14, 90)) if key in SELLERS else timedelta(days=rng.randint(1, 30))
        joined[key] = moment - before - timedelta(minutes=rng.randint(0, 12 * 60))
    joined.update(dict.fromkeys(STAFF, STAFF_JOINED_AT))
    # Nobody without an upload or a purchase today, but an account never joins after the load.
    for key in (*SELLERS, *BUYERS):
        joined.setdefault(key, now - timedelta(days=30))
    return joined
