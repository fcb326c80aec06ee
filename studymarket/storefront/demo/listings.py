"""The demo's listings: the reference listing, taken fact for fact from
reference-listing.json, and 55 more written for the demo."""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.text import slugify

from studymarket.catalog.models import DocumentType
from studymarket.storefront.demo.pdf import Heading
from studymarket.storefront.demo.people import REFERENCE_SELLER
from studymarket.storefront.demo.writing import heading_keywords

REFERENCE_JSON = Path(__file__).with_name("reference-listing.json")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class ListingSpec:
    course: str  # key in courses.COURSES
    seller: str  # key in people.SELLERS
    title: str
    document_type: str
    academic_year: str
    page_count: int
    price_cents: int
    language: str = ""  # empty: the course's language
    book: str | None = None  # key in courses.BOOKS
    whole_book_summarized: bool = False
    # Given for the reference listing; derived for the others (see plan.py).
    description: str = ""
    headings: tuple[Heading, ...] = ()
    preview_page_count: int | None = None
    published_at: datetime | None = None
    view_count: int | None = None

    @property
    def slug(self) -> str:
        """The listing's natural key, with the seller: demo_data finds what it made by it."""
        return slugify(self.title)


@cache
def reference_facts() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))
    return facts


def _outline_level(title: str) -> int:
    # "Hoofdstuk 4: ..." and "Inleiding" open a chapter; "4.2" is level 2, "4.2.1" level 3.
    numbered = re.match(r"(\d+(?:\.\d+)+) ", title)
    return numbered.group(1).count(".") + 1 if numbered else 1


def _document_type(label: str) -> str:
    with translation.override("nl"):
        return next(value for value, name in DocumentType.choices if str(name) == label)


@cache
def reference_listing() -> ListingSpec:
    listing = reference_facts()["listing"]
    return ListingSpec(
        course="account-management",
        seller=REFERENCE_SELLER.key,
        title=listing["title"],
        document_type=_document_type(listing["document_type"]),
        academic_year=listing["academic_year"],
        page_count=listing["page_count"],
        price_cents=listing["price"]["amount_cents"],
        language=listing["language"],
        whole_book_summarized=listing["whole_book_summarized"],
        description=listing["description"],
        headings=tuple(
            Heading(title=title, level=_outline_level(title), keywords=tuple(heading_keywords(title)))
            for title in reference_facts()["table_of_contents"]
        ),
        preview_page_count=listing["preview_page_count"],
        published_at=datetime.combine(date.fromisoformat(listing["uploaded_on"]), time(12), tzinfo=AMSTERDAM),
        view_count=listing["views"],
    )


_S, _L, _E, _P, _A, _O = (
    DocumentType.SUMMARY,
    DocumentType.LECTURE_NOTES,
    DocumentType.EXAM,
    DocumentType.EXAM_PREP,
    DocumentType.ASSIGNMENT,
    DocumentType.OTHER,
)

