"""PostgreSQL full-text search tables for the ``postgres`` search backend
(search/backends/postgres/; docs/adr/0010-search.md).

Plain tables, not models: only the search backend reads and writes them, with SQL that
Django's ORM cannot express (tsvector, RUM distance), and they exist on PostgreSQL only. On
SQLite this migration does nothing (the embedded default is the tantivy index).

Idempotent: databases that applied catalog 0004 (where these tables were created before the
search app had its own migrations) already have them, and keep them and their rows as they are.

Extensions: unaccent, pg_trgm and rum are created when the server offers them and the user
may create them; without rum the small-fields index is GIN, without pg_trgm there is no typo
tolerance (the backend checks pg_extension at run time). `search_rebuild --backend postgres`
switches GIN to RUM once rum is installed later.
"""

from django.db import migrations, transaction

EXTENSIONS = ("unaccent", "pg_trgm", "rum")

TABLES = """
CREATE TABLE IF NOT EXISTS search_listing (
    listing_id bigint PRIMARY KEY,
    names text NOT NULL DEFAULT '',
    small_tsv tsvector NOT NULL,
    tsv tsvector NOT NULL,
    institution text NOT NULL DEFAULT '',
    course_id bigint NOT NULL DEFAULT 0,
    document_type text NOT NULL DEFAULT '',
    academic_year text NOT NULL DEFAULT '',
    language text NOT NULL DEFAULT '',
    price_cents integer NOT NULL DEFAULT 0,
    published_at timestamptz,
    rating_avg double precision NOT NULL DEFAULT 0,
    sold_count integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS search_listing_tsv ON search_listing USING gin (tsv);
CREATE INDEX IF NOT EXISTS search_listing_published ON search_listing (published_at DESC, listing_id DESC);
CREATE TABLE IF NOT EXISTS search_page (
    listing_id bigint NOT NULL,
    page_number integer NOT NULL,
    locked boolean NOT NULL,
    preview_text text,
    tsv tsvector NOT NULL,
    PRIMARY KEY (listing_id, page_number),
    CONSTRAINT search_page_locked_has_no_text CHECK (NOT locked OR preview_text IS NULL)
);
CREATE INDEX IF NOT EXISTS search_page_tsv ON search_page USING gin (tsv);
"""
SMALL_INDEXES = ("search_listing_small_rum", "search_listing_small_gin")


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", [list(EXTENSIONS)])
        available = {row[0] for row in cursor.fetchall()}
        for name in EXTENSIONS:
            if name not in available:
                continue
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
            except Exception:  # no privilege: the backend works without it, less well
                pass
        cursor.execute(TABLES)
        cursor.execute("SELECT extname FROM pg_extension")
        installed = {row[0] for row in cursor.fetchall()}
        # One index on the small fields: RUM or GIN. A database from catalog 0004 has one
        # already (GIN then RUM installed stays GIN until `search_rebuild` switches it).
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(%s)",
            [list(SMALL_INDEXES)],
        )
        if cursor.fetchone() is None:
            if "rum" in installed:
                cursor.execute(
                    "CREATE INDEX search_listing_small_rum ON search_listing USING rum (small_tsv rum_tsvector_ops)"
                )
            else:
                cursor.execute("CREATE INDEX search_listing_small_gin ON search_listing USING gin (small_tsv)")
        if "pg_trgm" in installed:
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS search_listing_names_trgm ON search_listing "
                "USING gin (names gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS search_page; DROP TABLE IF EXISTS search_listing;")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
