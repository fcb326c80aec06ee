from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "studymarket.catalog"
    label = "catalog"

    def ready(self) -> None:
        from studymarket.catalog import receivers  # noqa: F401  (connects the signal receivers)
