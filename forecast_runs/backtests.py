"""The back-test behind the forecast's intervals (FORECAST.md, Accuracy), as its own task.

Fitting the statistical model at a couple of dozen past dates takes longer than a forecast run,
so it runs once a month per authority (when the first run of a new as-at date needs it) and the
runs use its factors. Naive here means "numbers stay as they are" (net change 0).
"""

from __future__ import annotations

import math
import time
from datetime import date

from django.utils import timezone

from accounts.models import Authority, User
from forecasting.engine.backtest import backtest, calibration_factors, coverage_after_calibration, month_ends_between
from forecasting.models import BacktestReport, ScenarioAssumption
from placements.selectors import placement_register_frame, placement_types_frame

METHOD_NAMES = {
    "commitments": "Commitments only",
    "net_change": "Naive (numbers stay as they are)",
    "trend": "Trend",
    "statistical": "Statistical model",
    "flow": "Entries and exits",
}


def backtest_origins(as_at: date, *, months: int = 24, step: int = 3) -> list[date]:
    """Quarter-ends over the two years before the as-at date (8 forecasting dates)."""
    start = date(as_at.year - months // 12, as_at.month, 1)
    ends = [d for d in month_ends_between(start, as_at) if d < as_at]
    return ends[::-1][::step][::-1]


def statistical_in_use(*, authority: Authority) -> bool:
    return ScenarioAssumption.objects.filter(scenario__authority=authority, demand_method="statistical").exists()


def backtest_for(*, authority: Authority, as_at: date) -> BacktestReport | None:
    """The latest finished report made at or before `as_at`."""
    return (
        BacktestReport.objects.filter(authority=authority, status=BacktestReport.Status.SUCCEEDED, as_at__lte=as_at)
        .order_by("-as_at", "-finished_at")
        .first()
    )


def backtest_request(*, authority: Authority, as_at: date, user: User | None) -> BacktestReport:
    return BacktestReport.objects.create(authority=authority, as_at=as_at, requested_by=user)


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if hasattr(value, "item") else value


def backtest_execute(*, report_id: int) -> str:
    claimed = BacktestReport.objects.filter(pk=report_id, status=BacktestReport.Status.PENDING).update(
        status=BacktestReport.Status.RUNNING
    )
    if not claimed:
        return "not claimed"
    report = BacktestReport.objects.select_related("authority").get(pk=report_id)
    started = time.perf_counter()
    register = placement_register_frame(authority=report.authority)
    origins = backtest_origins(report.as_at)
    if register.empty or not origins:
        BacktestReport.objects.filter(pk=report_id).update(
            status=BacktestReport.Status.FAILED,
            finished_at=timezone.now(),
            error="There is no placement history to test forecasts against.",
        )
        return BacktestReport.Status.FAILED
    result = backtest(register, placement_types_frame(), origins=origins, actuals_up_to=report.as_at, horizon=12)
    factors = calibration_factors(result.forecasts)
    coverage = coverage_after_calibration(result.forecasts, factors)
    summary = [
        {k: _clean(v) for k, v in row.items()} | {"method_name": METHOD_NAMES.get(str(row["method"]), row["method"])}
        for row in result.summary.to_dict("records")
    ]
    BacktestReport.objects.filter(pk=report_id).update(
        status=BacktestReport.Status.SUCCEEDED,
        finished_at=timezone.now(),
        origins=[d.isoformat() for d in origins],
        summary=summary,
        coverage=[{k: _clean(v) for k, v in row.items()} for row in coverage.to_dict("records")],
        factors={k: round(float(v), 4) for k, v in factors.items()},
        seconds=round(time.perf_counter() - started, 2),
    )
    return BacktestReport.Status.SUCCEEDED
