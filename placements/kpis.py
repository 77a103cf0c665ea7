"""Placement KPIs as tables (FORECAST.md, Placements): the same DataFrames feed the page and the
CSV/XLSX downloads, so a figure on screen is the figure in the file.

All day counting and costing is done by the engine (`forecasting.engine.placements`); this module
only arranges its output into the tables councils report. Money is pence (int64) until the
export, where it becomes pounds with two decimals; average weekly costs are unrounded ratios
until shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core.spreadsheet import declare
from forecasting.engine.calendar import FinancialYear, year_containing
from forecasting.engine.high_cost import high_cost_mask
from forecasting.engine.money import round_pence_array
from forecasting.engine.placements import (
    DEFAULT_HIGH_COST_THRESHOLD,
    placement_kpis,
)

MONEY = (
    "gross_cost",
    "contributions",
    "net_cost",
    "health_contributions",
    "education_contributions",
    "high_cost_cost",
    "identity_cost",
    "previous_net_cost",
    "net_cost_change",
    "previous_gross_cost",
)
WEEKLY = (
    "avg_weekly_cost",
    "avg_weekly_net_cost",
    "previous_avg_weekly_cost",
    "avg_weekly_cost_change",
    "high_cost_avg_weekly_cost",
    "weekly_cost",
)


def _by_year(monthly: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """A financial year's totals per type from the engine's monthly KPIs."""
    months = [f"{d.year:04d}-{d.month:02d}" for d in year.month_starts]
    part = monthly[monthly["month"].isin(months)]
    sums = part.groupby("placement_type", sort=False)[
        ["child_days", "gross_cost", "contributions", "net_cost", "starts", "ends", "high_cost_cost"]
    ].sum()
    last = part[part["month"] == months[-1]].set_index("placement_type")
    out = sums.reset_index()
    out["month_end_number"] = out["placement_type"].map(last["month_end_number"]).astype("int64")
    out["average_number"] = out["child_days"] / year.days
    out["fye_number"] = out["child_days"] / 7 / 52
    weeks = out["child_days"] / 7
    out["avg_weekly_cost"] = (out["gross_cost"] / weeks).where(weeks > 0)
    out["avg_weekly_net_cost"] = (out["net_cost"] / weeks).where(weeks > 0)
    return out


@dataclass
class KpiTables:
    year: FinancialYear
    threshold: int
    summary: pd.DataFrame  # by type, with the previous year and the mix
    monthly: pd.DataFrame  # by type and month, with the change on the month before
    month_end: pd.DataFrame  # month-end numbers, types × months (wide)
    net_cost: pd.DataFrame  # net cost, types × months (wide)
    flows: pd.DataFrame  # all types: starts, ends, month-end number per month
    high_cost: pd.DataFrame  # per month: number, child-weeks, gross cost, average rate
    high_cost_rows: pd.DataFrame  # the high-cost rows active in the year
    months: list[str] = field(default_factory=list)


SUMMARY_COLUMNS = [
    "placement_type",
    "name",
    "month_end_number",
    "average_number",
    "fye_number",
    "avg_weekly_cost",
    "avg_weekly_net_cost",
    "gross_cost",
    "contributions",
    "net_cost",
    "identity_cost",
    "starts",
    "ends",
    "high_cost_cost",
    "previous_fye_number",
    "fye_change",
    "previous_avg_weekly_cost",
    "avg_weekly_cost_change",
    "previous_net_cost",
    "net_cost_change",
    "mix_share",
    "previous_mix_share",
]
MONTHLY_COLUMNS = [
    "placement_type",
    "name",
    "month",
    "month_end_number",
    "month_end_change",
    "average_number",
    "fye_number_contribution",
    "avg_weekly_cost",
    "gross_cost",
    "health_contributions",
    "education_contributions",
    "contributions",
    "net_cost",
    "net_cost_change",
    "starts",
    "ends",
    "high_cost_number",
    "high_cost_cost",
]
HIGH_COST_ROW_COLUMNS = [
    "placement_ref",
    "child_ref",
    "placement_type",
    "start_date",
    "end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
]


def kpi_tables(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    year: FinancialYear,
    threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
) -> KpiTables:
    """Every KPI table of the placements KPI page for one financial year."""
    names = dict(zip(types["code"], types["name"] if "name" in types.columns else types["code"], strict=True))
    previous = FinancialYear(year.start_year - 1)
    # One engine call covers last year and this one (24 months): last year's totals give the
    # year-on-year change, and last March gives April's change on the month before.
    monthly_all = placement_kpis(
        register, types, months_from=previous.start, months_to=year.end, high_cost_threshold=threshold
    )
    months = [f"{d.year:04d}-{d.month:02d}" for d in year.month_starts]
    summary = _summary_table(
        _by_year(monthly_all, year), _by_year(monthly_all, previous).set_index("placement_type"), names
    )
    monthly = _monthly_table(monthly_all, months, names)
    order = list(summary["placement_type"])
    high_cost, high_cost_rows = _high_cost_tables(register, types, year=year, threshold=threshold, months=months)
    return KpiTables(
        year=year,
        threshold=threshold,
        summary=summary,
        monthly=monthly,
        month_end=_wide(monthly, "month_end_number", order=order, months=months, names=names),
        net_cost=_wide(monthly, "net_cost", order=order, months=months, names=names),
        flows=_flows_table(monthly, monthly_all, months=months, previous=previous),
        high_cost=high_cost,
        high_cost_rows=high_cost_rows,
        months=months,
    )


def _summary_table(this_year: pd.DataFrame, last_year: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """By type: the year's figures, the change on the year before and the mix."""
    summary = this_year.copy()
    summary.insert(1, "name", summary["placement_type"].map(names).fillna(summary["placement_type"]))
    # The KPI identity: annual gross cost = FYE number × average weekly cost × 52.
    summary["identity_cost"] = round_pence_array(
        (summary["fye_number"] * summary["avg_weekly_cost"].fillna(0) * 52).to_numpy()
    )
    summary["previous_fye_number"] = summary["placement_type"].map(last_year["fye_number"])
    summary["previous_avg_weekly_cost"] = summary["placement_type"].map(last_year["avg_weekly_cost"])
    summary["previous_net_cost"] = summary["placement_type"].map(last_year["net_cost"]).astype("int64")
    summary["fye_change"] = summary["fye_number"] - summary["previous_fye_number"]
    summary["avg_weekly_cost_change"] = summary["avg_weekly_cost"] - summary["previous_avg_weekly_cost"]
    summary["net_cost_change"] = summary["net_cost"] - summary["previous_net_cost"]
    total_fye, total_prev = summary["fye_number"].sum(), summary["previous_fye_number"].sum()
    summary["mix_share"] = summary["fye_number"] / total_fye if total_fye else 0.0
    summary["previous_mix_share"] = summary["previous_fye_number"] / total_prev if total_prev else 0.0
    return summary[SUMMARY_COLUMNS]


