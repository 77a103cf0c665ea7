"""The frames of a placement projection: by type and month, by type, and by budget line."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecasting.engine.placements.committed import Committed, YearMonths
from forecasting.engine.placements.projected_change import Projected
from forecasting.engine.placements.register import RegisterRows, sum_by_group


def by_type_month_frame(
    codes: list[str], months: YearMonths, committed: Committed, projected: Projected
) -> pd.DataFrame:
    """One row per type and period: numbers, costs (pence) and the projected change."""
    n_types = len(codes)
    change = projected.change
    return pd.DataFrame(
        {
            "placement_type": np.repeat(codes, 12),
            "period": np.tile(np.arange(1, 13), n_types),
            "month": months.labels * n_types,
            "is_actual": np.tile(~months.future, n_types),
            "month_end_number": projected.month_end.ravel(),
            "average_number": projected.average.ravel(),
            "number_p10": projected.p10.ravel(),
            "number_p90": projected.p90.ravel(),
            "committed_month_end_number": committed.month_end.ravel(),
            "committed_average_number": committed.average.ravel(),
            "projected_average_number": projected.average.ravel(),
            "gross_cost": (committed.gross + change).ravel(),
            "contributions": committed.contributions.ravel(),
            "net_cost": (committed.net + change).ravel(),
            "committed_net_cost": committed.net.ravel(),
            "projected_change": change.ravel(),
            "unit_cost_new": np.repeat(projected.unit_costs, 12),
        }
    )


def lines_of_types(rows: RegisterRows, type_lines: Mapping[str, str] | None) -> dict[str, str]:
    """The budget line receiving each type's projected change: `type_lines`, else the line
    used by most of the type's rows (ties: alphabetical first)."""
    result: dict[str, str] = {}
    if len(rows):
        # Count rows per (type, line) with the lines in alphabetical order, so that the first
        # largest count of a type is its line, ties going to the alphabetically first.
        lines, line_index = np.unique(rows.line.astype(str), return_inverse=True)
        n_types = len(rows.type_codes)
        counts = np.bincount(rows.type_index * len(lines) + line_index, minlength=n_types * len(lines))
        counts = counts.reshape(n_types, len(lines))
        for t in np.flatnonzero(counts.sum(axis=1)):
            result[rows.type_codes[int(t)]] = str(lines[int(np.argmax(counts[t]))])
    if type_lines:
        result.update({str(k): str(v) for k, v in type_lines.items()})
    return result


def projected_change_by_type_frame(
    codes: list[str], line_of_type: Mapping[str, str], projected: Projected
) -> pd.DataFrame:
    """Per type: the line receiving its projected change and the year's projected change (pence)."""
    return pd.DataFrame(
        {
            "placement_type": codes,
            "line_code": [line_of_type.get(code, "") for code in codes],
            "projected_change": projected.change.sum(axis=1).astype(np.int64),
        }
    )


def by_line_frame(
    rows: RegisterRows,
    months: YearMonths,
    committed: Committed,
    projected: Projected,
    line_of_type: Mapping[str, str],
) -> pd.DataFrame:
    """Per budget line: register cost to date, committed remaining, projected change of the
    types assigned to it, FYE number (child-days / 7 / 52 with N̂ for future months), the
    year's forecast net cost = to date + committed remaining + projected change (pence) and the
    FYE number of the children already placed (the register's child-days alone)."""
    codes = rows.type_codes
    lines = sorted(set(rows.line.tolist()) | {v for k, v in line_of_type.items() if k in codes})
    position = {line: i for i, line in enumerate(lines)}
    line_index = np.asarray([position[str(x)] for x in rows.line], dtype=np.int64)
    n = len(lines)
    net_by_month = sum_by_group(line_index, n, committed.row_net)
    days_by_month = sum_by_group(line_index, n, committed.days).astype(np.float64)
    # The children already placed alone (before the forecast's new placements are added): the
    # placement KPI page's FYE number of the same register, which the variance bridge quotes.
    committed_fye = days_by_month.sum(axis=1) / 7 / 52
    extra_days = (projected.average - committed.average) * months.days[None, :]  # (N̂ − C) child-days
    line_change = np.zeros(n, dtype=np.int64)
    for k, code in enumerate(codes):
        line = line_of_type.get(code)
        if line is None or line not in position:
            continue
        days_by_month[position[line]] += extra_days[k]
        line_change[position[line]] += int(projected.change[k].sum())
    future = months.future
    to_date = net_by_month[:, ~future].sum(axis=1).astype(np.int64)
    remaining = net_by_month[:, future].sum(axis=1).astype(np.int64)
    return pd.DataFrame(
        {
            "line_code": lines,
            "register_net_cost_to_date": to_date,
            "committed_remaining": remaining,
            "projected_change": line_change,
            "fye_number": days_by_month.sum(axis=1) / 7 / 52,
            "forecast_net_cost_year": to_date + remaining + line_change,
            "committed_fye_number": committed_fye,
        }
    )