# course, seller, type, academic year, pages, price in cents, title[, book, whole book summarized, language]
# fmt: off
_ROWS: tuple[tuple[Any, ...], ...] = (
    ("uva-psychologie", "demo-paula", _S, "2023/2024", 58, 899,
     "Samenvatting Inleiding in de psychologie (UvA) – alle hoofdstukken", "psychologie", True),
    ("uva-psychologie", "demo-paula", _L, "2024/2025", 34, 599,
     "College-aantekeningen Inleiding in de psychologie 2024/2025"),
    ("uva-micro", "demo-emre", _S, "2022/2023", 41, 749, "Micro-economie samenvatting UvA", "micro", True),
    ("uva-micro", "demo-emre", _P, "2026/2027", 18, 499, "Micro-economie: oefenvragen met uitwerkingen"),
    ("uva-research-methods", "demo-noah", _S, "2024/2025", 27, 649,
     "Research Methods in Communication Science – Summary"),
    ("uva-research-methods", "demo-noah", _L, "2023/2024", 44, 549,
     "Research Methods lecture notes (all weeks)"),
    ("eur-marketing", "demo-noah", _S, "2023/2024", 52, 999,
     "Marketing Management Summary – Erasmus (IBA)", "marketing", True),
    ("eur-marketing", "demo-emre", _E, "2024/2025", 12, 399, "Marketing Management past exams with answers"),
    ("eur-marketing", "demo-sanne", _S, "2025/2026", 23, 699,
     "Samenvatting Marketing Management EUR (Nederlandstalig)", "marketing", False, "nl"),
    ("eur-financial-accounting", "demo-emre", _S, "2024/2025", 36, 849,
     "Financial Accounting Summary EUR", "accounting", True),
    ("eur-financial-accounting", "demo-emre", _P, "2025/2026", 15, 449,
     "Financial Accounting exam preparation: journal entries practice"),
    ("eur-privaatrecht", "demo-joris", _S, "2023/2024", 47, 899, "Samenvatting Inleiding Privaatrecht EUR"),
    ("eur-privaatrecht", "demo-joris", _L, "2024/2025", 29, 599,
     "Aantekeningen hoorcolleges Inleiding Privaatrecht"),
    ("rug-statistiek", "demo-sanne", _S, "2022/2023", 33, 699,
     "Statistiek 1 samenvatting RUG (met formuleblad)", "statistiek", True),
    ("rug-statistiek", "demo-sanne", _E, "2023/2024", 9, 349, "Statistiek 1 – uitwerkingen oude tentamens"),
    ("rug-organisatiegedrag", "demo-paula", _S, "2024/2025", 25, 599,
     "Organisatiegedrag samenvatting", "organisatie", True),
    ("rug-organisatiegedrag", "demo-sanne", _A, "2023/2024", 11, 399,
     "Groepsopdracht Organisatiegedrag: teamanalyse"),
    ("rug-anatomie", "demo-mila", _S, "2024/2025", 60, 1499,
     "Anatomie van het bewegingsapparaat – complete samenvatting"),
    ("rug-anatomie", "demo-mila", _P, "2025/2026", 21, 699,
     "Anatomie bewegingsapparaat oefententamen met antwoorden"),
    ("uu-staatsrecht", "demo-joris", _S, "2022/2023", 39, 799,
     "Staatsrecht samenvatting UU", "staatsrecht", True),
    ("uu-staatsrecht", "demo-joris", _P, "2024/2025", 14, 499,
     "Staatsrecht: tentamenvoorbereiding en casusvragen"),
    ("uu-strafrecht", "demo-joris", _S, "2023/2024", 43, 849,
     "Samenvatting Strafrecht Utrecht – leerstukken en arresten"),
    ("uu-strafrecht", "demo-joris", _L, "2025/2026", 26, 549, "Strafrecht werkgroepaantekeningen 2025/2026"),
    ("uu-celbiologie", "demo-mila", _S, "2024/2025", 31, 649, "Celbiologie samenvatting (UU)"),
    ("uu-celbiologie", "demo-mila", _L, "2022/2023", 19, 399, "Celbiologie college-aantekeningen"),
    ("um-management", "demo-noah", _S, "2024/2025", 22, 599,
     "Management of Organisations – complete summary"),
    ("um-management", "demo-noah", _O, "2026/2027", 6, 299,
     "Management of Organisations – key concepts cheat sheet"),
    ("um-strategy", "demo-emre", _S, "2023/2024", 38, 799, "Strategy (MAN 3025) summary – all tutorials"),
    ("um-strategy", "demo-noah", _A, "2024/2025", 13, 499, "Strategy case analysis: example report"),
    ("um-eu-law", "demo-joris", _S, "2024/2025", 49, 949,
     "European Union Law summary – cases and principles"),
    ("um-eu-law", "demo-joris", _E, "2023/2024", 10, 399, "EU Law past exam questions with model answers"),
    ("hva-mediatheorie", "demo-sanne", _S, "2023/2024", 17, 499, "Mediatheorie samenvatting HvA"),
    ("hva-mediatheorie", "demo-sanne", _L, "2026/2027", 8, 349, "Mediatheorie – aantekeningen gastcolleges"),
    ("hva-kostprijs", "demo-emre", _S, "2024/2025", 24, 599,
     "Kostprijscalculatie samenvatting met rekenvoorbeelden"),
    ("hva-kostprijs", "demo-emre", _P, "2025/2026", 16, 499,
     "Kostprijscalculatie oefenopgaven met uitwerking"),
    ("kul-economie", "demo-emre", _S, "2022/2023", 55, 1199, "Algemene economie samenvatting KU Leuven"),
    ("kul-economie", "demo-paula", _L, "2024/2025", 28, 599, "Notities Algemene economie (alle lessen)"),
    ("kul-wiskunde", "demo-noah", _P, "2023/2024", 20, 549,
     "Wiskunde I: oefeningen en examenvragen opgelost"),
    ("kul-wiskunde", "demo-noah", _S, "2024/2025", 14, 449,
     "Wiskunde I samenvatting – formules en stellingen"),
    ("kul-grondwettelijk", "demo-joris", _S, "2024/2025", 45, 899,
     "Grondwettelijk recht samenvatting KU Leuven"),
    ("kul-grondwettelijk", "demo-joris", _E, "2022/2023", 7, 299,
     "Grondwettelijk recht – examenvragen met antwoorden"),
    ("ugent-ontwikkeling", "demo-paula", _S, "2023/2024", 37, 749,
     "Ontwikkelingspsychologie samenvatting UGent", "ontwikkeling", True),
    ("ugent-ontwikkeling", "demo-paula", _P, "2025/2026", 12, 449,
     "Ontwikkelingspsychologie: meerkeuzevragen oefenen"),
    ("ugent-biochemie", "demo-mila", _S, "2024/2025", 51, 999,
     "Biochemie samenvatting – alle metabole routes"),
    ("ugent-biochemie", "demo-mila", _L, "2023/2024", 30, 599, "Biochemie lesnotities"),
    ("odisee-marketing", "demo-sanne", _S, "2024/2025", 21, 549, "Marketing samenvatting Odisee"),
    ("odisee-marketing", "demo-sanne", _A, "2026/2027", 5, 299, "Marketingplan opdracht Odisee – voorbeeld"),
    ("odisee-boekhouden", "demo-emre", _S, "2023/2024", 26, 599,
     "Boekhouden samenvatting Odisee – boekingen en btw"),
    ("odisee-boekhouden", "demo-emre", _P, "2024/2025", 11, 399, "Boekhouden oefeningen met oplossingen"),
    ("odisee-anatomie", "demo-mila", _S, "2025/2026", 40, 799,
     "Anatomie en fysiologie samenvatting verpleegkunde"),
    ("odisee-anatomie", "demo-mila", _O, "2024/2025", 4, 299,
     "Anatomie – overzichtsschema's en ezelsbruggetjes"),
    ("tm-onderwijskunde", "demo-paula", _S, "2024/2025", 19, 499, "Onderwijskunde samenvatting Thomas More"),
    ("tm-onderwijskunde", "demo-paula", _A, "2026/2027", 3, 299,
     "Lesvoorbereiding onderwijskunde – uitgewerkt voorbeeld"),
    ("tm-databanken", "demo-noah", _S, "2024/2025", 23, 599,
     "Databanken samenvatting: ERD, normalisatie en SQL"),
    ("tm-databanken", "demo-noah", _P, "2025/2026", 13, 449, "SQL-oefeningen Databanken met oplossingen"),
)
# fmt: on


def _row(row: tuple[Any, ...]) -> ListingSpec:
    course, seller, document_type, year, pages, price, title, *rest = row
    defaults: tuple[Any, ...] = (None, False, "")
    book, whole_book, language = (*rest, *defaults[len(rest) :])
    return ListingSpec(
        course=course,
        seller=seller,
        title=title,
        document_type=document_type,
        academic_year=year,
        page_count=pages,
        price_cents=price,
        language=language,
        book=book,
        whole_book_summarized=whole_book,
    )


@cache
def demo_listings() -> tuple[ListingSpec, ...]:
    """Every demo listing, the reference listing first."""
    return (reference_listing(), *(_row(row) for row in _ROWS))
