from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "savings"
    verbose_name = "Savings tracker and programmes"

    def ready(self) -> None:
        from savings import importers  # noqa: F401  (registers the savings import)
