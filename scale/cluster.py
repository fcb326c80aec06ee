"""The scale-out profile running on loopback: the engines (scale/engines.py), the release steps,
then every process of scale/topology.py behind nginx, under a supervisor that restarts a process
that dies after a second, as systemd's ``Restart=always`` / ``RestartSec=1`` in deploy/ does.

The Mollie stand-in (tests/fakes/mollie.py) and an SMTP server (aiosmtpd) run in this process.
Mollie's webhooks go straight to the last web process, not through nginx, so that a payment
started on one process is always confirmed by another.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scale.engines import (
    Nginx,
    ObjectStore,
    Postgres,
    Redis,
    certificate_make,
    die_with_parent,
    free_port,
    port_wait,
    tls_context,
)
from scale.topology import PROCESSES, RELEASE_STEPS, SETTINGS, Process

BASE_DIR = Path(__file__).resolve().parent.parent
RESTART_SECONDS = 1.0  # deploy/systemd: RestartSec=1


@dataclass
class Instance:
    process: Process
    number: int
    port: int | None
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    # False while a fault has stopped it on purpose, or while the cluster stops.
    wanted: bool = True
    restarts: int = 0
    started_at: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.process.name}-{self.number}"


@dataclass
class Cluster:
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="studymarket-scale-")))
    environment: dict[str, str] = field(default_factory=dict)
    instances: list[Instance] = field(default_factory=list)
    # Extra settings for every process (e.g. shorter sweep intervals for the fault run).
    extra: dict[str, str] = field(default_factory=dict)
    web_processes: int | None = None  # None: as the topology says

    def __post_init__(self) -> None:
        os.chmod(self.root, 0o755)  # nginx's workers (nobody) read the static files below it
        self.certificate, self.key = certificate_make(self.root / "tls")
        self.tls = tls_context(self.certificate, self.key)
        self.postgres = Postgres(self.root)
        self.redis = Redis(self.root)
        self.objectstore = ObjectStore(self.root, self.tls)
        self.nginx = Nginx(self.root)
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.mollie: Any = None
        self.smtp: Any = None
        self.inbox: Any = None

    # --- life cycle ----------------------------------------------------------------------
    def start(self) -> Cluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        from aiosmtpd.controller import Controller

        from tests.fakes.mollie import API_KEY, MollieStandIn
        from tests.smtp import Inbox

        self.postgres.start()
        self.redis.start()
        self.objectstore.start()
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self.mollie = MollieStandIn(tls=self.tls).start()
        web = next(p for p in PROCESSES if p.listens)
        web_count = self.web_processes or web.test_instances
        ports = [free_port() for _ in range(web_count)]
        self.environment = self._settings(API_KEY)
        self._release()
        for process in PROCESSES:
            count = web_count if process.listens else process.test_instances
            for number in range(1, count + 1):
                port = ports[number - 1] if process.listens else None
                log = self.root / "logs" / f"{process.name}-{number}.log"
                log.parent.mkdir(exist_ok=True)
                self.instances.append(Instance(process, number, port, log))
        for instance in self.instances:
            self._spawn(instance)
        for instance in self.webs:
            assert instance.port is not None
            port_wait(instance.port, instance.name, process=instance.popen)
        # Mollie's webhooks reach the last web process directly, as a load balancer would pass them.
        self.mollie.webhook_via = f"http://127.0.0.1:{ports[-1]}"
        self.nginx.start(
            upstreams=[f"127.0.0.1:{p}" for p in ports],
            static_root=self.static_root,
            certificate=self.certificate,
            key=self.key,
        )
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def _settings(self, mollie_key: str) -> dict[str, str]:
        site = f"https://127.0.0.1:{self.nginx.port}"
        fill = {
            "site": site,
            "site_host": "127.0.0.1",
            "postgres_password": "studymarket",
            "postgres": self.postgres.address,
            "redis": self.redis.address,
            "objectstore": self.objectstore.url,
            "s3_access_key": self.objectstore.ACCESS_KEY,
            "s3_secret_key": self.objectstore.SECRET_KEY,
            "s3_addressing_style": "path",
            "smtp": f"smtp://127.0.0.1:{self.smtp.port}",
            "mollie_api_key": mollie_key,
            "sepa_debtor_iban": "NL91ABNA0417164300",
            "sepa_debtor_bic": "ABNANL2A",
            "operator_address": "Teststraat 1, 1234 AB Amsterdam",
            "operator_email": "support@studymarket.localhost",
            "operator_phone": "+31 20 000 0000",
            "operator_kvk_number": "12345678",
            "operator_vat_number": "NL123456789B01",
            "data_dir": str(self.root / "data"),
        }
        settings = {key: value.format(**fill) for key, value in SETTINGS.items()}
        settings["SECRET_KEY"] = secrets.token_urlsafe(50)
        # Only here: Mollie is the stand-in in this process.
        settings["MOLLIE_API_ENDPOINT"] = self.mollie.url
        # Every request of the load comes from 127.0.0.1 (nginx's X-Forwarded-For): the IP-keyed
        # rate limits would count the whole load as one client.
        settings["RATE_LIMIT_EXEMPT_IPS"] = "127.0.0.1"
        # The certificate made for this run, trusted by boto3 (the object store) and requests
        # (mollie-api-python), as a production machine trusts the public CAs.
        settings["AWS_CA_BUNDLE"] = str(self.certificate)
        settings["REQUESTS_CA_BUNDLE"] = str(self.certificate)
        settings.update(self.extra)
        environment = {
            key: value for key, value in os.environ.items() if key.startswith(("PATH", "LANG", "LC_", "HOME"))
        }
        environment.update(settings, DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
        return environment

    @property
    def static_root(self) -> Path:
        return self.root / "data" / "static"

    def _release(self) -> None:
        for step in RELEASE_STEPS:
            self.manage(*step)
        # nginx's workers (nobody) read what collectstatic wrote.
        for folder in (self.root / "data", self.static_root):
            os.chmod(folder, 0o755)

    def manage(
        self, *arguments: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *arguments],
            cwd=BASE_DIR, env=self.environment, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if check and done.returncode:
            raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def stop(self) -> None:
        self._stop.set()
        for instance in self.instances:
            instance.wanted = False
            self._terminate(instance)
        for engine in (self.nginx, self.objectstore, self.redis):
            try:
                engine.stop()
            except Exception as error:  # stop the rest whatever one does
                print(f"stopping {type(engine).__name__}: {error}", file=sys.stderr)
        if self.mollie is not None:
            self.mollie.stop()
        if self.smtp is not None:
            self.smtp.stop()
        try:
            self.postgres.stop()
        except Exception as error:
            print(f"stopping PostgreSQL: {error}", file=sys.stderr)

    # --- processes -------------------------------------------------------------------------
    @property
    def webs(self) -> list[Instance]:
        return [i for i in self.instances if i.process.listens]

    def named(self, process_name: str) -> list[Instance]:
        return [i for i in self.instances if i.process.name == process_name]

    def _spawn(self, instance: Instance) -> None:
        command = instance.process.command(sys.executable, str(BASE_DIR / "manage.py"), port=instance.port)
        with instance.log.open("ab") as log:
            instance.popen = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=die_with_parent,
            )  # fmt: skip
        instance.started_at = time.monotonic()

    def _terminate(self, instance: Instance) -> None:
        popen = instance.popen
        if popen is None or popen.poll() is not None:
            return
        try:
            os.killpg(popen.pid, signal.SIGTERM)
            popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(popen.pid, signal.SIGKILL)
            popen.wait()
        except ProcessLookupError:
            pass

    def kill(self, instance: Instance) -> None:
        """SIGKILL to the process and its children (granian's workers, the PDF sandbox):
        no chance to clean up. The supervisor starts it again a second later."""
        popen = instance.popen
        assert popen is not None
        try:
            os.killpg(popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        popen.wait()

    def _supervise(self) -> None:
        while not self._stop.wait(0.2):
            for instance in self.instances:
                popen = instance.popen
                if not instance.wanted or popen is None or popen.poll() is None:
                    continue
                if time.monotonic() - instance.started_at < RESTART_SECONDS:
                    continue
                if self._stop.is_set():
                    return
                time.sleep(RESTART_SECONDS)
                instance.restarts += 1
                self._spawn(instance)

    def processes_alive(self) -> bool:
        return all(i.popen is not None and i.popen.poll() is None for i in self.instances if i.wanted)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
