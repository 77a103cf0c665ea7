from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        from dashboards import receivers  # noqa: F401  (prepares a finished run's dashboard)
