"""The method and interval of each series chosen from the monthly back-test over the register
(``forecasting.engine.backtest``: the register cut with ``known_at`` at each origin), with the
same rules as the replay of the returns (``selection``, ``intervals``).

The engine back-test forecasts each placement type; here its records get this package's names
("no change" for ``net_change``), the combination (the mean of the no change, flow and statistical
paths) and the total (the sum of the types forecast on that date, forecast and actual alike).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast_runs.demand.backtest import RECORD_COLUMNS, mape_table
from forecast_runs.demand.intervals import calibrate, calibrated_interval, coverage, short_series_interval
from forecast_runs.demand.methods import COMBINED_FROM
from forecast_runs.demand.reported import REPORTED, ReportedTotal, reported_total
from forecast_runs.demand.selection import SELECTION_HORIZONS, Choice, choose_method
from forecast_runs.demand.series import MONTHLY, TOTAL, FloatArray

HORIZONS = SELECTION_HORIZONS[MONTHLY]
_ENGINE_NAMES = {"net_change": "naive"}
_KEYS = ["series", "origin", "horizon", "target"]


@dataclass(frozen=True)
class RegisterChoice:
    """Per series: the choice, the interval ratios (low, high) at horizons 1-12 (none for a
    series with no placements) and, per horizon, how often the chosen method's actual fell
    inside its own interval before calibration and inside the calibrated one after."""

    choices: Mapping[str, Choice]
    ratios: Mapping[str, list[tuple[float, float]]]
    coverage: list[dict[str, float | int]]
    errors: Mapping[str, Mapping[str, Mapping[int, float]]]  # series → method → horizon → MAPE %
    # series → method → the ratios of that method's own errors (every method scored), so that a
    # scenario asking for a method by name gets the same calibration as one that lets it be chosen
    method_ratios: Mapping[str, Mapping[str, list[tuple[float, float]]]] = field(default_factory=dict)
    # How a run reports its totals (``reported.ReportedTotal``): None for the sum of each type's
    # chosen forecast, else the method every type in ``scaled_types`` is forecast by, added up,
    # to which those types' chosen paths are scaled; and why, in words.
    scaled_to: str | None = None
    scaled_types: tuple[str, ...] = ()
    reported_reason: str = ""


def records_from_engine(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The engine back-test's rows (method, placement_type, origin, horizon, target_date,
    forecast, actual, p10_raw, p90_raw) as ``RECORD_COLUMNS`` records, with the combination
    and the total added."""
    frame = forecasts.rename(
        columns={"placement_type": "series", "target_date": "target", "p10_raw": "p10_model", "p90_raw": "p90_model"}
    ).assign(method=lambda f: f["method"].replace(_ENGINE_NAMES))
    frame = frame[[c for c in RECORD_COLUMNS if c != "ape"]]
    parts = frame[frame["method"].isin(COMBINED_FROM)]
    grouped = parts.groupby(_KEYS, sort=False)
    combined = grouped.agg(forecast=("forecast", "mean"), actual=("actual", "first"), parts=("method", "size"))
    combined = combined[combined["parts"] == len(COMBINED_FROM)].drop(columns="parts").reset_index()
    frame = pd.concat([frame, combined.assign(method="combined")], ignore_index=True)
    total = frame.groupby(["method", "origin", "horizon", "target"], sort=False)[["forecast", "actual"]].sum()
    # The model's own band of a type says nothing about the sum: the total has none.
    frame = pd.concat([frame, total.reset_index().assign(series=TOTAL)], ignore_index=True)
    actual = frame["actual"].astype(float)
    frame["ape"] = ((frame["forecast"].astype(float) - actual).abs() / actual * 100.0).where(actual > 0)
    return frame[RECORD_COLUMNS].reset_index(drop=True)


def series_length(values: FloatArray) -> int:
    """How many month-ends a series has since its first child (``choose_method``'s length)."""
    nonzero = np.flatnonzero(np.asarray(values) != 0)
    return int(len(values) - nonzero[0]) if len(nonzero) else 0


