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

from collections.abc import Iterable, Sequence

import pandas as pd
from django.http import HttpResponse

from core.spreadsheet import Title, declare, in_words, xlsx_bytes
from wording.cells import DANGEROUS_STARTS, csv_bytes, frame_rows, safe_text

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
