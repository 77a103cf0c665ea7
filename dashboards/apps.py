from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        from dashboards import receivers  # noqa: F401  (prepares a finished run's dashboard)
        from dashboards.selectors import published_outturn_section
        from forecast_runs import backtest_sections

        # The back-test page shows how each published forecast compared with the outturn.
        backtest_sections.register("published-outturn", published_outturn_section)
