"""Every table as CSV and XLSX (DATA_FORMATS.md, last paragraph).

Text cells that begin with =, +, -, @, tab or carriage return are prefixed with an apostrophe so
that a spreadsheet shows them as text rather than running them as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from django.http import HttpResponse

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
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


def xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "Data") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.append([str(c) for c in frame.columns])
    for row in frame_rows(frame):
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_download(frame: pd.DataFrame, *, filename: str, fmt: str) -> HttpResponse:
    """A CSV or XLSX download of a table; `filename` without extension."""
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(frame), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    else:
        response = HttpResponse(csv_bytes(frame), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def frame_from_records(records: Sequence[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(records), columns=columns)
