"""Two workers that index one listing at once on PostgreSQL (seen under `make scale-test`,
issue 15): both deleted nothing and both inserted, and the second failed on the primary key.
Each writer now holds an advisory lock per listing until its transaction ends."""

import threading

import psycopg
import pytest
from django.db import connection

from studymarket.search.backends.postgres.writing import rows_lock

pytestmark = pytest.mark.django_db


def _connect() -> psycopg.Connection:
    parameters = connection.get_connection_params()
    keep = ("host", "port", "user", "dbname", "password")
    return psycopg.connect(**{k: v for k, v in parameters.items() if k in keep})


def test_a_second_writer_of_a_listing_waits_for_the_first():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks: PostgreSQL only")
    first, second = _connect(), _connect()
    try:
        with first.cursor() as cursor:
            rows_lock(cursor, [42, 7])  # in a transaction: held until commit
        got = threading.Event()

        def other_writer() -> None:
            with second.cursor() as cursor:
                rows_lock(cursor, [7])
            got.set()
            second.commit()

        thread = threading.Thread(target=other_writer)
        thread.start()
        assert not got.wait(1.0)  # waiting for the first writer's listing 7
        with _connect() as third, third.cursor() as cursor:
            rows_lock(cursor, [8])  # another listing: not held up
        first.commit()
        assert got.wait(30)
        thread.join()
    finally:
        first.close()
        second.close()
