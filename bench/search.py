"""Search: our search service against the bare engine, at 100,000 and 1,000,000 listings and
for search inside 10,000 documents of 100 pages, on both backends (issue 6, "Speed").

What runs, per backend (tantivy: an index in a temporary folder, the embedded default, with
SQLite as the database; postgres: a database ``sm_bench`` created, migrated and dropped by this
script) and per corpus:

1. The corpus (bench/search_kit/corpus.py: seeded, Zipf-distributed Dutch/English-ish words) is
   generated in batches. Each batch goes through our backend's ``index()`` (search:
   both languages' stemmed fields, page documents, facets, commit) and, timed separately,
   into the bare engine (bench/search_kit/reference.py). Generating is not timed. Indexing rate =
   listings / seconds spent in ``index()``. With ``--pg-sample N`` (default 5,000; 0: off) the
   postgres backend gets only the last N listings (documents: N pages' worth) through
   ``index()`` (one statement per listing: hours at 1,000,000 on this machine) and the rest
   through bench/search_kit/pgfill.py, which writes the same rows with the same SQL expressions
   in bulk (secondary indexes dropped and rebuilt around it) and is checked against ``index()``
   on a few listings.
2. The database gets the rows the service reads back (institutions, courses, and one published
   listing per indexed listing, written with plain SQL: only ids, status and preview count
   matter to the service).
3. 200 queries of 1-3 words (rare, medium, common words; every fourth with a facet filter;
   top 20) run through ``search.service.search`` (backend + the database's last word on
   what is published + facet labels), through the backend alone, and as the bare engine query
   for the same words, interleaved, after one warm-up pass, for ``--rounds`` rounds. A query's
   time is its median over the rounds; p50/p95 are over the 200 queries.

Results: one file per corpus, size and backend in bench/results/:
search-100k-tantivy.json, search-1m-postgres.json, search-documents-10k-tantivy.json, …
(``--quick`` writes into a temporary folder instead and says where.)

    .venv/bin/python bench/search.py --quick
    .venv/bin/python bench/search.py --sizes 100000 --backends tantivy,postgres
    .venv/bin/python bench/search.py --sizes 1000000 --documents 0
    .venv/bin/python bench/search.py --sizes 0 --documents 10000
    # Build once, then iterate on the query side only (new migrations are applied on reuse):
    .venv/bin/python bench/search.py --sizes 1000000 --documents 0 --keep /var/tmp/bench-search-1m

Goals (issue 6): listing search p95 ≤ 10 ms at 1,000,000 with tantivy, ≤ 50 ms with PostgreSQL;
inside-document search p95 ≤ 20 ms with tantivy; the service at most 1.5× the bare engine.
PostgreSQL is reached at ``--pg-url`` (default postgres://postgres@127.0.0.1:5432), on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import recording  # noqa: E402
from bench.search_kit.corpus import Corpus  # noqa: E402
from bench.search_kit.database import catalog_seed, pg_admin, setup_django  # noqa: E402
from bench.search_kit.run import run_one  # noqa: E402
from bench.search_kit.timing import log  # noqa: E402

CHILD_TIMEOUT_S = 8 * 3600


def _child(args: argparse.Namespace, backend_name: str) -> None:
    if args.keep:
        work = Path(args.keep) / backend_name
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix=f"bench-search-{backend_name}-", dir=args.work_dir))
    try:
        setup_django(
            backend=backend_name, work=work, pg_url=args.pg_url, db_name=args.db_name, reuse=bool(args.keep)
        )
        corpus = Corpus()
        seller_id = catalog_seed(corpus)
        pg_dsn = f"{args.pg_url}/{args.db_name}"
        for size in args.size_list:
            log(f"{backend_name}: {size:,} listings")
            run_one(
                corpus_name="listings",
                size=size,
                backend_name=backend_name,
                corpus=corpus,
                args=args,
                work=work,
                seller_id=seller_id,
                pg_dsn=pg_dsn,
            )
        if args.documents:
            log(f"{backend_name}: {args.documents:,} documents × {args.pages} pages")
            run_one(
                corpus_name="documents",
                size=args.documents,
                backend_name=backend_name,
                corpus=corpus,
                args=args,
                work=work,
                seller_id=seller_id,
                pg_dsn=pg_dsn,
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if backend_name == "postgres" and not args.keep_db and not args.keep:
            from django.db import connections

            connections.close_all()
            pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="listing counts, comma-separated (0: none)")
    parser.add_argument("--backends", default="tantivy,postgres")
    parser.add_argument("--documents", type=int, default=10_000, help="documents for search inside (0: none)")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--listing-batch", type=int, default=10_000)
    parser.add_argument("--document-batch", type=int, default=250)
    parser.add_argument(
        "--pg-sample",
        type=int,
        default=5_000,
        help="postgres: only the last N listings (documents: N pages' worth) go through index(), "
        "which gives the indexing rate; the rest are bulk-filled (0: all through index())",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a tiny smoke run, results in a temporary folder"
    )
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db-name", default="sm_bench")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--keep",
        default=None,
        metavar="DIR",
        help="build into DIR (tantivy index, bare index, SQLite) and the database --db-name and keep "
        "them; a later run with the same --keep DIR reuses a corpus of the same size and backend "
        "when the backend still holds it all (a schema change makes it rebuild) and only queries",
    )
    parser.add_argument("--work-dir", default=None, help="where the indexes go (default: the temp folder)")
    parser.add_argument("--results", default=None, help="folder for the result files (default bench/results)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.documents, args.pages, args.queries, args.rounds = "2000", 40, 100, 35, 2
        args.listing_batch, args.document_batch = 500, 20
        if args.results is None:
            args.results = tempfile.mkdtemp(prefix="bench-search-results-")
    args.size_list = [int(s) for s in args.sizes.split(",") if s.strip() and int(s) > 0]
    if args.results:
        recording.RESULTS = Path(args.results)
    if args.child:
        _child(args, args.child)
        return
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for name in backends:
        if name not in ("tantivy", "postgres"):
            parser.error(f"unknown backend {name!r}")
    # One process per backend: each gets its own database (SQLite for tantivy, the embedded
    # default; PostgreSQL for postgres) and its memory back at the end.
    for name in backends:
        command = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--child", name]
        if args.results and "--results" not in sys.argv:
            command += ["--results", args.results]
        log(f"== {name}")
        subprocess.run(command, check=True, timeout=CHILD_TIMEOUT_S)
    log(f"Results in {recording.RESULTS}")


if __name__ == "__main__":
    main()
