from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    name = "studymarket.checkout"
    label = "checkout"
    verbose_name = _("Winkelwagens")

    def ready(self) -> None:
        from studymarket.checkout import receivers  # noqa: F401  (connects the signal receivers)
