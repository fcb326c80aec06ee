from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.i18n import JavaScriptCatalog, set_language

from studymarket.api.api import api
from studymarket.core.views import favicon, healthz, public_media
from studymarket.storefront import sitemaps

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    # /readyz and /metrics, for monitoring (slice "observe"; studymarket.operations).
    path("", include("studymarket.operations.urls")),
    path("favicon.ico", favicon, name="favicon"),
    # For search engines, outside the language prefixes: one of each for the whole site.
    path("robots.txt", sitemaps.robots, name="robots_txt"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("webhooks/mollie/", include("studymarket.payments.webhook_urls")),
    # The JSON API (slice "api", ADR 0029): /api/v1/..., /api/openapi.json, /api/docs.
    path("api/", api.urls),
]
if settings.STORAGE == "local":
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", public_media, name="public_media")]

urlpatterns += i18n_patterns(
    path("", include("studymarket.storefront.urls")),
    path("", include("studymarket.search.urls")),
    path("account/", include("studymarket.accounts.urls")),
    path("account/mijn-gegevens/", include("studymarket.privacy.urls")),
    path("", include("studymarket.catalog.urls")),
    path("verkopen/", include("studymarket.selling.urls")),
    # Rights holders register their material as fingerprints (slice moderation).
    path("rechthebbenden/", include("studymarket.selling.rights_urls")),
    path("verkopen/verdiensten/", include("studymarket.ledger.urls")),
    path("verkopen/kortingscodes/", include("studymarket.promotions.urls")),
    path("winkelwagen/", include("studymarket.checkout.urls")),
    path("betalen/", include("studymarket.payments.urls")),
    path("mijn-documenten/", include("studymarket.library.urls")),
    path("reviews/", include("studymarket.reviews.urls")),
    path("meldingen/", include("studymarket.notifications.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("studymarket.trust.urls")),
    # Before support's beheer/ and the admin's catch-all (slice trust-core).
    path("beheer/meldingen/", include("studymarket.trust.staff_urls")),
    # The site's own health for staff (slice "observe"), before the admin's catch-all too.
    path("beheer/status/", include("studymarket.operations.staff_urls")),
    # Before the admin, whose catch-all would otherwise answer every path under beheer/.
    path("beheer/", include("studymarket.support.urls")),
    path("beheer/", admin.site.urls),
    prefix_default_language=False,
)
