from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.models import Authority
    from forecast_runs.backtest_sections import Section


def published_outturn_section(authority: Authority) -> Section:
    """`dashboards.selectors.published_outturn_section`, imported when the back-test page asks:
    the selectors import the dashboard document and its charts (plotly), which a command, a
    worker or a page that shows no dashboard never needs."""
    from dashboards.selectors import published_outturn_section as section_for

    return section_for(authority)


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        from dashboards import receivers  # noqa: F401  (prepares a finished run's dashboard)
        from forecast_runs import backtest_sections

        # The back-test page shows how each published forecast compared with the outturn.
        backtest_sections.register("published-outturn", published_outturn_section)
