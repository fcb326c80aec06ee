"""Prometheus metrics at /metrics (prometheus-client).

Two kinds, each kept where it can be summed correctly:

- What happens inside the web processes (requests by view name and status, their duration) is
  counted by RequestMetricsMiddleware. `serve` runs granian, which may run several worker
  processes, and at scale several web instances share a machine: prometheus-client's
  multiprocess mode keeps each process's values in a file of PROMETHEUS_MULTIPROC_DIR (set in
  config/settings_operations.py before the first import; DATA_DIR/metrics by default) and a scrape, answered
  by any of them, sums them all. Only web processes write there: task workers are replaced
  every WORKER_MAX_TASKS tasks, and a file per short-lived process would make scrapes slower
  and slower. The files of web processes that have ended are folded into one per type before
  each scrape (operations.metrics_files), so the sums never drop and the folder stays small.
- What the database knows (task queues, failed tasks, payments, uploads, the last ledger check,
  the workers' heartbeats) is read when scraped (operations.metrics_db), so every web process
  of every machine answers the same, whoever did the work.

Why a protected path rather than a port of its own: each granian worker process would need its
own listener on it (they cannot share one port), and a path goes through the proxy and its TLS
like everything else; Prometheus sends the bearer token (``authorization`` in its scrape config).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from studymarket.operations.metrics_db import DatabaseCollector
from studymarket.operations.metrics_files import metrics_dir_compact, metrics_dir_locked

logger = logging.getLogger(__name__)

_MULTIPROC_DIR: Final = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if _MULTIPROC_DIR:
    Path(_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

# Seconds; a page of this site takes a few hundredths, a reader page or a PDF up to seconds.
_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A request no URL pattern matched (a 404 before any view): one label, not one per path.
UNMATCHED: Final = "<unmatched>"

REQUESTS = Counter(
    "studymarket_http_requests",
    "HTTP requests answered, by view name (the URL pattern's name), method and status code.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "studymarket_http_request_duration_seconds",
    "Time from the request to the response (to its first byte for a file sent in parts), by view name.",
    ["view"],
    buckets=_BUCKETS,
)


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return str(match.view_name or match._func_path)


class RequestMetricsMiddleware:
    """Near the top of MIDDLEWARE: it times the rest of the chain. A metrics failure never
    fails the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._warned = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            view = view_label(request)
            method = request.method if request.method in _METHODS else "other"
            REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
            REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - started)
        except Exception:
            if not self._warned:  # once per process: a full disk must not flood the log
                self._warned = True
                logger.warning("Could not record the request metrics.", exc_info=True)
        return response


def metrics_exposition() -> tuple[bytes, str]:
    """The text Prometheus scrapes, and its content type."""
    if _MULTIPROC_DIR:
        directory = Path(_MULTIPROC_DIR)
        files = CollectorRegistry()
        multiprocess.MultiProcessCollector(files, path=_MULTIPROC_DIR)
        with metrics_dir_locked(directory):
            _dead_processes_fold(directory)
            body = generate_latest(files)
        database = CollectorRegistry()
        database.register(DatabaseCollector())
        return body + generate_latest(database), CONTENT_TYPE_LATEST
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return generate_latest(REGISTRY) + generate_latest(database), CONTENT_TYPE_LATEST


def _dead_processes_fold(directory: Path) -> None:
    # A failure here must not cost the scrape: the files are folded at the next one.
    try:
        metrics_dir_compact(directory)
    except Exception:
        logger.warning("Could not fold the metrics files of ended processes.", exc_info=True)


def metrics_response() -> HttpResponse:
    body, content_type = metrics_exposition()
    return HttpResponse(body, content_type=content_type)
