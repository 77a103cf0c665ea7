"""The totals a run reports, chosen and back-tested as reported.

A run forecasts each placement type with the method its back-test chose. The number of children
it reports is one of two things, whichever the authority's own back-test scores better:

* the sum of each type's chosen forecast (``SUM``); or
* that sum scaled, date by date, to every type forecast by one method and added up (the types'
  paths keep their shape; only their total moves). Small types are noisy and their errors do not
  cancel, while every type forecast alike is steadier: on the SSDA903 sample the plain sum was
  14.3% out at 6 months and 33.1% at 12; chosen on each date, 9.8% and 19.0% (docs/accuracy.md).

The candidates are scored like methods (``selection``): only one no worse than no change at every
horizon from 1 to 12 months can be chosen, so the total a run shows is never worse than no change
on its own back-test. The error and interval of a reported total are measured on what is chosen:
at each past origin and horizon, the members' forecasts added up against their actuals added up.
Groups are ``TOTAL`` (every type) and ``IN_CARE`` (the types that stop at 18: the dashboard's
"children in care"); both take the scale of ``TOTAL``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from forecast_runs.demand.backtest import mape_table
from forecast_runs.demand.intervals import Calibration, calibrate
from forecast_runs.demand.methods import LABELS, METHODS
from forecast_runs.demand.selection import SELECTION_HORIZONS
from forecast_runs.demand.series import MONTHLY, TOTAL

REPORTED = "reported"  # the method name of a reported total's rows
IN_CARE = "in care"  # not a type code: codes have no spaces
SUM = "sum"  # the way: each type's chosen forecast added up, unscaled
_KEYS = ["origin", "horizon", "target"]
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ReportedTotal:
    """How a run reports its totals: ``scaled_to`` is None for the sum of each type's chosen
    forecast, else the method (the replay's name) whose forecast of every type in ``types``,
    added up, those types' chosen paths are scaled to. ``reason`` says why, in words."""

    scaled_to: str | None
    types: tuple[str, ...]
    reason: str
    rows: pd.DataFrame
    calibration: Calibration


def counted_types(records: pd.DataFrame, chosen: Mapping[str, str], members: Collection[str]) -> list[str]:
    """The members a back-test can measure: not forecast as zero (no placements) and with past
    forecasts of their chosen method (a type too short to back-test has none)."""
    seen = set(records.loc[records["method"] == records["series"].map(chosen), "series"])
    return [m for m in members if chosen.get(m) not in (None, "zero") and m in seen]


def _sums(records: pd.DataFrame, methods: Mapping[str, str]) -> pd.DataFrame:
    """At each (origin, horizon, target) where every series of ``methods`` has a row of its
    method: their forecasts and actuals added up."""
    rows = records[records["series"].isin(list(methods)) & (records["method"] == records["series"].map(methods))]
    sums = rows.groupby(_KEYS, sort=True).agg(
        forecast=("forecast", "sum"), actual=("actual", "sum"), members=("series", "nunique")
    )
    return sums[sums["members"] == len(methods)].drop(columns="members")


def _with_ape(sums: pd.DataFrame, series: str, method: str) -> pd.DataFrame:
    out = sums.reset_index()
    actual = out["actual"].astype(float)
    out["ape"] = ((out["forecast"].astype(float) - actual).abs() / actual * 100.0).where(actual > 0)
    return out.assign(series=series, method=method)


def reported_sums(
    records: pd.DataFrame,
    chosen: Mapping[str, str],
    groups: Mapping[str, Collection[str]],
    scaled_to: str | None = None,
) -> pd.DataFrame:
    """Rows (``records``' columns) of series ``group`` and method ``REPORTED`` for every group:
    at each (origin, horizon, target) the sum of each counted member's ``chosen`` forecast (times
    the scale, when ``scaled_to`` names a method) and of the members' actuals. The scale at a key
    is every counted type of ``TOTAL`` (else of the first group) forecast by ``scaled_to`` and
    added up, over the same types' chosen forecasts added up. A key at which a counted member has
    no row is left out, as its sum would be short."""
    columns = [*records.columns, *(["ape"] if "ape" not in records.columns else [])]
    scale = None
    if scaled_to is not None and groups:
        every = counted_types(records, chosen, groups.get(TOTAL, next(iter(groups.values()))))
        own = _sums(records, {m: chosen[m] for m in every})["forecast"]
        alike = _sums(records, dict.fromkeys(every, scaled_to))["forecast"]
        scale = (alike / own.where(own > 0)).fillna(1.0).dropna()
    parts = []
    for group, members in groups.items():
        counted = counted_types(records, chosen, members)
        if not counted:
            continue
        sums = _sums(records, {m: chosen[m] for m in counted})
        if scale is not None:
            sums = sums.join(scale.rename("scale"), how="inner")
            sums["forecast"] = sums["forecast"] * sums.pop("scale")
        if not sums.empty:
            parts.append(_with_ape(sums, group, REPORTED))
    if not parts:
        return records.iloc[0:0]
    return pd.concat(parts, ignore_index=True).reindex(columns=columns)


def choose_reported(
    records: pd.DataFrame, chosen: Mapping[str, str], members: Collection[str]
) -> tuple[str | None, str]:
    """(``scaled_to``, reason): the sum of the chosen forecasts (None), or the method whose
    forecast of every counted member added up scores best, among those no worse than the
    members' no change added up at every horizon from 1 to 12 months; the sum wins a tie."""
    counted = counted_types(records, chosen, members)
    if not counted:
        return None, "the sum of each type's chosen forecast: no type could be back-tested"
    candidates = {SUM: _sums(records, {m: chosen[m] for m in counted})}
    for method in METHODS:
        if method in set(records["method"]):
            candidates[method] = _sums(records, dict.fromkeys(counted, method))
    scores = mape_table(pd.concat([_with_ape(s, TOTAL, name) for name, s in candidates.items()], ignore_index=True))
    within = scores[scores["horizon"].between(1, SELECTION_HORIZONS[MONTHLY])]
    grid = within.pivot_table(index="horizon", columns="method", values="mape", aggfunc="mean")
    if "naive" not in grid.columns or SUM not in grid.columns:
        return None, "the sum of each type's chosen forecast: the back-test scored no total"
    qualified = [
        name for name in grid.columns if grid[name].notna().all() and (grid[name] <= grid["naive"] + _TOLERANCE).all()
    ]
    averages = {name: float(grid[name].mean()) for name in qualified}
    best = min(qualified, key=lambda n: (round(averages[n], 9), n != SUM, n))
    own = float(grid[SUM].mean())
    if best == SUM:
        return None, f"the sum of each type's chosen forecast: {own:.1f}% average error over 1 to 12 months"
    return best, (
        f"each type's chosen forecast scaled to every type's {LABELS[best]} added up: {averages[best]:.1f}% "
        f"average error over 1 to 12 months, against {own:.1f}% for the sum of the chosen forecasts and "
        f"{averages['naive']:.1f}% for no change"
    )


def reported_total(
    records: pd.DataFrame,
    chosen: Mapping[str, str],
    groups: Mapping[str, Collection[str]],
    levels: Mapping[str, float] | None = None,
) -> ReportedTotal:
    """How the totals are reported, their rows and their interval ratios. With ``levels`` (each
    type's number on the as-at date), a total's band is the wider of its own (split-conformal,
    or from 3 to 8 errors a t prediction interval) and the types' chance band at the total's
    size (``intervals.calibrate`` with the totals as ``totals``). Without: a total with too few
    errors of its own at a horizon (fewer than 9) takes the ratios pooled over the totals (every
    child and the children in care err alike); where even those are too few, the ratios pooled
    with every type's chosen method."""
    members = groups.get(TOTAL, next(iter(groups.values()))) if groups else []
    scaled_to, reason = choose_reported(records, chosen, members)
    types = tuple(counted_types(records, chosen, members)) if scaled_to else ()
    rows = reported_sums(records, chosen, groups, scaled_to)
    typed = records[records["series"].isin(list(chosen))]
    pooled = pd.concat([rows, typed], ignore_index=True) if not rows.empty else rows
    reported = dict.fromkeys(groups, REPORTED)
    if levels is not None:
        # The types' scaled errors at each total's size (the sum of its counted types' numbers),
        # blended with the total's own ratios by how many it has: the same rule as every series.
        sizes = {
            group: float(sum(levels.get(m, 0.0) for m in counted_types(records, chosen, members)))
            for group, members in groups.items()
        }
        both = calibrate(pooled, {**chosen, **reported}, levels={**levels, **sizes}, totals=list(groups))
        calibration = Calibration({key: band for key, band in both.bands.items() if key[0] in groups})
        return ReportedTotal(scaled_to, types, reason, rows, calibration)
    totals = calibrate(rows, reported)
    wide = calibrate(pooled, {**chosen, **reported})
    bands = {key: band for key, band in wide.bands.items() if key[0] in groups}
    calibration = Calibration({**bands, **totals.bands})
    return ReportedTotal(scaled_to, types, reason, rows, calibration)
