"""An analyst's file of counts for ``forecast_demand --series``: columns ``series, date, value``
(DATA_FORMATS.md, Commands), monthly or yearly; the spacing is read from each series' dates.

Every problem is reported together, each naming the file, the row (the column names are row 1)
and the column, as the imports do. Nothing is guessed: a value that is not a number, a date that
is not a date, a series whose dates are neither a month nor a year apart are errors.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecast_runs.demand.series import ANNUAL, MONTHLY, SeriesInputs, add_months, month_end
from placements.ssda903 import parse_dates
from tablereader import Limits, ReadError, read_sheet, too_large

COLUMNS = ("series", "date", "value")


class SeriesFileError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def read_series_file(path: str | Path, limits: Limits | None = None) -> dict[str, SeriesInputs]:
    """The series of a ``series, date, value`` CSV or XLSX, read through the bounded reader
    within ``limits`` (size, rows, columns, cells; encodings recognised), oldest first; raises
    ``SeriesFileError`` listing every problem."""
    name = Path(path).name
    limits = limits or Limits()
    size = Path(path).stat().st_size
    if size > limits.upload_bytes:
        raise SeriesFileError([str(too_large(name, size, limits))])
    frame = _read_table(name, Path(path).read_bytes(), limits)
    errors: list[str] = []
    rows = pd.Series(np.arange(2, len(frame) + 2), index=frame.index)
    series = frame["series"].str.strip()
    dates = parse_dates(frame["date"].str.strip())
    values = pd.to_numeric(frame["value"].str.strip().str.replace(",", "", regex=False), errors="coerce")
    for mask, column, what in (
        (series == "", "series", "no series name"),
        (dates.isna(), "date", "not a date (use 2019-07-31 or 31/07/2019)"),
        (values.isna() | ~np.isfinite(values), "value", "not a number"),
        (values < 0, "value", "a number of children cannot be negative"),
    ):
        for i in frame.index[mask.fillna(False).to_numpy(dtype=bool)]:
            errors.append(f"{name}: row {rows[i]}, column {column}: '{frame.at[i, column]}' is {what}")
    repeated = pd.DataFrame({"s": series, "d": dates}).duplicated(keep=False) & dates.notna()
    for i in frame.index[repeated.to_numpy()]:
        errors.append(f"{name}: row {rows[i]}: series '{series[i]}' has the date {frame.at[i, 'date']} more than once")
    if errors:
        raise SeriesFileError(errors)
    out: dict[str, SeriesInputs] = {}
    for key, part in pd.DataFrame({"s": series, "d": dates, "v": values}).groupby("s", sort=False):
        part = part.sort_values("d")
        days = [d.date() for d in part["d"]]
        step, problem = spacing(days)
        if problem:
            errors.append(f"{name}: series '{key}': {problem}")
            continue
        ends = all(d == month_end(d) for d in days)
        out[str(key)] = SeriesInputs(
            name=str(key),
            dates=tuple(days),
            values=part["v"].to_numpy(dtype=np.float64),
            step=step,
            month_ends=ends,
        )
    if errors:
        raise SeriesFileError(errors)
    return out


def _read_table(name: str, data: bytes, limits: Limits) -> pd.DataFrame:
    try:
        sheet = read_sheet(name, data, limits)
    except ReadError as error:
        raise SeriesFileError([str(error)]) from None
    if sheet.formulas:
        row, column, formula = sheet.formulas[0]
        raise SeriesFileError(
            [f"{name}: row {row}, column {column + 1} holds a formula ({formula}); save the values, not the formulas"]
        )
    rows = [row for row in sheet.rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SeriesFileError([f"{name}: the file is empty"])
    header, body = rows[0], rows[1:]
    width = len(header)
    frame = pd.DataFrame([(row + [""] * width)[:width] for row in body], columns=header, dtype=str)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise SeriesFileError([f"{name}: no {', '.join(missing)} column (the columns must be {', '.join(COLUMNS)})"])
    if frame.empty:
        raise SeriesFileError([f"{name}: there are column names but no rows"])
    return frame[list(COLUMNS)]


def spacing(days: list[date]) -> tuple[str, str]:
    """(MONTHLY or ANNUAL, '') when every date is one month, or every date one year, after the
    one before (the same day, or both month-ends); else ('', what is wrong)."""
    if len(days) < 2:
        return "", "needs at least two dates to tell monthly from yearly counts"
    for step, months in ((MONTHLY, 1), (ANNUAL, 12)):
        if all(_apart(a, b, months) for a, b in zip(days, days[1:], strict=False)):
            return step, ""
    pairs = list(zip(days, days[1:], strict=False))
    gaps = [(a, b) for a, b in pairs if not (_apart(a, b, 1) or _apart(a, b, 12))]
    where = f" ({gaps[0][0]} to {gaps[0][1]})" if gaps else " (some a month apart, some a year)"
    return "", f"the dates are neither all one month nor all one year apart{where}"


def _apart(a: date, b: date, months: int) -> bool:
    later = add_months(a, months)
    return b == later or (a == month_end(a) and b == month_end(later))
