"""The totals a run reports, back-tested as reported.

A run forecasts each placement type with the method its back-test chose; the number of children
it reports is the sum of those forecasts, not the total forecast as a series of its own. So the
error and the interval of a reported total are measured on that sum: at each past origin and
horizon, the chosen method's forecast of every member type added up, against the member types'
actuals added up. Groups are ``TOTAL`` (every type) and ``IN_CARE`` (the types that stop at 18:
the dashboard's "children in care").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from forecast_runs.demand.intervals import Calibration, calibrate

REPORTED = "reported"  # the method name of a reported total's rows
IN_CARE = "in care"  # not a type code: codes have no spaces
_KEYS = ["origin", "horizon", "target"]


def reported_sums(
    records: pd.DataFrame, chosen: Mapping[str, str], groups: Mapping[str, Collection[str]]
) -> pd.DataFrame:
    """Rows (``records``' columns) of series ``group`` and method ``REPORTED`` for every group:
    at each (origin, horizon, target) the sum of each member's ``chosen`` method's forecast and
    of the members' actuals. A member forecast as zero (no placements) or never back-tested
    (too short) is left out of the sum; a key at which any other member has no row of its chosen
    method is left out, as its sum would be short.
    """
    columns = [*records.columns, *(["ape"] if "ape" not in records.columns else [])]
    parts = []
    for group, members in groups.items():
        rows = records[records["series"].isin(list(members)) & (records["method"] == records["series"].map(chosen))]
        # A member with no past forecast at all (zero, or too short to back-test) cannot be
        # measured: the sum is of the members that can.
        counted = [m for m in members if chosen.get(m) not in (None, "zero") and m in set(rows["series"])]
        if not counted:
            continue
        rows = rows[rows["series"].isin(counted)]
        sums = rows.groupby(_KEYS, sort=True).agg(
            forecast=("forecast", "sum"), actual=("actual", "sum"), members=("series", "nunique")
        )
        sums = sums[sums["members"] == len(counted)].drop(columns="members").reset_index()
        if sums.empty:
            continue
        actual = sums["actual"].astype(float)
        sums["ape"] = ((sums["forecast"].astype(float) - actual).abs() / actual * 100.0).where(actual > 0)
        parts.append(sums.assign(series=group, method=REPORTED))
    if not parts:
        return records.iloc[0:0]
    return pd.concat(parts, ignore_index=True).reindex(columns=columns)


def reported_calibration(
    records: pd.DataFrame, chosen: Mapping[str, str], groups: Mapping[str, Collection[str]]
) -> tuple[pd.DataFrame, Calibration]:
    """The reported totals' rows and their interval ratios. A total with too few errors of its
    own at a horizon (fewer than 9) takes the ratios pooled over the totals (every child and the
    children in care err alike); where even those are too few, the ratios pooled with every
    type's chosen method: wider, since a type's errors are larger than a total's, but never
    claimed from nothing."""
    rows = reported_sums(records, chosen, groups)
    totals = calibrate(rows, dict.fromkeys(groups, REPORTED))
    types = records[records["series"].isin(list(chosen))]
    pooled = pd.concat([rows, types], ignore_index=True) if not rows.empty else rows
    wide = calibrate(pooled, {**chosen, **dict.fromkeys(groups, REPORTED)})
    bands = {key: band for key, band in wide.bands.items() if key[0] in groups}
    return rows, Calibration({**bands, **totals.bands})
