from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.static import serve

from studymarket.core.storage import public_storage


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@cache_control(public=True, max_age=86400)
def public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve the public storage (previews, avatars) in the embedded profile.

    Only the "public" storage's folder is reachable here; sellers' documents live
    in another folder that no URL maps to. At scale, object storage serves these.
    """
    return serve(request, path, document_root=public_storage().location)  # type: ignore[attr-defined]


@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers and crawlers ask for whatever the page's <link rel="icon">
    says: the SVG icon. Not a permanent redirect: the icon's static name changes with its content."""
    return HttpResponseRedirect(static("favicon.svg"))
