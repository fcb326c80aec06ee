"""The engines of the scale-out profile, each a real server on 127.0.0.1 in a folder of its own:
PostgreSQL (its own cluster, so that restarting it touches nothing else on the machine), Redis,
an S3-compatible server (moto in server mode) behind a proxy the fault run can cut, and nginx.
Each can be stopped and started again on the same port, which is what the faults do."""

from __future__ import annotations

import ctypes
import os
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_wait(
    port: int, name: str, *, seconds: float = START_SECONDS, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} within {seconds:g} s")


def certificate_make(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the site, the object store and Mollie's
    stand-in all speak TLS, as they do in production (a browser refuses a download or a form
    that leaves HTTPS for HTTP)."""
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    os.chmod(key, 0o644)  # nginx's workers read it; a throwaway key
    return certificate, key


def tls_context(certificate: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    return context


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> None:
    """In the child before exec: killed when the harness dies, even by SIGKILL, so nothing is
    left running on loopback (one prctl call: safe in preexec_fn)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _as_postgres_user() -> list[str]:
    # initdb and postgres refuse to run as root: CI runs as root, so they run as "postgres".
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL's server programs are not installed (Debian: postgresql).")
    return found[-1].parent


class Postgres:
    def __init__(self, root: Path) -> None:
        self.folder = root / "postgres"
        self.data = self.folder / "data"
        self.port = free_port()
        self.bin = _postgres_bin()

    def _pg_ctl(self, *arguments: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=300 "
            # A throwaway cluster: durability is not what is tested, and the disk is shared.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [*_as_postgres_user(), str(self.bin / "pg_ctl"), "-D", str(self.data),
             "-l", str(self.folder / "log"), "-o", options, "-w", "-t", str(START_SECONDS), *arguments],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self) -> None:
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            [*_as_postgres_user(), str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust",
             "-U", "postgres", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self._pg_ctl("start")
        # What a DBA does once: the application's role and database, and the extensions the
        # search needs (created by a superuser; the role itself cannot).
        self.sql("CREATE ROLE studymarket LOGIN PASSWORD 'studymarket'")
        self.sql("CREATE DATABASE studymarket OWNER studymarket")
        for extension in ("unaccent", "pg_trgm", "rum"):
            self.sql(f"CREATE EXTENSION IF NOT EXISTS {extension}", database="studymarket", check=False)

    def sql(self, statement: str, *, database: str = "postgres", check: bool = True) -> str:
        done = subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        if check and done.returncode:
            raise RuntimeError(f"psql: {statement}: {done.stderr.strip()}")
        return done.stdout.strip()

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        if self.data.exists():
            self._pg_ctl("-m", "immediate", "stop")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class Redis:
    def __init__(self, root: Path) -> None:
        self.folder = root / "redis"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "log")],
            stdout=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )  # fmt: skip
        port_wait(self.port, "Redis", process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class CuttableProxy:
    """A TCP proxy in front of a server: ``cut()`` closes every connection and stops listening
    (clients get "connection refused", as when the object store's network is gone) until
    ``mend()``. Threads, not asyncio: a handful of connections, and no event loop to share."""

    def __init__(self, target_port: int, tls: ssl.SSLContext | None = None) -> None:
        self.target_port = target_port
        self.tls = tls
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._open = self._open, set()
        if listener is not None:
            listener.close()
        for connection in connections:
            _close(connection)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    _close(upstream)
                    return
                self._open.update((client, upstream))
            threading.Thread(target=self._connect, args=(client, upstream), daemon=True).start()

    def _connect(self, client: socket.socket, upstream: socket.socket) -> None:
        if self.tls is not None:
            try:
                client = self.tls.wrap_socket(client, server_side=True)
            except (OSError, ssl.SSLError):
                _close(client)
                _close(upstream)
                return
            with self._lock:
                self._open.add(client)
        self._pump(client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Both directions in one thread: an SSL socket must not be read in one thread while it
        is written in another (OpenSSL's state is not shared safely; bytes then leak out
        unencrypted)."""
        peers = {client: upstream, upstream: client}
        try:
            with selectors.DefaultSelector() as selector:
                for connection in peers:
                    selector.register(connection, selectors.EVENT_READ)
                while True:
                    for key, _ in selector.select(timeout=60):
                        source = key.fileobj
                        assert isinstance(source, socket.socket)
                        data = source.recv(65536)
                        if not data:
                            return
                        peers[source].sendall(data)
                        # TLS may hold decrypted bytes that select() does not see.
                        while isinstance(source, ssl.SSLSocket) and source.pending():
                            peers[source].sendall(source.recv(65536))
        except (OSError, ValueError):
            return
        finally:
            for connection in peers:
                _close(connection)
                with self._lock:
                    self._open.discard(connection)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


class ObjectStore:
    """moto's S3 in server mode, reached through a CuttableProxy (the address the site gets)."""

    BUCKET = "studymarket"
    ACCESS_KEY = "scale-test-access"
    SECRET_KEY = "scale-test-secret"  # nosec B105 - a throwaway server on loopback

    def __init__(self, root: Path, tls: ssl.SSLContext) -> None:
        self.folder = root / "objectstore"
        self.server_port = free_port()
        self.proxy = CuttableProxy(self.server_port, tls)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(exist_ok=True)
        with (self.folder / "log").open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.server_port)],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
            )  # fmt: skip
        port_wait(self.server_port, "moto", process=self.process)
        self.proxy.mend()
        self._bucket()

    def _bucket(self) -> None:
        import json

        import boto3  # type: ignore[import-untyped]

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.server_port}",
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
            region_name="eu-west-1",
        )
        s3.create_bucket(Bucket=self.BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_versioning(Bucket=self.BUCKET, VersioningConfiguration={"Status": "Enabled"})
        # Previews and avatars are public; sellers' documents and buyers' copies never are.
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{self.BUCKET}/public/*",
                }
            ],
        }
        s3.put_bucket_policy(Bucket=self.BUCKET, Policy=json.dumps(policy))

    def stop(self) -> None:
        self.proxy.cut()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.proxy.port}"


class Nginx:
    def __init__(self, root: Path) -> None:
        self.folder = root / "nginx"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, upstreams: list[str], static_root: Path, certificate: Path, key: Path) -> None:
        from scale.render import nginx_conf

        if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
            raise RuntimeError("nginx is not installed (Debian: nginx; `make system-packages` installs it).")
        for sub in ("logs", "temp"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        configuration = self.folder / "nginx.conf"
        configuration.write_text(
            nginx_conf(
                upstreams=upstreams,
                listen=f"127.0.0.1:{self.port}",
                server_name="127.0.0.1",
                certificate=str(certificate),
                certificate_key=str(key),
                static_root=str(static_root),
                pid=str(self.folder / "nginx.pid"),
                logs=str(self.folder / "logs"),
                temp=str(self.folder / "temp"),
            )
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.folder), "-c", str(configuration), "-g", "daemon off;"],
            stderr=(self.folder / "logs" / "stderr.log").open("wb"),
            preexec_fn=die_with_parent,
        )
        port_wait(self.port, "nginx", process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"
