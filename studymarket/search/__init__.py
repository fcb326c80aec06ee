"""Search over listings and the text of their pages, behind one backend interface
(tantivy embedded, PostgreSQL full-text for scale-out). The database is the source of truth;
the index follows it through tasks and can be rebuilt from it (`manage.py search_rebuild`)."""
