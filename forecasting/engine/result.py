"""What a forecast run returns, and its conversion to the export tables.

Inside `EngineResult` money is integer pence (int64), numbers of children and FTE are floats and
months are period numbers plus a YYYY-MM label. `to_export_frames` turns it into the exact
columns of DATA_FORMATS.md (Commands, export_forecast): money as pounds with 2 decimals
(`decimal.Decimal`, exact, no float drift), variance % as a Decimal with 2 decimals or None when
the budget is 0, numbers and FTE to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from .outturn_ranges import OUTTURN_RANGE_COLUMNS
from .variance import variance_pct_hundredths

LINE_COLUMNS = (
    "scenario",
    "line_code",
    "line_name",
    "service_area",
    "category",
    "method",
    "placement_type",
    "team",
    "annual_budget",
    "budget_numbers",
    "actual_ytd",
    "committed_remaining",
    "projected_change",
    "savings_adjustment",
    "forecast_outturn",
    "variance",
    "variance_pct",
)

EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "lines": (
        "scenario",
        "line_code",
        "line_name",
        "service_area",
        "category",
        "annual_budget",
        "actual_ytd",
        "committed_remaining",
        "projected_change",
        "savings_adjustment",
        "forecast_outturn",
        "variance",
        "variance_pct",
    ),
    "placements": (
        "scenario",
        "placement_type",
        "month",
        "month_end_number",
        "average_number",
        "number_p10",
        "number_p90",
        "gross_cost",
        "contributions",
        "net_cost",
    ),
    "workforce": (
        "scenario",
        "team",
        "month",
        "permanent_fte",
        "agency_fte",
        "vacancies",
        "permanent_cost",
        "agency_cost",
        "total_cost",
    ),
    "savings": (
        "scenario",
        "ref",
        "title",
        "line_code",
        "status",
        "planned",
        "forecast_delivery",
        "shortfall",
        "added_to_outturn",
    ),
}

# Which export columns are money (pence inside, pounds in files) and which are numbers.
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "lines": (
        "annual_budget",
        "actual_ytd",
        "committed_remaining",
        "projected_change",
        "savings_adjustment",
        "forecast_outturn",
        "variance",
    ),
    "placements": ("gross_cost", "contributions", "net_cost"),
    "workforce": ("permanent_cost", "agency_cost", "total_cost"),
    "savings": ("planned", "forecast_delivery", "shortfall"),
}
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "placements": ("month_end_number", "average_number", "number_p10", "number_p90"),
    "workforce": ("permanent_fte", "agency_fte", "vacancies"),
}


@dataclass(frozen=True, eq=False)
class EngineResult:
    """Every scenario's forecast (FORECAST.md, Outputs of a run). Money in integer pence.

    - lines: LINE_COLUMNS, one row per scenario and budget line.
    - placements: per scenario, placement type and period (the placements module's columns,
      with `scenario` first).
    - workforce: per scenario, team and period: permanent_fte, agency_fte, vacancies,
      permanent_cost, agency_cost, total_cost.
    - savings: per scenario and saving: planned, forecast_delivery, shortfall, added_to_outturn.
    - variance_explained: per scenario and placement line with budgeted numbers.
    - models_used: per scenario and placement type: demand method, model, unit cost.
    - outturn_ranges: the reported scenario's likely range (10–90%) of the forecast outturn of
      each placements line and of the department (OUTTURN_RANGE_COLUMNS; outturn_ranges.py).
    """

    lines: pd.DataFrame
    placements: pd.DataFrame
    workforce: pd.DataFrame
    savings: pd.DataFrame
    variance_explained: pd.DataFrame
    models_used: pd.DataFrame
    engine_version: str
    timings: dict[str, float] = field(default_factory=dict)
    outturn_ranges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(OUTTURN_RANGE_COLUMNS)))

    def headline(self) -> pd.DataFrame:
        """Per scenario: annual_budget, forecast_outturn, variance (pence), summed over lines."""
        columns = ["annual_budget", "forecast_outturn", "variance"]
        totals = self.lines.groupby("scenario", sort=False)[columns].sum().reset_index()
        for name in columns:
            totals[name] = totals[name].astype(np.int64)
        return totals


def pence_to_decimal_pounds(values: Iterable[object]) -> list[Decimal | None]:
    """Integer pence → exact Decimal pounds with 2 places (12345 → Decimal('123.45')); blanks → None."""
    out: list[Decimal | None] = []
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            out.append(None)
        else:
            out.append(Decimal(int(value)).scaleb(-2))  # type: ignore[call-overload]
    return out


def _two_places(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else round(float(v), 2) for v in values]


def to_export_frames(result: EngineResult) -> dict[str, pd.DataFrame]:
    """The four export tables with the exact columns of DATA_FORMATS.md (export_forecast).

    Money as Decimal pounds with 2 decimals; variance_pct as Decimal with 2 decimals, None when
    the budget is 0; numbers of children and FTE rounded to 2 decimals; month as YYYY-MM.
    """
    sources = {
        "lines": result.lines,
        "placements": result.placements,
        "workforce": result.workforce,
        "savings": result.savings,
    }
    out: dict[str, pd.DataFrame] = {}
    for table, frame in sources.items():
        columns = EXPORT_COLUMNS[table]
        data: dict[str, list[object]] = {}
        for name in columns:
            column = frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
            if name in MONEY_COLUMNS.get(table, ()):
                data[name] = list(pence_to_decimal_pounds(column.tolist()))
            elif name in NUMBER_COLUMNS.get(table, ()):
                data[name] = list(_two_places(column))
            elif name == "variance_pct":
                hundredths = variance_pct_hundredths(frame["variance"].to_numpy(), frame["annual_budget"].to_numpy())
                data[name] = [None if np.isnan(h) else Decimal(int(h)).scaleb(-2) for h in hundredths]
            elif name == "added_to_outturn":
                data[name] = [bool(v) for v in column]
            else:
                data[name] = [None if (not isinstance(v, str) and pd.isna(v)) else v for v in column.tolist()]
        out[table] = pd.DataFrame(data, columns=list(columns))
    return out
