from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Data rights (GDPR arts 15, 17, 20): a person's data as a ZIP, and erasing an account while
    keeping what fiscal law requires. It reads every app, so it sits at the top."""

    name = "studymarket.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
