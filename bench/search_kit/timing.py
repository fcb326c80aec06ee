"""bench/search.py's clock: each query's median over the rounds, percentiles over the queries,
and the log lines it prints on the way."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.search_kit.corpus import Query


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "p50_ms": _ms(_percentile(times, 0.5)),
        "p95_ms": _ms(_percentile(times, 0.95)),
        "max_ms": _ms(max(times) if times else 0.0),
    }


def search_query(query: Query) -> Any:
    from studymarket.search.types import SearchQuery

    options: dict[str, Any] = {}
    if query.facet is not None:
        field, value = query.facet
        options[field] = value
    return SearchQuery(text=query.text, page=1, page_size=20, **options)


def measure(
    queries: list[Query],
    runners: dict[str, Callable[[Query], int]],
    *,
    rounds: int,
) -> dict[str, Any]:
    """Per runner: each query's median time over ``rounds`` (after a warm-up pass), p50/p95 over
    the queries, overall and per kind, and the hits returned on average."""
    hits: dict[str, list[int]] = {name: [] for name in runners}
    for query in queries:  # warm-up, and the hit counts
        for name, run in runners.items():
            hits[name].append(run(query))
    samples: dict[str, list[list[float]]] = {name: [[] for _ in queries] for name in runners}
    names = list(runners)
    for round_number in range(rounds):
        # Alternate who goes first, so that neither always finds the other's warm caches.
        order = names if round_number % 2 == 0 else names[::-1]
        for position, query in enumerate(queries):
            for name in order:
                start = time.perf_counter()
                runners[name](query)
                samples[name][position].append(time.perf_counter() - start)
    out: dict[str, Any] = {}
    kinds = sorted({q.kind for q in queries}, key=[q.kind for q in queries].index)
    for name in names:
        medians = [statistics.median(s) for s in samples[name]]
        out[name] = {
            **_summary(medians),
            "mean_ms": _ms(statistics.fmean(medians)),
            "hits_avg": round(statistics.fmean(hits[name]), 2),
            "by_kind": {
                kind: {
                    **_summary([m for m, q in zip(medians, queries, strict=True) if q.kind == kind]),
                    "hits_avg": round(
                        statistics.fmean(
                            [h for h, q in zip(hits[name], queries, strict=True) if q.kind == kind]
                        ),
                        2,
                    ),
                }
                for kind in kinds
            },
            "with_facet": _summary([m for m, q in zip(medians, queries, strict=True) if q.facet]),
            "times_ms": [_ms(m) for m in medians],
        }
    return out
