from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    """Notice and action (DSA arts 16, 17, 20, 23): reports about listings, takedowns, statements
    of reasons, appeals, repeat-offender rules and the yearly transparency figures."""

    name = "studymarket.trust"
    label = "trust"
    verbose_name = _("Meldingen en moderatie")
