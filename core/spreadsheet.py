"""The one XLSX writer of every download, and the words of every download's headers.

A workbook has one sheet: a title row naming the authority, what the table is and, where they
apply, the period and the forecast run; a blank row; the header in bold, frozen under the title
with an autofilter; then the rows. Dates are real Excel dates, money is a number in pounds shown
as `£1,234.56` (negative in brackets, `(£1,234.56)`, as the pages write it), percentages are numbers shown as
`12.3%`, counts are whole numbers, other decimals show two places. Columns are as wide as their
longest value, within a cap.

Which columns are money or percentages is declared by the table (its money columns); a column
whose code ends in `_pct` is a percentage. Headers that are column codes (`forecast_outturn`)
are written in words (`Forecast outturn`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from wording.cells import safe_text

MONEY_FORMAT = '"£"#,##0.00;("£"#,##0.00)'
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "dd/mm/yyyy"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
COUNT_FORMAT = "0"
DECIMAL_FORMAT = "#,##0.00"
HEADER_ROW = 3  # the title, a blank row, then the header
WIDEST = 60
NARROWEST = 8


@dataclass(frozen=True)
class Title:
    """What the title row says: `Shireford County Council – Budget lines – Period 7, October 2024 –
    Forecast run 12, 3 November 2024 2:15pm` (period and run only where they apply)."""

    authority: str
    what: str
    period: str = ""
    run: str = ""

    def text(self) -> str:
        return " – ".join(part for part in (self.authority, self.what, self.period, self.run) if part)


def declare(
    frame: pd.DataFrame, *, money: Iterable[str] = (), percent: Iterable[str] = (), share: Iterable[str] = ()
) -> pd.DataFrame:
    """Mark the frame's money, percentage (12.5 is 12.5%) and share (0.125 is 12.5%) columns, as
    the frame names them, for its download."""
    for key, names in (("money", money), ("percent", percent), ("share", share)):
        frame.attrs[f"download_{key}"] = [*frame.attrs.get(f"download_{key}", ()), *names]
    return frame


# --------------------------------------------------------------------------------------------
# Headers in words
# --------------------------------------------------------------------------------------------

CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

# Whole headers whose words are not simply the code's words.
HEADER_WORDS = {
    "line_code": "Budget line code",
    "line_name": "Budget line",
    "service_area": "Service",
    "actual_ytd": "Actual to date",
    "variance_pct": "Variance %",
    "month_end_number": "Children at month end",
    "average_number": "Average number of children",
    "number_p10": "Children (10th percentile)",
    "number_p90": "Children (90th percentile)",
    "child_dob": "Child's date of birth",
    "child_ref": "Child reference",
    "placement_ref": "Placement reference",
    "post_ref": "Post reference",
    "worker_ref": "Worker reference",
    "ref": "Reference",
    "fye_number": "Full-year equivalent number",
    "uasc": "Unaccompanied asylum-seeking child",
    "added_to_outturn": "Added to the outturn",
    "place_provider": "Place provider",
    "finance_type": "Finance placement type",
    "rag": "RAG",
    "as_at": "As at",
    "year_label": "Year",
    "p10": "10th percentile",
    "p90": "90th percentile",
}

# Words within a code: `agency_fte` → `Agency FTE`.
TOKEN_WORDS = {
    "fte": "FTE",
    "pct": "%",
    "ref": "reference",
    "refs": "references",
    "dob": "date of birth",
    "ytd": "to date",
    "p10": "10th percentile",
    "p90": "90th percentile",
    "rag": "RAG",
    "asye": "ASYE",
    "uasc": "UASC",
    "id": "ID",
    "ssda903": "SSDA903",
    "fy": "financial year",
    "fye": "full-year equivalent",
    "ifa": "IFA",
    "vs": "against",
}


def header_words(column: object) -> str:
    """A column code in words (`forecast_outturn` → `Forecast outturn`); a header already in
    words is kept."""
    text = str(column)
    if not CODE.fullmatch(text):
        return text
    if text in HEADER_WORDS:
        return HEADER_WORDS[text]
    words = " ".join(TOKEN_WORDS.get(token, token) for token in text.split("_"))
    return words[0].upper() + words[1:]


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its headers in words."""
    return frame.rename(columns={c: header_words(c) for c in frame.columns})


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        return bool(isinstance(value, float | Decimal) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def _native(value: object) -> object:
    """numpy and pandas scalars as Python's; aware date-times in local time without the zone."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes | Decimal | date):
        value = value.item()
    if isinstance(value, datetime) and value.tzinfo is not None:
        from django.utils import timezone  # only here: the engine's tables import this module

        value = timezone.localtime(value).replace(tzinfo=None)
    return value


def _cell(value: object, kind: str) -> tuple[object, str | None]:
    """The value a cell holds and its number format."""
    if _missing(value):
        return None, None
    value = _native(value)
    if isinstance(value, bool):
        return ("Yes" if value else "No"), None
    if isinstance(value, datetime):
        return value, DATE_TIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, int | float | Decimal):
        if kind == "money":
            return float(value), MONEY_FORMAT
        if kind == "percent":
            return float(value) / 100, PERCENT_FORMAT
        if kind == "share":
            return float(value), PERCENT_FORMAT
        if isinstance(value, int):
            return value, COUNT_FORMAT
        return float(value), DECIMAL_FORMAT
    return safe_text(str(value)), None


def _shown_width(value: object, number_format: str | None) -> int:
    if value is None:
        return 0
    if number_format == MONEY_FORMAT:
        return len(f"(£{abs(float(value)):,.2f})")  # type: ignore[arg-type]
    if number_format == PERCENT_FORMAT:
        return len(f"{float(value) * 100:.1f}%")  # type: ignore[arg-type]
    if number_format == DATE_FORMAT:
        return 10
    if number_format == DATE_TIME_FORMAT:
        return 16
    if number_format == DECIMAL_FORMAT:
        return len(f"{float(value):,.2f}")  # type: ignore[arg-type]
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_kinds(
    columns: Iterable[object], *, money: Iterable[str] = (), percent: Iterable[str] = (), share: Iterable[str] = ()
) -> list[str]:
    """Each column's kind: money (declared), share (declared: 0.125 is 12.5%), percent (declared,
    or a code ending `_pct`, or a header ending `%`: 12.5 is 12.5%) or plain."""
    money_set, percent_set, share_set = set(money), set(percent), set(share)
    kinds = []
    for column in columns:
        name = str(column)
        if name in money_set:
            kinds.append("money")
        elif name in share_set:
            kinds.append("share")
        elif name in percent_set or name.endswith(("_pct", "%")):
            kinds.append("percent")
        else:
            kinds.append("")
    return kinds


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    title: Title,
    money: Iterable[str] = (),
    percent: Iterable[str] = (),
    share: Iterable[str] = (),
    file_columns: bool = False,
) -> bytes:
    """The table as a finance officer's workbook (the module's docstring). With `file_columns`
    (a file to fill in and upload, such as an import template) there is no title row and the
    header keeps the column names the importer reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    kinds = column_kinds(frame.columns, money=money, percent=percent, share=share)
    headers = [str(c) if file_columns else header_words(c) for c in frame.columns]
    header_row = 1 if file_columns else HEADER_ROW
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title.what)[:31] or "Table"
    if not file_columns:
        sheet.cell(row=1, column=1, value=safe_text(title.text())).font = Font(bold=True, size=14)
    widths = [len(h) for h in headers]
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=index, value=safe_text(header)).font = Font(bold=True)
    for row_number, row in enumerate(frame.itertuples(index=False, name=None), start=header_row + 1):
        for index, (raw, kind) in enumerate(zip(row, kinds, strict=True)):
            value, number_format = _cell(raw, kind)
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=index + 1, value=value)
            if number_format:
                cell.number_format = number_format
            widths[index] = max(widths[index], _shown_width(value, number_format))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, NARROWEST), WIDEST)
    sheet.freeze_panes = f"A{header_row + 1}"
    if headers:
        last = get_column_letter(len(headers))
        sheet.auto_filter.ref = f"A{header_row}:{last}{max(header_row + len(frame), header_row + 1)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
