from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "studymarket.checkout"
    label = "checkout"

    def ready(self) -> None:
        from studymarket.checkout import receivers  # noqa: F401  (connects the signal receivers)
