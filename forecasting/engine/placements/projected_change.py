"""N̂ for each placement type from the scenario's demand method, and the projected change
(N̂ − C) × unit_cost_new × days / 7 (FORECAST.md, Placements: demand methods, projected change).

N̂(t) = (M_{t−1} + M_t)/2 from the projected month-end numbers, with M_p the ACTUAL number on
the as-at date; the commitments method gives N̂ = C, so no projected change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.engine import demand
from forecasting.engine.money import round_pence_array
from forecasting.engine.placements.committed import Committed, FeeUplift, YearMonths, assumption_for
from forecasting.engine.placements.register import RegisterRows
from forecasting.engine.placements.unit_cost import default_unit_cost_of_type
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Projected:
    """N̂ and the projected change by type and month. Starts as the committed numbers, so months
    ≤ p (and types forecast by commitments) keep the register's numbers."""

    month_end: FloatArray
    average: FloatArray  # N̂
    p10: FloatArray
    p90: FloatArray
    change: IntArray  # pence: (N̂ − C) × unit cost × days / 7, rounded once per type and month
    unit_costs: IntArray  # pence a week, per type
    models_used: list[dict[str, object]] = field(default_factory=list)


def project_demand(
    rows: RegisterRows,
    months: YearMonths,
    uplift: FeeUplift,
    committed: Committed,
    history: pd.DataFrame,
    assumptions: Mapping[str, PlacementAssumption],
    *,
    as_at: date,
    as_at_period: int,
    interval: str,
    chosen: ChosenDemand | None = None,
) -> Projected:
    """N̂ per type from its demand method and the projected change (N̂ − C) × unit cost.
    `auto` uses the method `chosen` names for the type; every method's interval is its ratios
    in `chosen` (the back-test's own errors), else the statistical model's own band, else none.
    A best or worst scenario that names its own method for a type keeps that method's path."""
    p = as_at_period
    n_types = len(rows.type_codes)
    out = Projected(
        month_end=committed.month_end.copy(),
        average=committed.average.copy(),
        p10=np.full((n_types, 12), np.nan),
        p90=np.full((n_types, 12), np.nan),
        change=np.zeros((n_types, 12), dtype=np.int64),
        unit_costs=np.zeros(n_types, dtype=np.int64),
    )
    history_by_type = {code: part for code, part in history.groupby("placement_type", sort=False)}
    plans = {
        code: _plan_type(code, assumption_for(assumptions, code), history_by_type, committed.month_end[k, p:], chosen)
        for k, code in enumerate(rows.type_codes)
        if p < 12
    }
    scale = _total_scale(plans, history_by_type, committed, rows.type_codes, p, chosen)
    for k, code in enumerate(rows.type_codes):  # a loop over placement types (≈15), not rows
        assumption = assumption_for(assumptions, code)
        asked = assumption.demand_method or "commitments"
        unit, source = (
            (int(assumption.new_unit_cost), "scenario")
            if assumption.new_unit_cost is not None
            else default_unit_cost_of_type(rows, k, as_at)
        )
        out.unit_costs[k] = unit
        model, used = "n/a", 0
        method = plans[code].method if code in plans else _method_of(asked, code, assumption.net_change, chosen)[0]
        if code in plans:
            plan = plans[code]
            factor = scale.get(code)
            forecast = plan.forecast if factor is None else _scaled(plan.forecast, factor)
            if plan.ratios is not None:
                forecast = _with_ratios(forecast, plan.ratios)
            model = forecast.model if method in ("statistical", "combined") else "n/a"
            used = forecast.history_months
            path = "middle" if assumption.own_path else interval
            n_hat = _take_path(out, k, p, method, forecast, plan.last_actual, committed, path, factor)
            out.average[k, p:] = n_hat
            # (N̂ − C) × unit cost × days / 7, uplifted for the days on or after the uplift date
            weighted_days = months.days[p:] + uplift.fraction[k] * uplift.days[k, p:]
            out.change[k, p:] = round_pence_array((n_hat - committed.average[k, p:]) * unit * weighted_days / 7.0)
        out.models_used.append(
            {
                "placement_type": code,
                "demand_method": asked,
                "chosen_method": method if asked == "auto" else "",
                "model": model,
                "history_months": used,
                "unit_cost_new": unit,
                "unit_cost_source": source,
            }
        )
    return out


@dataclass(frozen=True, eq=False)
class _Plan:
    """A type's middle forecast after the as-at period, before any scaling and interval."""

    method: str
    forecast: demand.DemandForecast
    last_actual: float
    ratios: Mapping[int, tuple[float, float]] | None
    auto: bool


def _plan_type(
    code: str,
    assumption: PlacementAssumption,
    history_by_type: Mapping[str, pd.DataFrame],
    committed_month_ends: FloatArray,
    chosen: ChosenDemand | None,
) -> _Plan:
    asked = assumption.demand_method or "commitments"
    method, net_change = _method_of(asked, code, assumption.net_change, chosen)
    history = history_by_type.get(code)
    forecast, last_actual = _forecast_type(method, history, committed_month_ends, net_change=net_change)
    ratios = chosen.interval_of(code, asked) if chosen is not None else None
    return _Plan(method, forecast, last_actual, ratios, asked == "auto")


