"""The run's tables with exactly the export columns of DATA_FORMATS.md (export_forecast), and
the likely range of the outturn, which DATA_FORMATS.md does not define, with headers in words."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from forecasting.engine.outturn_ranges import likely_range_frame, likely_range_rows
from forecasting.engine.result import EXPORT_COLUMNS, MONEY_COLUMNS, NUMBER_COLUMNS, pence_to_decimal_pounds
from forecasting.engine.scenarios import REPORTED_SCENARIO, scenario_rank
from forecasting.models import ForecastLineResult, ForecastRun, ForecastTable


def _two_places(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def run_table_frame(run: ForecastRun, name: str) -> pd.DataFrame:
    """The engine's table of a stored run (money in pence), as a DataFrame."""
    if name == "lines":
        rows = ForecastLineResult.objects.filter(run=run).order_by("scenario", "service_area", "line_code")
        return pd.DataFrame(list(rows.values()))
    table = ForecastTable.objects.filter(run=run, name=name).first()
    if table is None:
        return pd.DataFrame()
    return pd.DataFrame(table.rows, columns=table.columns)


def export_frame(run: ForecastRun, table: str) -> pd.DataFrame:
    """One of lines, placements, workforce, savings with exactly the contract's columns."""
    columns = list(EXPORT_COLUMNS[table])
    frame = run_table_frame(run, table)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if table in ("placements", "workforce") and "month" not in frame.columns:
        frame["month"] = frame["period"].map(lambda p: run.year.calendar.month_label(int(p)))
    for column in MONEY_COLUMNS.get(table, ()):
        frame[column] = pence_to_decimal_pounds(frame[column])
    for column in NUMBER_COLUMNS.get(table, ()):
        frame[column] = frame[column].map(_two_places)
    if table == "lines":
        frame["variance_pct"] = frame["variance_pct"].map(_two_places)
    frame = frame.assign(_order=frame["scenario"].map(scenario_rank)).sort_values(["_order"], kind="stable")
    return frame[columns].reset_index(drop=True)


def run_likely_range_frame(run: ForecastRun, scenario: str = REPORTED_SCENARIO) -> pd.DataFrame:
    """The run's likely range of the outturn for a download (no rows for a run made before
    ranges, or a scenario without one: only the reported scenario has a range)."""
    names = dict(ForecastLineResult.objects.filter(run=run, scenario=scenario).values_list("line_code", "line_name"))
    return likely_range_frame(
        likely_range_rows(run_table_frame(run, "outturn_ranges"), scenario=scenario, line_names=names)
    )