def _monthly_table(monthly_all: pd.DataFrame, months: list[str], names: dict[str, str]) -> pd.DataFrame:
    """By type and month of the year, with the change on the month before (April on March)."""
    monthly = monthly_all.copy()
    group = monthly.groupby("placement_type", sort=False)
    monthly["month_end_change"] = monthly["month_end_number"] - group["month_end_number"].shift(1)
    monthly["net_cost_change"] = monthly["net_cost"] - group["net_cost"].shift(1)
    monthly = monthly[monthly["month"].isin(months)].reset_index(drop=True)
    monthly.insert(1, "name", monthly["placement_type"].map(names).fillna(monthly["placement_type"]))
    monthly["month_end_change"] = monthly["month_end_change"].astype("int64")
    monthly["net_cost_change"] = monthly["net_cost_change"].astype("int64")
    return monthly[MONTHLY_COLUMNS]


def _wide(
    monthly: pd.DataFrame, value: str, *, order: list[str], months: list[str], names: dict[str, str]
) -> pd.DataFrame:
    """One figure as types × months, with a total row."""
    table = monthly.pivot(index="placement_type", columns="month", values=value).reindex(index=order, columns=months)
    table.insert(0, "name", [names.get(code, code) for code in table.index])
    table = table.reset_index()
    total = {"placement_type": "total", "name": "All placement types"}
    total.update({m: table[m].sum() for m in months})
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def _flows_table(
    monthly: pd.DataFrame, monthly_all: pd.DataFrame, *, months: list[str], previous: FinancialYear
) -> pd.DataFrame:
    """All types: opening + starts − ends = month-end, every month."""
    totals = monthly.groupby("month", sort=False)[["month_end_number", "starts", "ends", "net_cost"]].sum()
    flows = totals.reindex(months).reset_index()
    march = monthly_all[monthly_all["month"] == f"{previous.end.year:04d}-03"]["month_end_number"].sum()
    flows.insert(1, "opening_number", [int(march)] + flows["month_end_number"].tolist()[:-1])
    flows["month_end_change"] = flows["month_end_number"] - flows["opening_number"]
    return flows[["month", "opening_number", "starts", "ends", "month_end_number", "month_end_change", "net_cost"]]


