"""A bulk task that keeps a worker busy (bench/webhook_to_library.py's "long task running" case).

It stands for a long index rebuild or a big upload's processing: pure-Python work on one core
for ``seconds``, holding the interpreter the whole time. Importable by the worker (bench is a
package under the project folder, which manage.py puts on the path).
"""

import time

from django_tasks import task


@task()
def busy_task(seconds: float) -> int:
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        sum(i * i for i in range(10_000))
        rounds += 1
    return rounds
