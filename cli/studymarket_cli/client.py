"""The site's JSON API (/api/v1/) over httpx: one place that turns failures into Dutch messages.

Errors come as application/problem+json ({type, title, status, detail}); the command prints
`detail` (or `title`). Anything else that goes wrong (no network, a wrong address, a proxy's
HTML page) gets a message that says what to check."""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx

from studymarket_cli import __version__
from studymarket_cli.errors import CliError

# Pages of a list are fetched until `count` is reached; a site that never stops is cut off here.
_MAX_PAGES = 500


class ApiClient:
    def __init__(self, *, site: str, token: str, transport: httpx.BaseTransport | None = None) -> None:
        self.site = site
        self._http = httpx.Client(
            base_url=f"{site}/api/v1",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": f"studymarket-cli/{__version__}",
            },
            timeout=httpx.Timeout(30.0, connect=10.0),
            # A redirect means the address is not quite right; a streamed upload cannot be sent twice.
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, *, params: Mapping[str, str | int] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, *, json: object = None) -> Any:
        return self.request("POST", path, json=json)

    def patch(self, path: str, *, json: object) -> Any:
        return self.request("PATCH", path, json=json)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: object = None,
        content: Iterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        """The decoded JSON body of a 2xx answer (None when empty); CliError otherwise."""
        try:
            response = self._http.request(
                method,
                path,
                params=params,
                json=json,
                content=content,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise CliError(
                f"{self.site} antwoordt niet op tijd. Controleer je verbinding en probeer het zo opnieuw."
            ) from exc
        except httpx.TransportError as exc:
            raise CliError(
                f"Kan {self.site} niet bereiken ({exc or type(exc).__name__}). "
                "Controleer je internetverbinding en het adres van de site (studymarket login --site …)."
            ) from exc
        return self._decoded(response)

    def pages(self, path: str, *, params: Mapping[str, str | int] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list ({items, count}), page by page."""
        seen = 0
        for page in range(1, _MAX_PAGES + 1):
            body = self.get(path, params={**(params or {}), "page": page})
            items = (body.get("items") or []) if isinstance(body, dict) else []
            yield from items
            seen += len(items)
            if not items or seen >= int(body.get("count") or 0):
                return

    def _decoded(self, response: httpx.Response) -> Any:
        if response.is_redirect:
            location = response.headers.get("location", "")
            raise CliError(
                f"De site stuurt door naar {location}. Log in met dat adres: studymarket login --site …",
                status=response.status_code,
            )
        if response.is_success:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError as exc:
                raise self._unexpected(response) from exc
        raise self._refusal(response)

    def _refusal(self, response: httpx.Response) -> CliError:
        try:
            body = response.json()
        except ValueError:
            return self._unexpected(response)
        message = _problem_text(body) if isinstance(body, dict) else ""
        if not message:
            return self._unexpected(response)
        if response.status_code == 401:
            message += (
                f"\nMaak een nieuwe token op {self.site}/account/tokens/ "
                "en log opnieuw in met: studymarket login"
            )
        return CliError(message, status=response.status_code)

    def _unexpected(self, response: httpx.Response) -> CliError:
        return CliError(
            f"{self.site} gaf een onverwacht antwoord (HTTP {response.status_code}). "
            "Klopt het adres van de site? Probeer het anders later opnieuw.",
            status=response.status_code,
        )


def _problem_text(body: dict[str, Any]) -> str:
    """`detail` (else `title`), then a 422's field errors ({loc, msg}), one line each."""
    detail, title = body.get("detail"), body.get("title")
    text = detail if isinstance(detail, str) and detail.strip() else title if isinstance(title, str) else ""
    lines = [text.strip()] if text.strip() else []
    errors = body.get("errors") if isinstance(body.get("errors"), list) else detail
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict) and error.get("msg"):
            where = ".".join(str(part) for part in error.get("loc", []) if part not in ("body", "payload"))
            lines.append(f"  {where}: {error['msg']}" if where else f"  {error['msg']}")
    return "\n".join(lines)
