from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"
    verbose_name = "Budgets, actuals and forecasts"

    def ready(self) -> None:
        from forecasting import importers  # noqa: F401  (registers budget and actuals imports)
