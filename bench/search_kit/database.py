"""bench/search.py's database: Django set up against a fresh database per backend, the
catalog rows the service reads back (institutions, courses, published listing rows), and the
size of what each backend wrote."""

from __future__ import annotations

import os
from pathlib import Path

from bench.search_kit.corpus import Corpus


def pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def setup_django(*, backend: str, work: Path, pg_url: str, db_name: str, reuse: bool = False) -> None:
    """Django against a new database, or with ``reuse`` the one an earlier run kept (SQLite in
    ``work``, or the PostgreSQL database ``db_name``), migrated to the current schema."""
    os.environ.update(
        DATA_DIR=str(work / "data"),
        DJANGO_SETTINGS_MODULE="config.settings",
        STUDYMARKET_TESTING="0",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        SEARCH_BACKEND=backend,
        SEARCH_INDEX_DIR=str(work / "index"),
    )
    for name in ("STUDYMARKET_ENV", "EMAIL_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    if backend == "postgres":
        if not (reuse and pg_database_exists(pg_url, db_name)):
            pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            pg_admin(pg_url, f'CREATE DATABASE "{db_name}"')
        os.environ["DATABASE_URL"] = f"{pg_url}/{db_name}"
    else:
        os.environ.pop("DATABASE_URL", None)  # SQLite in the data folder: the embedded default
    (work / "data").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def pg_database_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def catalog_seed(corpus: Corpus) -> int:
    """Institutions, programmes and courses with the corpus's ids and slugs (the service labels
    facets from them), and one seller. Returns the seller's profile id (a database kept from an
    earlier run has them all already)."""
    from studymarket.accounts.models import SellerProfile, User
    from studymarket.catalog.models import Course, Institution, Programme

    kept = SellerProfile.objects.filter(slug="bench-seller").values_list("pk", flat=True).first()
    if kept is not None:
        return int(kept)

    institutions: dict[str, Institution] = {}
    programmes: dict[tuple[str, str], Programme] = {}
    for course in corpus.courses:
        if course.institution_slug not in institutions:
            institutions[course.institution_slug] = Institution.objects.create(
                name=course.institution_name, slug=course.institution_slug, country="NL"
            )
        key = (course.institution_slug, course.programme)
        if key not in programmes:
            programmes[key] = Programme.objects.create(
                institution=institutions[course.institution_slug],
                name=course.programme,
                slug=f"p{len(programmes) + 1}",
            )
    Course.objects.bulk_create(
        [
            Course(
                pk=course.course_id,
                programme=programmes[(course.institution_slug, course.programme)],
                name=course.name,
                code=course.code,
                slug=f"c{course.course_id}",
            )
            for course in corpus.courses
        ]
    )
    user = User.objects.create(email="bench-seller@example.org")
    profile = SellerProfile.objects.create(user=user, display_name="Bench Seller", slug="bench-seller")
    return int(profile.pk)


def listing_rows_ensure(*, seller_id: int, first_id: int, count: int, preview: int, courses: int) -> None:
    """Published listing rows (and their documents) with ids first_id … first_id+count-1, as
    the service checks every hit against the database. Plain SQL: a million rows in seconds."""
    from django.db import connection

    last = first_id + count - 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(id), 0) FROM catalog_listing WHERE id BETWEEN %s AND %s", [first_id, last]
        )
        start = max(first_id, int(cursor.fetchone()[0]) + 1)
        if start > last:
            return
        if connection.vendor == "postgresql":
            series = "SELECT generate_series(%s::bigint, %s::bigint) AS n"
        else:
            series = (
                "WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
                "SELECT n FROM s"
            )
        now = "CURRENT_TIMESTAMP"
        cursor.execute(
            f"INSERT INTO documents_document (id, created_at, updated_at, seller_id) "
            f"SELECT n, {now}, {now}, %s FROM ({series}) AS numbers",
            [seller_id, start, last],
        )
        cursor.execute(
            f"""INSERT INTO catalog_listing (id, created_at, updated_at, seller_id, document_id, course_id,
                title, slug, description, document_type, language, academic_year, whole_book_summarized,
                price_cents, preview_page_count, status, published_at, view_count, sold_count,
                review_count, rating_sum)
            SELECT n, {now}, {now}, %s, n, (n %% %s) + 1, 'Bench listing', 'bench-listing', '', 'summary',
                'nl', '2023/2024', FALSE, 949, %s, 'published', {now}, 0, 0, 0, 0
            FROM ({series}) AS numbers""",
            [seller_id, courses, preview, start, last],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE catalog_listing")


def index_size(backend_name: str, index_dir: Path) -> int:
    if backend_name == "tantivy":
        return sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.relname LIKE %s",
            ["%search%"],
        )
        return int(cursor.fetchone()[0])
