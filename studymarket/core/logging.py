"""Log lines: one JSON object per line in production (LOG_FORMAT=json), a readable line in
development, both with the request id (core.request_id) of the request or task they belong to.

The standard library's logging and json do this in a few lines; python-json-logger would be a
dependency for the same thing. Fields of a JSON line: ``time`` (ISO 8601 with the offset, as
the readable format, ASVS 16.2.2), ``level``, ``logger``, ``message``, ``request_id`` and
``task_id`` when there is one, ``exception`` (the traceback) when there is one, and whatever a
caller passed in ``extra=`` (values JSON cannot hold are written as text).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Final

from studymarket.core.request_id import request_id_var, task_id_var

# What every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "task_id", "taskName"}
)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` ("" outside a request or task) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.task_id = task_id_var.get()
        return True


def _context(record: logging.LogRecord) -> dict[str, str]:
    # A handler without the filter (a library's own) still gets the ids of the moment.
    request_id = getattr(record, "request_id", None)
    task_id = getattr(record, "task_id", None)
    found = {
        "request_id": request_id_var.get() if request_id is None else request_id,
        "task_id": task_id_var.get() if task_id is None else task_id,
    }
    return {key: value for key, value in found.items() if value}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """``2026-12-07T13:01:02+0100 INFO name [request_id=… task_id=…] message``."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs: Any) -> None:
        super().__init__(
            fmt or "%(asctime)s %(levelname)s %(name)s %(context)s%(message)s",
            datefmt or "%Y-%m-%dT%H:%M:%S%z",
            **kwargs,
        )

    def format(self, record: logging.LogRecord) -> str:
        context = _context(record)
        record.context = (
            "[" + " ".join(f"{key}={value}" for key, value in context.items()) + "] " if context else ""
        )
        return super().format(record)
