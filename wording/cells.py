"""How a table is written as CSV: the cells of every download and of the analyst's commands.

Text cells that begin with =, +, -, @, tab or carriage return are prefixed with an apostrophe so
that a spreadsheet shows them as text rather than running them as formulas. Dates are written
2019-07-31 and an empty or missing value as an empty cell.

Free of Django, so that a command that needs no database can write its file without starting
the apps (`core.exports` and `core.spreadsheet` use these).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text beginning =, +, -, @, tab or carriage return, prefixed with an apostrophe so that a
    spreadsheet shows it as text rather than running it as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_text(value)


def frame_rows(frame: pd.DataFrame) -> list[list[object]]:
    return [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def csv_bytes(frame: pd.DataFrame, *, bom: bool = True) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(str(c)) for c in frame.columns])
    writer.writerows(frame_rows(frame))
    # A byte-order mark so that Excel opens the £ sign correctly (not for files read by programs).
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
