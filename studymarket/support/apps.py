from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    """The back office: staff-only pages that call other apps' services; it has no models."""

    name = "studymarket.support"
    label = "support"
    verbose_name = _("Klantenservice")
