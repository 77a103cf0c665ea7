"""Monthly and yearly placement KPIs by type: numbers, child-days, costs, starts and ends,
high-cost placements (FORECAST.md, Placements)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements.days import active_on, days_in_months, month_grid
from forecasting.engine.placements.register import (
    RegisterRows,
    count_by_group_and_month,
    read_register,
    row_money,
    sum_by_group,
)

BoolArray = npt.NDArray[np.bool_]

DEFAULT_HIGH_COST_THRESHOLD = 410_000  # £4,100 a week, Nottingham City's KPI
HIGH_COST_EXCLUDED_TYPES: tuple[str, ...] = ("secure",)

KPI_COLUMNS = (
    "placement_type",
    "month",
    "days_in_month",
    "month_end_number",
    "average_number",
    "child_days",
    "fye_number_contribution",
    "avg_weekly_cost",
    "gross_cost",
    "health_contributions",
    "education_contributions",
    "contributions",
    "net_cost",
    "starts",
    "ends",
    "high_cost_number",
    "high_cost_cost",
)
YEAR_SUMMARY_COLUMNS = (
    "placement_type",
    "average_number",
    "fye_number",
    "child_days",
    "avg_weekly_cost",
    "avg_weekly_net_cost",
    "gross_cost",
    "contributions",
    "net_cost",
    "month_end_number",
    "starts",
    "ends",
    "high_cost_number",
    "high_cost_cost",
)


def _high_cost_mask(rows: RegisterRows, threshold: int, excluded_types: Sequence[str]) -> BoolArray:
    """Rows with a weekly cost above the threshold, excluding secure and UASC rows
    (FORECAST.md, High-cost placements)."""
    excluded = np.asarray([code in set(excluded_types) for code in rows.type_codes], dtype=bool)
    mask: BoolArray = (rows.weekly > threshold) & ~rows.uasc
    if len(rows):
        mask &= ~excluded[rows.type_index]
    return mask


def placement_kpis(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    months_from: date,
    months_to: date,
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    high_cost_excluded_types: Sequence[str] = HIGH_COST_EXCLUDED_TYPES,
) -> pd.DataFrame:
    """Monthly KPIs by placement type for every calendar month from `months_from` to
    `months_to` (both months included). Every type in `types` appears, with zeros if unused.

    Columns (FORECAST.md, Placements): placement_type, month (YYYY-MM), days_in_month,
    month_end_number (rows active on the last day), average_number (child-days / days in month),
    child_days, fye_number_contribution (child-days / 7 / 52), avg_weekly_cost (pence per week,
    gross cost / child-weeks, NaN without child-days: a ratio, not rounded), gross_cost,
    health_contributions, education_contributions, contributions, net_cost (pence, each row and
    month rounded once), starts and ends (placements beginning / ending in the month by
    effective end; a rate change is neither), high_cost_number (month-end number of rows above
    the threshold, excluding secure and UASC) and high_cost_cost (their gross cost, pence).
    """
    rows = read_register(register, types)
    m_starts, m_ends, labels = month_grid(months_from, months_to)
    n_types, n_months = len(rows.type_codes), len(labels)
    days = days_in_months(rows.start, rows.end, m_starts, m_ends)
    money = row_money(rows, days)
    last_days = m_ends - 1
    active = active_on(rows.start, rows.end, last_days).astype(np.int64)
    high = _high_cost_mask(rows, high_cost_threshold, high_cost_excluded_types)
    g = rows.type_index

    child_days = sum_by_group(g, n_types, days)
    gross = sum_by_group(g, n_types, money.gross)
    month_days = (m_ends - m_starts).astype(np.int64)
    frame = pd.DataFrame(
        {
            "placement_type": np.repeat(rows.type_codes, n_months),
            "month": labels * n_types,
            "days_in_month": np.tile(month_days, n_types),
            "month_end_number": sum_by_group(g, n_types, active).ravel(),
            "child_days": child_days.ravel(),
            "gross_cost": gross.ravel(),
            "health_contributions": sum_by_group(g, n_types, money.health).ravel(),
            "education_contributions": sum_by_group(g, n_types, money.education).ravel(),
            "contributions": sum_by_group(g, n_types, money.contributions).ravel(),
            "net_cost": sum_by_group(g, n_types, money.net).ravel(),
            "starts": count_by_group_and_month(g, n_types, rows.start, m_starts, m_ends, rows.is_entry).ravel(),
            "ends": count_by_group_and_month(g, n_types, rows.end, m_starts, m_ends, rows.is_exit).ravel(),
            "high_cost_number": sum_by_group(g, n_types, active * high[:, None]).ravel(),
            "high_cost_cost": sum_by_group(g, n_types, money.gross * high[:, None]).ravel(),
        }
    )
    frame["average_number"] = frame["child_days"] / frame["days_in_month"]
    frame["fye_number_contribution"] = frame["child_days"] / 7 / 52
    weeks = frame["child_days"] / 7
    frame["avg_weekly_cost"] = (frame["gross_cost"] / weeks).where(weeks > 0)
    return frame[list(KPI_COLUMNS)]


def placement_year_summary(
    register: pd.DataFrame,
    types: pd.DataFrame,
    year: FinancialYear,
    *,
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    high_cost_excluded_types: Sequence[str] = HIGH_COST_EXCLUDED_TYPES,
) -> pd.DataFrame:
    """One row per placement type for a financial year (FORECAST.md, Placements).

    average_number = Σ days active / days in the year; fye_number = Σ days / 7 / 52 (so that
    annual cost = fye_number × average weekly cost × 52 exactly); avg_weekly_cost and
    avg_weekly_net_cost are pence per week (cost / child-weeks, unrounded ratios); gross_cost,
    contributions, net_cost, high_cost_cost are pence (sums of row-month amounts);
    month_end_number is the number on 31 March; starts, ends are placements begun/ended in the
    year; high_cost_number is the number of high-cost rows active on 31 March.
    """
    monthly = placement_kpis(
        register,
        types,
        months_from=year.start,
        months_to=year.end,
        high_cost_threshold=high_cost_threshold,
        high_cost_excluded_types=high_cost_excluded_types,
    )
    sums = monthly.groupby("placement_type", sort=False)[
        ["child_days", "gross_cost", "contributions", "net_cost", "starts", "ends", "high_cost_cost"]
    ].sum()
    march = monthly[monthly["month"] == f"{year.end.year:04d}-03"].set_index("placement_type")
    out = sums.reset_index()
    out["average_number"] = out["child_days"] / year.days
    out["fye_number"] = out["child_days"] / 7 / 52
    weeks = out["child_days"] / 7
    out["avg_weekly_cost"] = (out["gross_cost"] / weeks).where(weeks > 0)
    out["avg_weekly_net_cost"] = (out["net_cost"] / weeks).where(weeks > 0)
    out["month_end_number"] = out["placement_type"].map(march["month_end_number"]).astype(np.int64)
    out["high_cost_number"] = out["placement_type"].map(march["high_cost_number"]).astype(np.int64)
    return out[list(YEAR_SUMMARY_COLUMNS)]
