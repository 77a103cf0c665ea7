"""The run page's downloads: each table with its money columns, money in pounds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast_runs import selectors as run_selectors
from forecast_runs.exports import export_frame, run_likely_range_frame
from forecasting.engine.money import pence_to_pounds
from forecasting.engine.outturn_ranges import LIKELY_RANGE_HEADERS
from forecasting.engine.result import EXPORT_COLUMNS, MONEY_COLUMNS
from forecasting.models import ForecastRun

# Money columns (pence in the run's tables) of the run page's other downloads.
OTHER_MONEY = ("budget", "forecast", "variance", "volume", "price", "other", "unit_cost_new")
MOVEMENT_MONEY = ("outturn", "previous", "movement")


@dataclass(frozen=True)
class RunDownload:
    frame: pd.DataFrame
    money: tuple[str, ...]


def _in_pounds(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[str, ...]:
    found = tuple(c for c in columns if c in frame.columns)
    for column in found:
        frame[column] = frame[column].map(lambda v: None if v is None or pd.isna(v) else pence_to_pounds(int(v)))
    return found


def run_download_table(run: ForecastRun, table: str, *, scenario: str, previous: ForecastRun | None) -> RunDownload:
    """A table of the run page's downloads with its money columns: the contract's four tables
    (every scenario), the likely range (the reported scenario's: no other has one), the movement
    since the previous run, variance explained and models used; money in pounds."""
    if table in EXPORT_COLUMNS:
        return RunDownload(export_frame(run, table), MONEY_COLUMNS[table])
    if table == "likely_range":
        return RunDownload(run_likely_range_frame(run), tuple(LIKELY_RANGE_HEADERS[2:]))
    if table == "movement":
        frame = run_selectors.movement_since(run, previous, scenario)
        return RunDownload(frame, _in_pounds(frame, MOVEMENT_MONEY))
    frame = run_selectors.table(run, table)
    return RunDownload(frame, _in_pounds(frame, OTHER_MONEY))
