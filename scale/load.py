"""A mixed load on the cluster through nginx, from threads of plain HTTP clients (requests): what
the fault run keeps going while it breaks things, and what bench/load.py measures.

Kinds of visitor, each a loop until stopped:
- reader: the home page, a listing, a search (anonymous, the public page cache at work);
- buyer: one prepared buyer (scale/ops.py: an account and an open Mollie payment) pays at
  the stand-in, whose webhook goes to a web process; then downloads the PDF through the
  pre-signed URL, or (every fourth) asks for the money back before downloading;
- seller: uploads a new PDF (a worker processes it).
Every answer is recorded: when, what, status, how long.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from scale.cluster import Cluster

REQUEST_TIMEOUT = 30


@dataclass(frozen=True)
class Answer:
    at: float  # time.time() when the request was sent
    endpoint: str
    status: int  # 0: no answer (connection refused, timeout)
    seconds: float


@dataclass
class Recorder:
    answers: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)


class Visitor:
    def __init__(self, cluster: Cluster, recorder: Recorder, cookies: dict[str, str] | None = None) -> None:
        self.site = cluster.nginx.url
        self.verify = str(cluster.certificate)
        self.recorder = recorder
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = self.verify
        self.http.headers["Referer"] = self.site + "/"
        for name, value in (cookies or {}).items():
            self.http.cookies.set(name, value)

    def call(self, endpoint: str, method: str, url: str, **arguments: Any) -> requests.Response | None:
        started, at = time.perf_counter(), time.time()
        full = url if url.startswith("http") else self.site + url
        try:
            response = self.http.request(method, full, timeout=REQUEST_TIMEOUT, **arguments)
        except requests.RequestException:
            self.recorder.add(Answer(at, endpoint, 0, time.perf_counter() - started))
            return None
        self.recorder.add(Answer(at, endpoint, response.status_code, time.perf_counter() - started))
        return response


def _csrf(visitor: Visitor, cookie_name: str) -> None:
    # Django accepts the unmasked secret in the header when it matches the cookie.
    token = secrets.token_hex(16)
    visitor.http.cookies.set(cookie_name, token)
    visitor.http.headers["X-CSRFToken"] = token


def reader(cluster: Cluster, recorder: Recorder, plan: dict[str, Any], stop: threading.Event) -> None:
    visitor = Visitor(cluster, recorder)
    for n in itertools.count():
        if stop.is_set():
            return
        listing = plan["listings"][n % len(plan["listings"])]
        visitor.call("home", "GET", "/")
        visitor.call("listing", "GET", listing)
        visitor.call("search", "GET", "/zoeken/", params={"q": plan["search"] if n % 2 else "samenvatting"})


def buyer(
    cluster: Cluster, recorder: Recorder, plan: dict[str, Any], stop: threading.Event, take: Callable[[], Any]
) -> None:
    cookies = plan["cookies"]
    # One purchase a second or so per thread: the prepared buyers last the whole run.
    while not stop.wait(1.0):
        prepared = take()
        if prepared is None:
            return
        number, one = prepared
        visitor = Visitor(cluster, recorder, {cookies["session"]: one["session"]})
        _csrf(visitor, cookies["csrf"])
        started, at = time.perf_counter(), time.time()
        try:
            answer = cluster.mollie.set_status(one["payment"], "paid")
        except Exception as error:  # the stand-in itself is not under test
            recorder.errors.append(f"stand-in: {error}")
            continue
        recorder.add(Answer(at, "webhook", answer or 0, time.perf_counter() - started))
        if number % 4 == 3:
            response = visitor.call(
                "refund", "POST", one["refund"], data={"reason": "poor_quality"}, allow_redirects=False
            )
            continue
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            response = visitor.call("download", "POST", one["download"], allow_redirects=False)
            if response is not None and response.status_code == 302:
                location = response.headers["Location"]
                visitor.call("pre-signed", "GET", location)
                break
            time.sleep(1)


def seller(
    cluster: Cluster, recorder: Recorder, plan: dict[str, Any], stop: threading.Event, session: str
) -> None:
    from scale.ops import _pdf

    cookies = plan["cookies"]
    visitor = Visitor(cluster, recorder, {cookies["session"]: session})
    _csrf(visitor, cookies["csrf"])
    for n in itertools.count():
        if stop.wait(3):
            return
        pdf = _pdf(3, f"Upload {n} {secrets.token_hex(4)}")
        visitor.call(
            "upload",
            "POST",
            plan["upload"],
            files={"file": (f"upload-{n}.pdf", pdf, "application/pdf")},
            allow_redirects=False,
        )


@dataclass
class Load:
    cluster: Cluster
    plan: dict[str, Any]
    readers: int = 3
    buyers: int = 2
    recorder: Recorder = field(default_factory=Recorder)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        pending = iter(enumerate(self.plan["buyers"]))
        lock = threading.Lock()

        def take() -> Any:
            with lock:
                return next(pending, None)

        for _ in range(self.readers):
            self._thread(reader, self.cluster, self.recorder, self.plan, self.stop)
        for _ in range(self.buyers):
            self._thread(buyer, self.cluster, self.recorder, self.plan, self.stop, take)
        for session in self.plan["sellers"]:
            self._thread(seller, self.cluster, self.recorder, self.plan, self.stop, session)
        return self

    def _thread(self, target: Callable[..., None], *arguments: Any) -> None:
        thread = threading.Thread(target=target, args=arguments, daemon=True)
        thread.start()
        self.threads.append(thread)

    def finish(self) -> Recorder:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        return self.recorder