def _high_cost_tables(
    register: pd.DataFrame, types: pd.DataFrame, *, year: FinancialYear, threshold: int, months: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """High-cost placements per month (number, child-weeks, gross, average rate) and the rows
    active in the year, dearest first."""
    subset = register[high_cost_mask(register, threshold=threshold)]
    hc = placement_kpis(
        subset, types, months_from=year.start, months_to=year.end, high_cost_threshold=-1, high_cost_excluded_types=()
    )
    hc_month = hc.groupby("month", sort=False)[["month_end_number", "child_days", "gross_cost"]].sum().reindex(months)
    weeks = hc_month["child_days"] / 7
    high_cost = pd.DataFrame(
        {
            "month": months,
            "number_at_month_end": hc_month["month_end_number"].to_numpy(dtype="int64"),
            "child_weeks": weeks.to_numpy(),
            "gross_cost": hc_month["gross_cost"].to_numpy(dtype="int64"),
            "avg_weekly_cost": (hc_month["gross_cost"] / weeks).where(weeks > 0).to_numpy(),
        }
    )
    active = subset[
        (subset["start_date"] <= pd.Timestamp(year.end))
        & (subset["end_date"].isna() | (subset["end_date"] > pd.Timestamp(year.start)))
    ]
    rows = active[HIGH_COST_ROW_COLUMNS].sort_values("weekly_cost", ascending=False).reset_index(drop=True)
    return high_cost, rows


def kpi_history(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    first: FinancialYear,
    last: FinancialYear,
    threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
) -> pd.DataFrame:
    """Year summaries by type for every financial year from `first` to `last`, from one engine
    call over all their months (10 years of a 20,000-row register in well under a second)."""
    monthly = placement_kpis(
        register, types, months_from=first.start, months_to=last.end, high_cost_threshold=threshold
    )
    parts = []
    for start_year in range(first.start_year, last.start_year + 1):
        fy = FinancialYear(start_year)
        part = _by_year(monthly, fy)
        part.insert(0, "year", fy.label)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def year_choices(register: pd.DataFrame, *, today: date, extra: list[str] | None = None) -> list[str]:
    """Financial years a user may pick: from the first start in the register to this year,
    newest first, plus any the authority has budgets for."""
    labels = set(extra or [])
    labels.add(year_containing(today))
    if not register.empty:
        first = FinancialYear.from_label(year_containing(register["start_date"].min().date()))
        current = FinancialYear.from_label(year_containing(today))
        labels.update(FinancialYear(y).label for y in range(first.start_year, current.start_year + 1))
    return sorted(labels, reverse=True)


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table for a download: money in pounds with two decimals, numbers to two decimals,
    dates as dates. The same values the page shows, before formatting."""
    out = frame.copy()
    money, shares = [], []
    for column in out.columns:
        name = str(column)
        values = out[column]
        if (
            name in MONEY
            or name in WEEKLY
            or (name[:4].isdigit() and values.dtype.kind in "if" and name != "name" and out.attrs.get("money"))
        ):
            out[column] = (values.astype(float) / 100).round(2)
            money.append(name)
        elif values.dtype.kind == "f":
            out[column] = values.round(4 if name.endswith("share") else 2)
            if name.endswith("share"):
                shares.append(name)
    return declare(out, money=money, share=shares)


def with_pounds(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = (out[column].astype(float) / 100).round(2)
    return out


def weekly_pence(value: float | None) -> int | None:
    """An unrounded average weekly cost as whole pence, rounded half up, for display."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(round_pence_array(np.asarray([value]))[0])
