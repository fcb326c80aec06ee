"""The online reader answers a page image as soon as it is drawn and stores the pages after it
in a thread of its own (library/reader.py); tests that look at the stored pages, or that end
(their storage folder goes), wait for those threads first."""

from studymarket.library import reader


def reader_draws_finish(timeout: float = 120) -> None:
    for thread in list(reader._DRAW_THREADS):
        thread.join(timeout)
        assert not thread.is_alive(), "a reader page draw did not finish"
