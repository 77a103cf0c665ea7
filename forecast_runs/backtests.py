"""The back-test behind the forecast's methods and intervals (FORECAST.md, Accuracy), as its
own task.

Fitting the statistical model at a couple of dozen past dates takes longer than a forecast run,
so it runs once a month per authority (before the first run of a new as-at date) and the runs
use its choices and calibrated intervals. Naive here means "numbers stay as they are" (net
change 0).
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

import pandas as pd
from django.utils import timezone

from accounts.models import Authority, User
from forecast_runs.demand.methods import LABELS
from forecast_runs.demand.register_choice import RegisterChoice, choose_from_register, records_from_engine
from forecast_runs.demand.register_replay import history_at, origins_before
from forecast_runs.demand.series import TOTAL, FloatArray
from forecasting.engine.backtest import backtest
from forecasting.engine.scenarios import ChosenDemand
from forecasting.models import BacktestReport, ScenarioAssumption
from placements.selectors import placement_register_frame, placement_types_frame

SHOWN_HORIZONS = (1, 3, 6, 12)  # months ahead on the back-test page


def backtest_origins(as_at: date, *, months: int = 24, step: int = 3) -> list[date]:
    """Quarter-ends over the two years before the as-at date (8 forecasting dates)."""
    return origins_before(as_at, months=months, step=step)


def backtest_wanted(*, authority: Authority) -> bool:
    """Whether runs need the back-test: every demand method takes its interval from it (and
    best and worst their numbers), and ``auto`` its method. A scenario that only counts the
    children already placed, with no interval of its own, does not."""
    return (
        ScenarioAssumption.objects.filter(scenario__authority=authority)
        .exclude(demand_method__in=("", "commitments"))
        .exists()
    )


def backtest_for(*, authority: Authority, as_at: date) -> BacktestReport | None:
    """The latest finished report made at or before `as_at`."""
    return (
        BacktestReport.objects.filter(authority=authority, status=BacktestReport.Status.SUCCEEDED, as_at__lte=as_at)
        .order_by("-as_at", "-finished_at")
        .first()
    )


# The back-test's names for the methods, as the engine knows them; a type with no placements
# ("zero") is no change from nothing, which stays at zero.
_ENGINE_METHOD = {"naive": "net_change", "zero": "net_change"}


def chosen_demand(report: BacktestReport) -> ChosenDemand:
    """What the back-test of ``report`` means in a run: each type's chosen method (``auto``),
    its interval ratios by horizon, and those of every method scored (the total is reported,
    not forecast by a run)."""
    return ChosenDemand(
        methods={
            code: _ENGINE_METHOD.get(str(c["method"]), str(c["method"]))
            for code, c in (report.choices or {}).items()
            if code != TOTAL
        },
        intervals={code: _bands(bands) for code, bands in (report.intervals or {}).items() if code != TOTAL},
        method_intervals={
            code: {_ENGINE_METHOD.get(method, method): _bands(bands) for method, bands in by_method.items()}
            for code, by_method in (report.method_intervals or {}).items()
            if code != TOTAL
        },
    )


def _bands(bands: dict[str, list[float]]) -> dict[int, tuple[float, float]]:
    return {int(h): (float(band[0]), float(band[1])) for h, band in bands.items()}


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
    summary = [
        {k: _clean(v) for k, v in row.items()} | {"method_name": LABELS.get(str(row["method"]), row["method"])}
        for row in result.summary.to_dict("records")
    ]
    BacktestReport.objects.filter(pk=report_id).update(
        status=BacktestReport.Status.SUCCEEDED,
        finished_at=timezone.now(),
        origins=[d.isoformat() for d in origins],
        summary=summary,
        **_choice_fields(choose_from_register(records_from_engine(result.forecasts), _history(register, report.as_at))),
        seconds=round(time.perf_counter() - started, 2),
    )
    return BacktestReport.Status.SUCCEEDED


def _history(register: pd.DataFrame, as_at: date) -> dict[str, FloatArray]:
    """Month-end numbers up to the as-at date of each type in the register, and their total."""
    return history_at(register, placement_types_frame(), as_at)


def _choice_fields(chosen: RegisterChoice) -> dict[str, Any]:
    """The report's ``choices``, ``intervals`` and ``interval_coverage`` (JSON)."""
    return {
        "choices": {
            name: {
                "method": c.method,
                "reason": c.reason,
                "average": None if c.average is None else round(c.average, 2),
                "errors": {
                    method: {str(h): round(mape, 2) for h, mape in by_h.items() if h in SHOWN_HORIZONS}
                    for method, by_h in chosen.errors.get(name, {}).items()
                },
            }
            for name, c in chosen.choices.items()
        },
        "intervals": {name: _bands_json(bands) for name, bands in chosen.ratios.items()},
        "method_intervals": {
            name: {method: _bands_json(bands) for method, bands in by_method.items()}
            for name, by_method in chosen.method_ratios.items()
        },
        "interval_coverage": chosen.coverage,
    }


def _bands_json(bands: list[tuple[float, float]]) -> dict[str, list[float]]:
    return {str(h): [round(lo, 4), round(hi, 4)] for h, (lo, hi) in enumerate(bands, start=1)}
