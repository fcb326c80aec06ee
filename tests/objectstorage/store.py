"""An S3-compatible server on loopback for the object-storage tests: moto in server mode, with
what moto leaves out and these tests need.

- moto accepts any pre-signed URL (it does not check the query-string signature, nor whether
  the URL has expired); ``PresignedUrlCheck`` does, as S3 does, before moto sees the request:
  a changed signature or parameter is 403 SignatureDoesNotMatch, an old URL 403 "Request has
  expired". Its clock can be set (``clock``), so no test waits for an expiry.
- ``MotoStore.stop`` closes the listening socket too (moto's leaves it open, so clients would
  wait for a timeout instead of being refused), and ``start`` again takes the same port:
  an outage and a recovery. moto keeps its buckets in this process, so they survive both.
"""

import hmac
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from botocore.auth import S3SigV4QueryAuth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "eu-west-1"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PresignedUrlCheck:
    """WSGI middleware: refuse a pre-signed request whose signature or age is wrong."""

    app: Callable[[Environ, StartResponse], Iterable[bytes]]
    clock: Callable[[], float] = time.time  # the store's "now" (a test may set it)
    refused: list[str] = field(default_factory=list)  # the reasons, in order (for the tests)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if "X-Amz-Signature=" in query:
            problem = self._problem(environ, query)
            if problem is not None:
                self.refused.append(problem)
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    f"<Error><Code>{problem}</Code><Message>refused by the test store</Message></Error>"
                ).encode()
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [body]
        return self.app(environ, start_response)

    def _problem(self, environ: Environ, query: str) -> str | None:
        params = dict(parse_qsl(query, keep_blank_values=True))
        try:
            signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            expires = int(params["X-Amz-Expires"])
        except (KeyError, ValueError):
            return "AuthorizationQueryParametersError"
        if self.clock() > signed_at.timestamp() + expires:
            return "AccessDenied"  # S3: "Request has expired"
        if not params.get("X-Amz-Credential", "").startswith(f"{ACCESS_KEY}/"):
            return "InvalidAccessKeyId"
        unsigned = "&".join(pair for pair in query.split("&") if not pair.startswith("X-Amz-Signature="))
        host = environ.get("HTTP_HOST", "")
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        path = path.split("?", 1)[0]
        request = AWSRequest(method=environ["REQUEST_METHOD"], url=f"http://{host}{path}?{unsigned}")
        request.context["timestamp"] = params["X-Amz-Date"]
        auth = S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION, expires=expires)
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
            return "SignatureDoesNotMatch"
        return None


class MotoStore(ThreadedMotoServer):
    """moto's threaded server behind PresignedUrlCheck, that can be stopped and started again."""

    def __init__(self, port: int) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self.check = PresignedUrlCheck(DomainDispatcherApplication(create_backend_app))

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def _server_entry(self) -> None:
        self._server = make_server(
            self._ip_address, self._port, self.check, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    def stop(self) -> None:
        super().stop()
        if self._server is not None:
            self._server.server_close()  # refused from now on, not left waiting
            self._server = None
