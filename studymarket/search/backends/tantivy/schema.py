"""The tantivy index's schema and the small query helpers every part of the backend uses.

One index holds two kinds of documents: a listing document per listing (its words, facets
as fast fields, sort keys) and a page document per page (``kind`` tells them apart). Every
text field exists twice, analysed with the Dutch and with the English snowball stemmer.
"""

from __future__ import annotations

import hashlib
from typing import Any

import tantivy
from tantivy import Query

from studymarket.search import analysis

# Bump when the schema or the analysers change: a new folder is used, `search_rebuild` fills it.
# 2: facet codes as u64 fast fields (facets counted from the best matches' columns), facet
# values stored, table of contents and description analysed in the listing's language only.
SCHEMA_VERSION = 2
# Field → boost. Each exists as <field>_nl and <field>_en.
TEXT_FIELDS: dict[str, float] = {
    "title": 5.0,
    "course": 4.0,
    "book": 3.0,
    # Twice what they were when both languages' fields held them (schema 1): a word found
    # there scored in both, and now scores in one (ONE_LANGUAGE_FIELDS).
    "toc": 4.0,
    "desc": 3.0,
    "pages": 1.0,
}
FACET_FIELDS = ("institution", "course_id", "document_type", "academic_year", "language")
# Long texts are analysed once, with the stemmer of the listing's language (the query looks a
# word up with both stems, so each finds its own); short ones with both.
ONE_LANGUAGE_FIELDS = ("toc", "desc", "pages")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("listing_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        for language in analysis.STEM_LANGUAGES:
            builder.add_text_field(f"{name}_{language}", tokenizer_name=f"sm_{language}", index_option="freq")
    builder.add_text_field("names", tokenizer_name="sm_plain", index_option="freq")
    for name in FACET_FIELDS:
        # The text for filters (a term) and, stored, for naming a code; the code (facet_code)
        # is the column the facet counts read.
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
        builder.add_unsigned_field(f"{name}_code", fast=True)
    builder.add_integer_field("price_cents", indexed=True, fast=True)
    builder.add_integer_field("published_at", fast=True)
    builder.add_float_field("rating_avg", fast=True)
    builder.add_unsigned_field("sold_count", fast=True)
    # Page documents.
    builder.add_unsigned_field("page_number", stored=True)
    builder.add_unsigned_field("locked", stored=True)
    for language in analysis.STEM_LANGUAGES:
        builder.add_text_field(f"page_{language}", tokenizer_name=f"sm_{language}", index_option="freq")
    builder.add_bytes_field("preview_text", stored=True, indexed=False)
    return builder.build()


SCHEMA = _schema()


def hit_count(found: Any) -> int:
    # tantivy's type stubs leave out SearchResult.count (set when searching with count=True).
    return int(found.count or 0)


def term_query(field: str, value: Any) -> Query:
    return Query.term_query(SCHEMA, field, value)


def unscored(query: Query) -> Query:
    """A filter: matches as ``query`` does, adds nothing to the score."""
    return Query.const_score_query(query, 0.0)


def listing_ids_of(searcher: tantivy.Searcher, addresses: list[Any]) -> list[int]:
    """The listing ids of these documents, from the fast field (a column read, not the stored
    documents)."""
    if not addresses:
        return []
    return [int(value or 0) for value in searcher.fast_field_values("listing_id", addresses)]


def facet_code(value: str) -> int:
    """A facet value as a number for its fast field (tantivy-py reads numeric columns only):
    the first 8 bytes of its BLAKE2b hash, the same in every process."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")
