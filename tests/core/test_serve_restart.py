"""`serve`'s supervisor with real child processes (issue 12, finding 8): a worker that dies is
started again with a pause that doubles while it keeps dying (up to a cap, back to the first
pause after a healthy run), and the web server goes on serving meanwhile; a web server that
dies still stops everything. The children here are small Python programs: an HTTP server that
answers /healthz, and a "worker" that sleeps or exits."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from studymarket.core.management.commands import serve
from studymarket.core.management.commands.serve import _Child, _Supervisor
from tests.smtp import free_port


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


@pytest.fixture
def web(tmp_path: Path) -> tuple[_Child, str]:
    (tmp_path / "healthz").write_text("ok")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(tmp_path),
    ]
    child = _Child(start=lambda: _quiet(command))
    return child, f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "POLL_SECONDS", 0.02)
    monkeypatch.setattr(serve, "RESTART_FIRST_DELAY_SECONDS", 0.1)
    monkeypatch.setattr(serve, "RESTART_MAX_DELAY_SECONDS", 0.4)
    monkeypatch.setattr(serve, "STOP_TIMEOUT_SECONDS", 5)


def _quiet(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _python(code: str) -> Callable[[], subprocess.Popen[bytes]]:
    return lambda: _quiet([sys.executable, "-c", code])


def _wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}")
        time.sleep(0.02)


def _answers(url: str) -> bool:
    return serve._answers(url + "healthz")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that died but was not reaped yet is a zombie: not alive.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_killed_worker_is_started_again_while_the_web_server_keeps_serving(web):
    web_child, url = web
    out, err, lost = Log(), Log(), []
    worker = _Child(
        start=_python("import time; time.sleep(600)"), restart=True, on_exit=lambda: lost.append(1)
    )
    supervisor = _Supervisor(out, err)
    seen: dict[str, int] = {}

    def scenario() -> None:
        _wait_for(lambda: _answers(url), seconds=30, what="the web server")
        first = supervisor.children["task worker"]
        web_pid = supervisor.children["web server"].pid  # type: ignore[union-attr]
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        _wait_for(
            lambda: (child := supervisor.children["task worker"]) is not None and child.pid != first.pid,
            seconds=10,
            what="a new worker",
        )
        seen.update(first=first.pid, second=supervisor.children["task worker"].pid, web=web_pid)  # type: ignore[union-attr]
        assert _answers(url)  # the site never went away
        assert supervisor.children["web server"].pid == web_pid  # type: ignore[union-attr]

    code, errors = _run(supervisor, {"web server": web_child, "task worker": worker}, url, scenario)

    assert errors == []
    assert code == 0
    assert err.lines == ["The task worker stopped unexpectedly (exit code -9); starting it again in 0.1 s."]
    assert out.count("The task worker is running again.") == 1
    assert lost == [1]
    assert not any(_alive(pid) for pid in seen.values())  # all stopped at the end


def test_a_worker_that_keeps_dying_waits_longer_each_time_up_to_the_cap(web):
    web_child, url = web
    out, err = Log(), Log()
    worker = _Child(start=_python("raise SystemExit(3)"), restart=True)
    supervisor = _Supervisor(out, err)

    def scenario() -> None:
        _wait_for(lambda: err.count("starting it again") >= 5, seconds=30, what="five deaths")
        assert _answers(url)

    code, errors = _run(supervisor, {"web server": web_child, "task worker": worker}, url, scenario)

    assert (errors, code) == ([], 0)
    delays = [line.rsplit(" in ", 1)[1] for line in err.lines[:5]]
    assert delays == ["0.1 s.", "0.2 s.", "0.4 s.", "0.4 s.", "0.4 s."]
    assert err.lines[0] == "The task worker stopped unexpectedly (exit code 3); starting it again in 0.1 s."


def test_after_a_healthy_run_the_pause_is_short_again(web, monkeypatch):
    monkeypatch.setattr(serve, "HEALTHY_SECONDS", 0.3)
    web_child, url = web
    out, err = Log(), Log()
    worker = _Child(start=_python("import time; time.sleep(0.5); raise SystemExit(3)"), restart=True)
    supervisor = _Supervisor(out, err)

    def scenario() -> None:
        _wait_for(lambda: err.count("starting it again") >= 3, seconds=30, what="three deaths")

    code, errors = _run(supervisor, {"web server": web_child, "task worker": worker}, url, scenario)

    assert (errors, code) == ([], 0)
    assert [line.rsplit(" in ", 1)[1] for line in err.lines[:3]] == ["0.1 s."] * 3


def test_a_worker_that_leaves_by_plan_is_replaced_at_once_without_a_warning(web, monkeypatch):
    # db_worker --max-tasks: the worker ends with exit code 0 after its share of tasks.
    monkeypatch.setattr(serve, "PLANNED_EXIT_MIN_SECONDS", 0.05)
    web_child, url = web
    out, err, lost = Log(), Log(), []
    worker = _Child(
        start=_python("import time; time.sleep(0.1)"), restart=True, on_exit=lambda: lost.append(1)
    )
    supervisor = _Supervisor(out, err)
    starts: list[int] = []

    def scenario() -> None:
        _wait_for(lambda: _answers(url), seconds=30, what="the web server")

        def five_seen() -> bool:
            child = supervisor.children["task worker"]
            if child is not None and child.pid not in starts:
                starts.append(child.pid)
            return len(starts) >= 5

        # Five workers one after another within 5 s, and no warning: no back-off between them.
        _wait_for(five_seen, seconds=5, what="five workers in turn")

    code, errors = _run(supervisor, {"web server": web_child, "task worker": worker}, url, scenario)

    assert (errors, code) == ([], 0)
    assert err.lines == []
    assert lost == []  # nothing was running when it left: no rows to mark abandoned


def test_a_worker_that_leaves_by_plan_at_once_again_and_again_gets_the_back_off(web):
    web_child, url = web
    out, err = Log(), Log()
    worker = _Child(start=_python("raise SystemExit(0)"), restart=True)
    supervisor = _Supervisor(out, err)

    def scenario() -> None:
        _wait_for(lambda: err.count("starting it again") >= 3, seconds=30, what="three quick exits")

    code, errors = _run(supervisor, {"web server": web_child, "task worker": worker}, url, scenario)

    assert (errors, code) == ([], 0)
    assert [line.rsplit(" in ", 1)[1] for line in err.lines[:3]] == ["0.1 s.", "0.2 s.", "0.4 s."]


def test_when_the_web_server_dies_everything_stops(web):
    web_child, url = web
    out, err = Log(), Log()
    worker = _Child(start=_python("import time; time.sleep(600)"), restart=True)
    supervisor = _Supervisor(out, err)
    pids: dict[str, int] = {}

    def scenario() -> None:
        _wait_for(lambda: _answers(url), seconds=30, what="the web server")
        pids.update({name: child.pid for name, child in supervisor.children.items() if child is not None})
        os.kill(pids["web server"], signal.SIGKILL)
        _wait_for(lambda: not _alive(pids["task worker"]), seconds=20, what="the worker to be stopped")

    thread_errors: list[BaseException] = []

    def act() -> None:
        try:
            scenario()
        except BaseException as error:  # pragma: no cover - reported below
            thread_errors.append(error)

    thread = threading.Thread(target=act)
    thread.start()
    code = supervisor.run({"web server": web_child, "task worker": worker}, url)
    thread.join(timeout=60)

    assert thread_errors == []
    assert code == 1
    assert err.lines == ["The web server stopped unexpectedly (exit code -9); stopping the rest."]
    assert not _alive(pids["task worker"])


def _run(
    supervisor: _Supervisor, children: dict[str, _Child], url: str, scenario: Callable[[], None]
) -> tuple[int, list[BaseException]]:
    errors: list[BaseException] = []

    def act() -> None:
        try:
            scenario()
        except BaseException as error:
            errors.append(error)
        finally:
            supervisor.stop_signal = signal.SIGTERM

    thread = threading.Thread(target=act)
    thread.start()
    try:
        code = supervisor.run(children, url)
    finally:
        thread.join(timeout=60)
    return code, errors


def test_the_site_answers_during_the_back_off(web):
    """While the worker waits to be started again, pages are still served."""
    web_child, url = web
    out, err = Log(), Log()
    worker = _Child(start=_python("raise SystemExit(1)"), restart=True)
    supervisor = _Supervisor(out, err)
    answers: list[bool] = []

    def scenario() -> None:
        _wait_for(lambda: err.count("starting it again") >= 2, seconds=30, what="two deaths")
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            url + "healthz", timeout=5
        ) as r:
            answers.append(r.status == 200)

    code, errors = _run(supervisor, {"web server": web_child, "task worker": worker}, url, scenario)
    assert (errors, code, answers) == ([], 0, [True])