def _total_scale(
    plans: Mapping[str, _Plan],
    history_by_type: Mapping[str, pd.DataFrame],
    committed: Committed,
    type_codes: list[str],
    p: int,
    chosen: ChosenDemand | None,
) -> dict[str, FloatArray]:
    """Per type, the month-by-month factor its `auto` path is scaled by when the back-test chose
    to report the total that way (``ChosenDemand.total_method``): every type of
    ``total_types`` that is `auto` here, forecast by that one method and added up (T), over the
    same types' own paths added up (S); f = T / S, and 1 where S is zero. Types outside them, or
    not `auto`, are not scaled."""
    if chosen is None or chosen.total_method is None or p >= 12:
        return {}
    scaled = [code for code in chosen.total_types if code in plans and plans[code].auto]
    if not scaled:
        return {}
    index = {code: k for k, code in enumerate(type_codes)}
    own = np.sum([plans[code].forecast.month_end for code in scaled], axis=0)
    alike = np.sum(
        [
            _forecast_type(
                chosen.total_method, history_by_type.get(code), committed.month_end[index[code], p:], net_change=0.0
            )[0].month_end
            for code in scaled
        ],
        axis=0,
    )
    factor = np.where(own > 0, alike / np.where(own > 0, own, 1.0), 1.0)
    return dict.fromkeys(scaled, factor)


def _scaled(forecast: demand.DemandForecast, factor: FloatArray) -> demand.DemandForecast:
    return replace(
        forecast,
        month_end=forecast.month_end * factor,
        p10=None if forecast.p10 is None else forecast.p10 * factor,
        p90=None if forecast.p90 is None else forecast.p90 * factor,
    )


def _method_of(
    asked: str, code: str, net_change: float | None, chosen: ChosenDemand | None
) -> tuple[str, float | None]:
    """The method that forecasts the type and its Δ. `auto` without a back-test is no change:
    a forecast is never made from nothing."""
    if asked != "auto":
        return asked, net_change
    if chosen is None:
        return "net_change", 0.0
    return chosen.method_of(code), 0.0


def _with_ratios(forecast: demand.DemandForecast, ratios: Mapping[int, tuple[float, float]]) -> demand.DemandForecast:
    """p10 and p90 = the middle path (for commitments, the committed numbers) times the
    calibrated ratios at each horizon; a horizon without ratios keeps the middle path."""
    mid = forecast.month_end
    horizons = range(1, len(mid) + 1)
    low = np.asarray([ratios.get(h, (1.0, 1.0))[0] for h in horizons], dtype=np.float64)
    high = np.asarray([ratios.get(h, (1.0, 1.0))[1] for h in horizons], dtype=np.float64)
    return replace(forecast, p10=np.maximum(mid * low, 0.0), p90=mid * high)


def _forecast_type(
    method: str,
    history: pd.DataFrame | None,
    committed_month_ends: FloatArray,
    *,
    net_change: float | None,
) -> tuple[demand.DemandForecast, float]:
    """The type's month-end numbers after the as-at period, and M_p (the actual number on the
    as-at date). A type with no history counts as one month of zero children."""
    series = history["month_end_number"].to_numpy(dtype=np.float64) if history is not None else np.zeros(1)
    last_actual = float(series[-1]) if len(series) else 0.0
    forecast = demand.forecast_month_ends(
        method,
        history=series,
        horizon=len(committed_month_ends),
        entries=history["entries"].to_numpy() if history is not None else np.zeros(1),
        exits=history["exits"].to_numpy() if history is not None else np.zeros(1),
        committed_month_ends=committed_month_ends,
        net_change=net_change,
    )
    return forecast, last_actual


def _take_path(
    out: Projected,
    k: int,
    p: int,
    method: str,
    forecast: demand.DemandForecast,
    last_actual: float,
    committed: Committed,
    interval: str,
    factor: FloatArray | None = None,
) -> FloatArray:
    """Write the type's projected month-end path (and interval) into `out`; return N̂ for t > p.
    A commitments path scaled by ``factor`` (the reported total's scale) moves C by it."""
    if method == "commitments":
        n_hat: FloatArray = committed.average[k, p:]  # N̂ = C exactly: no projected change
        if factor is not None:
            n_hat = n_hat * factor
            out.month_end[k, p:] = forecast.month_end
        if forecast.p10 is None or forecast.p90 is None:
            return n_hat
        # Commitments with a calibrated interval: best and worst move C by its ratios.
        out.p10[k, p:], out.p90[k, p:] = forecast.p10, forecast.p90
        if interval == "middle":
            return n_hat
        ratio = (forecast.p10 if interval == "p10" else forecast.p90) / np.where(
            forecast.month_end > 0, forecast.month_end, 1.0
        )
        out.month_end[k, p:] = forecast.path(interval)
        return np.asarray(n_hat * ratio, dtype=np.float64)
    path = forecast.path(interval)
    out.month_end[k, p:] = path
    if forecast.p10 is not None and forecast.p90 is not None:
        out.p10[k, p:] = forecast.p10
        out.p90[k, p:] = forecast.p90
    return demand.average_numbers(last_actual, path)
