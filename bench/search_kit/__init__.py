"""The parts of bench/search.py: the corpus and queries (corpus.py), the bare engines it is
measured against (reference.py), a bulk loader for the postgres backend's tables (pgfill.py),
the database it runs on (database.py), the clock (timing.py) and one corpus on one backend
(run.py). A package, not bench/*.py modules, because `make bench` runs every bench/*.py as a
benchmark."""