def choose_from_register(
    records: pd.DataFrame,
    history: Mapping[str, FloatArray],
    groups: Mapping[str, Collection[str]] | None = None,
) -> RegisterChoice:
    """The choice and interval ratios of every series in ``history`` (month-end numbers up to
    the as-at date, by type and ``TOTAL``) from the back-test ``records``. A series too short to
    back-test, or with too few errors to calibrate, gets the wide interval of a short series.

    Each of ``groups`` (default: ``TOTAL``, every type) also gets the error and the ratios of
    the total a run reports, the sum of its types' chosen forecasts, as the method ``REPORTED``
    (``reported``)."""
    scores = mape_table(records)
    choices = {
        name: choose_method(scores[scores["series"] == name], length=series_length(values))
        for name, values in history.items()
    }
    ratios = _ratios(records, history, {n: c.method for n, c in choices.items()}, choices)
    by_method: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for method in sorted(set(records["method"])):
        for name, band in _ratios(records, history, dict.fromkeys(choices, method), choices).items():
            by_method.setdefault(name, {})[method] = band
    errors: dict[str, dict[str, dict[int, float]]] = {}
    for row in scores.itertuples(index=False):
        errors.setdefault(str(row.series), {}).setdefault(str(row.method), {})[int(row.horizon)] = float(row.mape)
    if groups is None:
        groups = {TOTAL: [name for name in history if name != TOTAL]}
    levels = {n: float(v[-1]) for n, v in history.items() if len(v)}
    reported = _add_reported(records, levels, choices, groups, by_method, errors)
    return RegisterChoice(
        choices,
        ratios,
        interval_coverage(records, choices, ratios),
        errors,
        by_method,
        scaled_to=reported.scaled_to if reported else None,
        scaled_types=reported.types if reported else (),
        reported_reason=reported.reason if reported else "",
    )


def _add_reported(
    records: pd.DataFrame,
    levels: Mapping[str, float],
    choices: Mapping[str, Choice],
    groups: Mapping[str, Collection[str]],
    by_method: dict[str, dict[str, list[tuple[float, float]]]],
    errors: dict[str, dict[str, dict[int, float]]],
) -> ReportedTotal | None:
    """How the totals are reported, with their errors by horizon and interval ratios (where
    there are enough errors to calibrate) added to ``errors`` and ``by_method`` under
    ``REPORTED``; None when no total could be measured."""
    types = {n: c.method for n, c in choices.items() if n != TOTAL and c.method != "zero"}
    reported = reported_total(records, types, groups, levels)
    rows, calibration = reported.rows, reported.calibration
    if rows.empty:
        return None
    for row in mape_table(rows).itertuples(index=False):
        errors.setdefault(str(row.series), {}).setdefault(REPORTED, {})[int(row.horizon)] = float(row.mape)
    ones = np.ones(HORIZONS)
    for group in groups:
        band = calibrated_interval(ones, group, calibration)
        if band is not None:
            by_method.setdefault(group, {})[REPORTED] = [(float(lo), float(hi)) for lo, hi in zip(*band, strict=True)]
    return reported


def _ratios(
    records: pd.DataFrame, history: Mapping[str, FloatArray], methods: Mapping[str, str], choices: Mapping[str, Choice]
) -> dict[str, list[tuple[float, float]]]:
    """The (low, high) ratios at horizons 1-12 of each series' method in ``methods``, from that
    method's back-test errors; a series too short to back-test, or with too few errors, gets the
    wide interval of a short series, and one with no placements none."""
    levels = {n: float(v[-1]) for n, v in history.items() if len(v)}
    calibration = calibrate(
        records, {n: m for n, m in methods.items() if choices[n].method != "zero"}, levels=levels, totals=(TOTAL,)
    )
    ones = np.ones(HORIZONS)
    out: dict[str, list[tuple[float, float]]] = {}
    for name, choice in choices.items():
        if choice.method == "zero":
            continue
        band = None if choice.too_short else calibrated_interval(ones, name, calibration)
        low, high = band if band is not None else short_series_interval(history[name], ones)
        out[name] = [(float(lo), float(hi)) for lo, hi in zip(low, high, strict=True)]
    return out


def interval_coverage(
    records: pd.DataFrame, choices: Mapping[str, Choice], ratios: Mapping[str, list[tuple[float, float]]]
) -> list[dict[str, float | int]]:
    """Per horizon 1-12, over every series' chosen method: the share of actuals inside the
    method's own band (a method without one is a single path, which covers only an exact hit)
    and inside the forecast times the calibrated ratios. Measured on the errors the ratios came
    from, so "after" shows what the calibration aims at, not a fresh test of it."""
    chosen = records["series"].map({n: c.method for n, c in choices.items()})
    rows = records[(records["method"] == chosen) & records["horizon"].between(1, HORIZONS)].copy()
    rows = rows[rows["series"].isin(list(ratios))]
    forecast = rows["forecast"].astype(float)
    rows["before_low"] = rows["p10_model"].fillna(forecast)
    rows["before_high"] = rows["p90_model"].fillna(forecast)
    at = list(zip(rows["series"], rows["horizon"].astype(int), strict=True))
    rows["after_low"] = forecast * [ratios[s][h - 1][0] for s, h in at]
    rows["after_high"] = forecast * [ratios[s][h - 1][1] for s, h in at]
    out: list[dict[str, float | int]] = []
    for horizon, part in rows.groupby("horizon", sort=True):
        out.append(
            {
                "horizon": int(horizon),
                "forecasts": len(part),
                "before": round(coverage(part, "before_low", "before_high"), 4),
                "after": round(coverage(part, "after_low", "after_high"), 4),
            }
        )
    return out
