"""The postgres backend's schema at run time: which extensions the database has, and the
upgrade of the small-fields index to RUM once rum is installed.

The tables themselves are created by migration search 0001 (plain SQL, see the ADR).
"""

from __future__ import annotations

import functools

from django.db import connections, transaction

# The text search configurations every text is analysed with; a query word matches either.
CONFIGS = ("dutch", "english")


@functools.lru_cache(maxsize=8)
def _extensions(alias: str, database: str) -> frozenset[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        return frozenset(row[0] for row in cursor.fetchall())


def pg_extensions(using: str = "default") -> frozenset[str]:
    """The extensions installed in this PostgreSQL database (cached per process)."""
    connection = connections[using]
    return _extensions(using, str(connection.settings_dict.get("NAME")))


def indexes_upgrade(*, using: str = "default") -> list[str]:
    """Use RUM for the small fields once the extension is installed (and pg_trgm's index
    once that is). Returns what was done, for the rebuild command to report."""
    done = []
    _extensions.cache_clear()
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT name FROM pg_available_extensions WHERE name IN ('rum', 'pg_trgm')")
        for (name,) in cursor.fetchall():
            if name not in pg_extensions(using):
                try:
                    with transaction.atomic(using=using):
                        cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
                    done.append(f"extension {name}")
                except Exception:  # no privilege: carry on without
                    pass
        _extensions.cache_clear()
        installed = pg_extensions(using)
        if "rum" in installed:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'search_listing_small_rum'")
            if cursor.fetchone() is None:
                cursor.execute(
                    "CREATE INDEX search_listing_small_rum ON search_listing "
                    "USING rum (small_tsv rum_tsvector_ops)"
                )
                cursor.execute("DROP INDEX IF EXISTS search_listing_small_gin")
                done.append("RUM index")
        if "pg_trgm" in installed:
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS search_listing_names_trgm ON search_listing "
                "USING gin (names gin_trgm_ops)"
            )
    return done
