"""Which queue and priority a background task gets (docs/CONVENTIONS.md §9, ADR "task priorities").

The database worker (django-tasks-db) takes the ready row with the highest priority first, then
the oldest. That alone puts a buyer's PDF before a thousand queued index tasks, but not before
the one long task a worker is already running; so `serve` runs a second worker for URGENT_QUEUE
only, which is never busy with bulk work. The worker for every queue ("*") takes urgent tasks
too (first, by their priority) while the urgent one is down.

Each task says its queue and priority in its decorator, e.g. ``@task(priority=TASK_PRIORITY_BULK)``.
"""

from typing import Final

# Tasks a person is waiting for on the page, and that finish in well under a second each
# (a buyer's stamped PDF, a password-reset mail). A long task here would hold up the others.
URGENT_QUEUE: Final = "urgent"
DEFAULT_QUEUE: Final = "default"
QUEUES: Final = (DEFAULT_QUEUE, URGENT_QUEUE)  # settings.TASKS["default"]["QUEUES"]

# django-tasks' range is -100..100; 0 is the default. Higher runs first.
TASK_PRIORITY_WAITING: Final = 50  # a person waits on the page for it
TASK_PRIORITY_SOON: Final = 20  # a person expects it within minutes (an upload processed, an e-mail)
# Periodic, cheap, and must not fall behind a backlog: the sweeps that recover work a lost task
# left (an upload, a payment, a PDF), the flush of the view counts kept in the cache.
TASK_PRIORITY_SWEEP: Final = 0
TASK_PRIORITY_BULK: Final = -50  # upkeep nobody waits for: the search index, follower mails, housekeeping
# The workers' heartbeat (operations.heartbeat) goes before everything: it says "a worker takes
# tasks from this queue", which a backlog of other work must not hide (the backlog has a check of
# its own). It takes a millisecond.
TASK_PRIORITY_HEARTBEAT: Final = 100
