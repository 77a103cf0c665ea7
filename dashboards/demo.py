"""The demo county's forecasts (seed_demo): scenarios, the month's back-test, a published forecast
of the last locked period with commentary and the director's sign-off, and a forecast of the
latest submitted period, so that every role sees a populated product at once."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Authority, Role, User
from dashboards.services import commentary_save, period_sign_off
from dashboards.sign_off_reads import sign_off_checks
from forecast_runs.backtests import backtest_execute, backtest_request
from forecast_runs.dispatch import forecast_run_request
from forecast_runs.execute import forecast_run_execute
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.models import FinancialYear, ForecastRun
from forecasting.scenario_services import scenarios_replace


def seed_demo_data(*, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
    """Scenarios, the back-test, a published forecast of the last locked period (with commentary
    and the director's sign-off) and a forecast of the latest submitted period, so that every
    role sees a populated product at once. Runs the services in-process (no worker needed)."""

    calendar = Calendar.from_label(year_label)
    october = calendar.month_start(7)
    scenarios_replace(
        authority=authority,
        user=users[Role.FINANCE_OFFICER],
        rows=[
            ("middle", {"demand_method": "auto"}),
            ("middle", {"agency_target_fte": Decimal(60), "billable_factor": Decimal("0.9")}),
            ("best", {"delivery_at_risk_pct": Decimal(75), "agency_target_fte": Decimal(50)}),
            (
                "worst",
                {
                    "placement_type": "residential_external",
                    "fee_uplift_pct": Decimal("3.5"),
                    "fee_uplift_from": october,
                },
            ),
            (
                "worst",
                {"placement_type": "fostering_ifa", "fee_uplift_pct": Decimal("2.5"), "fee_uplift_from": october},
            ),
            ("worst", {"delivery_at_risk_pct": Decimal(25), "agency_target_fte": Decimal(75)}),
        ],
    )
    year = FinancialYear.objects.get(authority=authority, label=year_label)
    published_period = max(period - 2, 1)
    report = backtest_request(authority=authority, as_at=calendar.as_at_date(published_period), user=None)
    backtest_execute(report_id=report.pk)
    runs = []
    for number in sorted({published_period, max(period - 1, 1)}):
        run = forecast_run_request(
            authority=authority,
            year=year,
            period=number,
            user=users[Role.FINANCE_OFFICER],
            trigger=ForecastRun.Trigger.BUTTON,
        )
        forecast_run_execute(run_id=run.pk)
        run.refresh_from_db()
        runs.append(run)
    first = runs[0]
    if first.status != ForecastRun.Status.SUCCEEDED:
        raise RuntimeError(f"The demo forecast failed: {first.error}")
    commentary_save(
        authority=authority,
        user=users[Role.FINANCE_OFFICER],
        year=year,
        period=first.period,
        texts={
            "Children in Care": "External residential placements continue to grow: the forecast assumes the "
            "recent trend continues, with high-cost placements tracked individually.",
            "Social Work": "Agency social workers cover vacancies, maternity leave and ASYE starters; the "
            "forecast assumes agency numbers fall to 60 FTE by March as recruits start.",
            "Legal": "Care proceedings remain above budgeted levels; forecast on the run rate to date.",
        },
    )
    period_sign_off(
        authority=authority,
        user=users[Role.DIRECTOR],
        run=first,
        comment=f"Signed off for the committee: period {first.period} forecast, middle scenario reported.",
        # The demo director has read the sign-off page's list: record every item as looked at.
        acknowledged={item.key for item in sign_off_checks(first).items},
    )
