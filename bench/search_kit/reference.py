"""The bare engines that bench/search.py measures our search service against, in the same run.

Each takes the same generated listings and answers the same words with the least an engine
needs: an index with one text field per kind of weight and raw facet fields, and a top-20 query
(every word required, title boosted, the facet as a filter), returning listing ids. No facet
counts, no fuzzy fallback, no stemming, no snippets, no total: what the service adds on top is
what the ratio service/bare measures.

- tantivy (tantivy-py directly): schema id / title / body / facets; ``Query.boolean_query`` of
  term queries; ``searcher.search(query, 20, count=False)``; ids read from the stored documents.
- PostgreSQL (psycopg directly, no Django): one table with a ``tsvector`` (title weight A, the
  rest weight B, 'simple' configuration over unaccent-free text), a RUM index when the extension
  is available (ordered by ``tsv <=> query``), else GIN ordered by ``ts_rank``.

For the documents corpus both index one row per page (listing id, page number, text) and the
query returns the 20 best pages: the bare form of "search inside documents".
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

_FACETS = ("document_type", "language", "institution_slug", "academic_year")
_FACET_FIELD = {"institution": "institution_slug"}


def _listing_body(doc: dict[str, Any]) -> str:
    return "\n".join(
        [
            doc["description"],
            *doc["toc"],
            doc["course_name"],
            doc["course_code"],
            doc["institution_name"],
            doc["programme"],
            *doc["book_titles"],
            *doc["isbns"],
        ]
    )


class TantivyBare:
    name = "tantivy"

    def __init__(
        self, path: Path, *, pages: bool = False, threads: int = 2, heap_mb: int = 512, reuse: bool = False
    ) -> None:
        if not reuse:
            shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.pages = pages
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
        builder.add_unsigned_field("page", stored=True)
        builder.add_text_field("title", stored=False, tokenizer_name="default")
        builder.add_text_field("body", stored=False, tokenizer_name="default")
        for facet in _FACETS:
            builder.add_text_field(facet, stored=False, tokenizer_name="raw")
        builder.add_unsigned_field("price_cents", indexed=True, fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=reuse)
        if reuse:  # built by an earlier run (bench/search.py --keep)
            self.index.reload()
            self.searcher = self.index.searcher()
            return
        self._writer = self.index.writer(heap_size=heap_mb * 1024 * 1024, num_threads=threads)

    def add(self, docs: Iterable[dict[str, Any]]) -> None:
        writer = self._writer
        for doc in docs:
            texts = (
                [(number, text) for number, text in enumerate(doc["pages"], start=1)]
                if self.pages
                else [(0, _listing_body(doc))]
            )
            for number, text in texts:
                document = tantivy.Document()
                document.add_unsigned("id", doc["listing_id"])
                document.add_unsigned("page", number)
                document.add_text("title", doc["title"])
                document.add_text("body", text)
                for facet in _FACETS:
                    document.add_text(facet, doc[facet])
                document.add_unsigned("price_cents", doc["price_cents"])
                writer.add_document(document)
        writer.commit()

    def finish(self) -> None:
        self._writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def query(self, words: tuple[str, ...], facet: tuple[str, Any] | None, limit: int = 20) -> list[int]:
        schema = self.schema
        Occur, Query = tantivy.Occur, tantivy.Query
        clauses = []
        for word in words:
            term = word.lower()
            clauses.append(
                (
                    Occur.Must,
                    Query.boolean_query(
                        [
                            (Occur.Should, Query.boost_query(Query.term_query(schema, "title", term), 10.0)),
                            (Occur.Should, Query.term_query(schema, "body", term)),
                        ]
                    ),
                )
            )
        if facet is not None:
            field, value = facet
            if field == "price_max_cents":
                clauses.append(
                    (
                        Occur.Must,
                        Query.range_query(schema, "price_cents", tantivy.FieldType.Unsigned, 0, int(value)),
                    )
                )
            else:
                clauses.append(
                    (Occur.Must, Query.term_query(schema, _FACET_FIELD.get(field, field), str(value)))
                )
        searcher = self.searcher
        result = searcher.search(Query.boolean_query(clauses), limit, count=False)
        return [searcher.doc(address)["id"][0] for _score, address in result.hits]

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def release(self) -> None:
        """Done querying, the index kept for the next run."""


class PostgresBare:
    """A plain table in the benchmark database, filled with COPY; psycopg, no Django."""

    name = "postgres"

    def __init__(self, dsn: str, *, pages: bool = False, reuse: bool = False) -> None:
        import psycopg

        self.pages = pages
        self.table = "bench_bare_pages" if pages else "bench_bare_listings"
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '1GB'")
        self.rum = bool(
            self.conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'").fetchone()
        )
        if self.rum:
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS rum")
        if reuse:  # filled by an earlier run (bench/search.py --keep)
            return
        self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")
        # Unlogged: a benchmark table, rebuilt each run; its index is built after the load.
        self.conn.execute(
            f"""CREATE UNLOGGED TABLE {self.table} (
                id bigint NOT NULL, page integer NOT NULL,
                document_type text, language text, institution_slug text, academic_year text,
                price_cents integer,
                tsv tsvector NOT NULL)"""
        )

    def add(self, docs: Iterable[dict[str, Any]]) -> None:
        # The tsvector is computed by the server from the text sent in the COPY: a staging
        # table per batch, then one INSERT … SELECT to_tsvector(…).
        buffer = io.StringIO()

        def clean(value: str) -> str:
            return value.replace("\\", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")

        for doc in docs:
            head = [
                str(doc["listing_id"]),
                doc["document_type"],
                doc["language"],
                doc["institution_slug"],
                doc["academic_year"],
                str(doc["price_cents"]),
                clean(doc["title"]),
            ]
            if self.pages:
                for number, text in enumerate(doc["pages"], start=1):
                    buffer.write("\t".join([str(number), *head, clean(text)]) + "\n")
            else:
                buffer.write("\t".join(["0", *head, clean(_listing_body(doc))]) + "\n")
        with self.conn.transaction():
            self.conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bench_bare_stage (page integer, id bigint, "
                "document_type text, language text, institution_slug text, academic_year text, "
                "price_cents integer, title text, body text) ON COMMIT DELETE ROWS"
            )
            with self.conn.cursor().copy(
                "COPY bench_bare_stage (page, id, document_type, language, institution_slug, "
                "academic_year, price_cents, title, body) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            self.conn.execute(
                f"""INSERT INTO {self.table}
                SELECT id, page, document_type, language, institution_slug, academic_year, price_cents,
                       setweight(to_tsvector('simple', title), 'A')
                       || setweight(to_tsvector('simple', body), 'B')
                FROM bench_bare_stage"""
            )

    def finish(self) -> None:
        method = "rum (tsv rum_tsvector_ops)" if self.rum else "gin (tsv)"
        self.conn.execute(f"CREATE INDEX {self.table}_tsv ON {self.table} USING {method}")
        self.conn.execute(f"VACUUM ANALYZE {self.table}")

    @property
    def ranking(self) -> str:
        return "RUM: ORDER BY tsv <=> query" if self.rum else "GIN: ORDER BY ts_rank(tsv, query) DESC"

    def size_bytes(self) -> int:
        row = self.conn.execute("SELECT pg_total_relation_size(%s::regclass)", [self.table]).fetchone()
        return int(row[0]) if row else 0

    def query(self, words: tuple[str, ...], facet: tuple[str, Any] | None, limit: int = 20) -> list[int]:
        params: list[Any] = [" & ".join(word.lower() for word in words)]
        where = "tsv @@ q"
        if facet is not None:
            field, value = facet
            if field == "price_max_cents":
                where += " AND price_cents <= %s"
            else:
                where += f" AND {_FACET_FIELD.get(field, field)} = %s"
            params.append(value)
        order = "tsv <=> q" if self.rum else "ts_rank(tsv, q) DESC"
        sql = (
            f"SELECT id FROM {self.table}, to_tsquery('simple', %s) q "
            f"WHERE {where} ORDER BY {order} LIMIT {int(limit)}"
        )
        return [row[0] for row in self.conn.execute(sql, params).fetchall()]

    def close(self) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.conn.close()

    def release(self) -> None:
        """Done querying, the table kept for the next run."""
        self.conn.close()
