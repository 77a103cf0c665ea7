"""Every table as CSV and XLSX (DATA_FORMATS.md, last paragraph).

Text cells that begin with =, +, -, @, tab or carriage return are prefixed with an apostrophe so
that a spreadsheet shows them as text rather than running them as formulas. The XLSX is written
by `core.spreadsheet` (title row, bold frozen header, real dates, £ and % formats).

A page's download has its headers in words in both formats. The CSV of a table that is one of
DATA_FORMATS.md's own files (the forecast's four export tables, the placement register, the
scenarios file, the budget file) keeps the file's column codes (`file_columns=True`), so that
programs read it and it can be imported again; its XLSX has words like every other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import pandas as pd
from django.http import HttpResponse

from core.spreadsheet import DANGEROUS_STARTS, Title, declare, in_words, safe_text, xlsx_bytes

__all__ = [
    "DANGEROUS_STARTS",
    "Title",
    "csv_bytes",
    "declare",
    "frame_from_records",
    "frame_rows",
    "safe_text",
    "table_download",
    "xlsx_bytes",
]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def table_download(
    frame: pd.DataFrame,
    *,
    filename: str,
    fmt: str,
    title: Title,
    money: Iterable[str] = (),
    percent: Iterable[str] = (),
    share: Iterable[str] = (),
    file_columns: bool = False,
) -> HttpResponse:
    """A CSV or XLSX download of a table; `filename` without extension. `money` and `percent`
    name the frame's money and percentage columns (as the frame names them); `file_columns`
    keeps a file's column codes in the CSV (the module's docstring). Columns the frame declared
    (`declare`) count too."""
    money = [*money, *frame.attrs.get("download_money", ())]
    percent = [*percent, *frame.attrs.get("download_percent", ())]
    share = [*share, *frame.attrs.get("download_share", ())]
    if fmt == "xlsx":
        workbook = xlsx_bytes(frame, title=title, money=money, percent=percent, share=share)
        response = HttpResponse(workbook, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    else:
        written = frame if file_columns else in_words(frame)
        response = HttpResponse(csv_bytes(written), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def frame_from_records(records: Sequence[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(records), columns=columns)
