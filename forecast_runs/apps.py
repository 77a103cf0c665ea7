from django.apps import AppConfig


class ForecastRunsConfig(AppConfig):
    """Running the monthly forecast: requests, the worker's task, recovery, the schedule,
    back-tests, the inputs gathered from the domain apps, and the run's pages and exports.
    It has no models: runs and their results are the financial core's (forecasting.models)."""

    name = "forecast_runs"
    verbose_name = "Forecast runs"

    def ready(self) -> None:
        # A submitted period asks for a forecast; the beat schedule's tasks register with Celery.
        from forecast_runs import receivers, schedule  # noqa: F401
