"""The one XLSX writer: title row, bold frozen header, autofilter, widths, real dates, £ and %."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
from openpyxl import load_workbook

from core.spreadsheet import (
    DATE_FORMAT,
    DATE_TIME_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    WIDEST,
    Title,
    declare,
    header_words,
    xlsx_bytes,
)


def _book(frame: pd.DataFrame, **kinds):  # type: ignore[no-untyped-def]
    title = Title("Shireford County Council", "Budget lines", "Period 7, October 2024", "Forecast run 12")
    return load_workbook(io.BytesIO(xlsx_bytes(frame, title=title, **kinds))).active


def test_a_workbook_has_a_title_a_bold_frozen_header_and_typed_cells() -> None:
    frame = pd.DataFrame(
        [
            ["CIC-RES", date(2024, 10, 31), datetime(2024, 11, 3, 14, 15, tzinfo=UTC), Decimal("-1234.5"), 12.34, 7],
            ["=cmd", None, None, None, None, 0],
        ],
        columns=["line_code", "as_at", "when", "forecast_outturn", "variance_pct", "children"],
    )
    sheet = _book(frame, money=["forecast_outturn"])
    assert sheet["A1"].value == ("Shireford County Council – Budget lines – Period 7, October 2024 – Forecast run 12")
    assert sheet["A2"].value is None
    assert [c.value for c in sheet[3]] == [
        "Budget line code",
        "As at",
        "When",
        "Forecast outturn",
        "Variance %",
        "Children",
    ]
    assert all(c.font.bold for c in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:F5"
    as_at, when, money, percent, count = sheet["B4"], sheet["C4"], sheet["D4"], sheet["E4"], sheet["F4"]
    assert as_at.is_date and as_at.value.date() == date(2024, 10, 31) and as_at.number_format == DATE_FORMAT
    # 14:15 UTC on 3 November is 14:15 in London (GMT).
    assert when.is_date and when.value == datetime(2024, 11, 3, 14, 15) and when.number_format == DATE_TIME_FORMAT
    assert money.data_type == "n" and money.value == -1234.5 and money.number_format == MONEY_FORMAT
    assert MONEY_FORMAT == '"£"#,##0.00;("£"#,##0.00)'  # a negative in brackets, never "-£"
    assert percent.value == 0.1234 and percent.number_format == PERCENT_FORMAT == "0.0%"
    assert count.value == 7 and isinstance(count.value, int)
    assert sheet["A5"].value == "'=cmd"  # formula injection escaped
    assert sheet["B5"].value is None and sheet["D5"].value is None


def test_declared_columns_and_shares_and_widths() -> None:
    frame = declare(
        pd.DataFrame([["x" * 200, 0.125, Decimal("10.00")]], columns=["Note", "Share", "Cost"]),
        money=["Cost"],
        share=["Share"],
    )
    sheet = _book(frame, money=frame.attrs["download_money"], share=frame.attrs["download_share"])
    assert sheet["B4"].value == 0.125 and sheet["B4"].number_format == PERCENT_FORMAT
    assert sheet["C4"].number_format == MONEY_FORMAT
    assert sheet.column_dimensions["A"].width == WIDEST  # capped
    assert sheet.column_dimensions["C"].width >= len("Cost") + 2


def test_codes_become_words_and_words_stay() -> None:
    assert header_words("forecast_outturn") == "Forecast outturn"
    assert header_words("agency_fte") == "Agency FTE"
    assert header_words("vacancy_rate_pct") == "Vacancy rate %"
    assert header_words("placement_ref") == "Placement reference"
    assert header_words("Likely low (£)") == "Likely low (£)"
