"""read_sheet: a CSV or XLSX file's cells as text, within the limits, with its formula cells."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tablereader.csvfile import read_csv_rows
from tablereader.limits import Limits, ReadError, too_large
from tablereader.sheetscan import too_far
from tablereader.xlsx import read_xlsx_values

OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Sheet:
    """Every row of the file; ``rows[i]`` is spreadsheet row ``i + 1``. Cells are text, trimmed: ''
    when blank, whole numbers without '.0', dates as 2019-07-31, booleans 'true'/'false'."""

    source: str
    rows: list[list[str]]
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row number, column index, "=B2*100")


@dataclass
class SheetColumns:
    """An XLSX's first sheet column by column: ``columns[j][i]`` is the cell of spreadsheet row
    ``i + 1`` in column ``j + 1``, every column as long as the sheet (a formula or error value
    placed beyond python-calamine's cells lengthens them all with blanks). Cells as in Sheet."""

    source: str
    columns: list[list[str]]
    formulas: list[tuple[int, int, str]] = field(default_factory=list)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Cyclic garbage collection paused while the cells are made: hundreds of thousands of small
    lists and strings, none in a cycle, whose collector passes otherwise cost a fifth of a read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_sheet(source: str, data: bytes, limits: Limits | None = None) -> Sheet:
    """Read a CSV (UTF-8 with or without a byte order mark, or Windows-1252) or the first sheet
    of an XLSX within ``limits``; raise ReadError naming the file and what is wrong."""
    with gc_paused():
        sheet = _read_sheet(source, data, limits or Limits())
    assert isinstance(sheet, Sheet)  # rows unless asked for columns
    return sheet


def read_sheet_columns(source: str, data: bytes, limits: Limits | None = None) -> Sheet | SheetColumns:
    """read_sheet, but an XLSX's cells come column by column (a CSV's still row by row), for a
    caller that builds columns: each column is made text at once, and no rows are made."""
    with gc_paused():
        return _read_sheet(source, data, limits or Limits(), by_column=True)


def _read_sheet(source: str, data: bytes, limits: Limits, *, by_column: bool = False) -> Sheet | SheetColumns:
    if len(data) > limits.upload_bytes:
        raise too_large(source, len(data), limits)
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise ReadError(f"{source}: the file is empty")
    lower = source.lower()
    if data[:4] == b"PK\x03\x04":
        if lower.endswith(".csv"):
            raise ReadError(f"{source}: this is a spreadsheet (XLSX) file named .csv; rename it .xlsx")
        return _xlsx_columns(source, data, limits) if by_column else _xlsx_sheet(source, data, limits)
    if lower.endswith((".xlsx", ".xlsm")):
        raise ReadError(f"{source}: this is not an XLSX workbook; save it again as .xlsx or CSV")
    if lower.endswith(".xls") or data[:8] == OLD_EXCEL:
        raise ReadError(f"{source}: old Excel (.xls) files are not read; save it as .xlsx or CSV")
    return Sheet(source, read_csv_rows(source, data, limits))


def _xlsx_sheet(source: str, data: bytes, limits: Limits) -> Sheet:
    values, facts = read_xlsx_values(source, data, limits)
    too_far(source, limits, row=len(values), column=max(map(len, values), default=0))
    # Text is most cells: it is trimmed here rather than through a call per cell.
    rows = [[value.strip() if type(value) is str else cell_text(value) for value in row] for row in values]
    # python-calamine gives a formula's last result (or nothing) and a blank for an error such
    # as #N/A: the cell shows what the sheet holds instead, as Excel would.
    for row, column, text in facts.errors + facts.formulas:
        while len(rows) < row:
            rows.append([])
        cells = rows[row - 1]
        cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = text
    _check_cells(source, rows, limits)
    return Sheet(source, rows, list(facts.formulas))


def _check_cells(source: str, rows: list[list[str]], limits: Limits) -> None:
    for index, row in enumerate(rows):
        if row and max(map(len, row)) > limits.cell_chars:
            column = next(i for i, cell in enumerate(row) if len(cell) > limits.cell_chars)
            raise _too_long(source, index, column, len(row[column]), limits)


def _too_long(source: str, row: int, column: int, length: int, limits: Limits) -> ReadError:
    return ReadError(
        f"{source}: row {row + 1}, column {column + 1} has {length:,} characters; "
        f"the longest cell accepted is {limits.cell_chars:,}"
    )


def _xlsx_columns(source: str, data: bytes, limits: Limits) -> SheetColumns:
    """The same cells as _xlsx_sheet, column by column."""
    values, facts = read_xlsx_values(source, data, limits)
    too_far(source, limits, row=len(values), column=max(map(len, values), default=0))
    columns = [column_text(cells) for cells in itertools.zip_longest(*values, fillvalue="")]
    del values
    height = len(columns[0]) if columns else 0
    for row, column, text in facts.errors + facts.formulas:
        if row > height:
            for cells in columns:
                cells.extend([""] * (row - height))
            height = row
        while len(columns) <= column:
            columns.append([""] * height)
        columns[column][row - 1] = text
    # The first row with a cell too long, and its first such cell, as _check_cells names them.
    long = [cells for cells in columns if cells and max(map(len, cells)) > limits.cell_chars]
    if long:
        row = min(next(i for i, cell in enumerate(cells) if len(cell) > limits.cell_chars) for cells in long)
        column = next(j for j, cells in enumerate(columns) if len(cells[row]) > limits.cell_chars)
        raise _too_long(source, row, column, len(columns[column][row]), limits)
    return SheetColumns(source, columns, list(facts.formulas))


# A column whose values are each looked up once: none of these types' values equals another's,
# except between True, 1 and 1.0 (so only one of those kinds may be in a column).
_HASHED = frozenset({str, float, int, bool, date, datetime, type(None)})
_NUMBERS = frozenset({float, int, bool})


def column_text(values: Sequence[object]) -> list[str]:
    """One column's values as cell_text gives them. A column of text is trimmed at C speed;
    otherwise each distinct value is made text once (dates, amounts and codes repeat down a
    register), and the cells looked up."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return list(map(str.strip, values))  # type: ignore[arg-type]
    if kinds <= _HASHED and len(kinds & _NUMBERS) <= 1:
        texts = dict.fromkeys(values, "")
        for value in texts:
            texts[value] = cell_text(value)
        return list(map(texts.__getitem__, values))
    return [cell_text(value) for value in values]


def cell_text(value: object) -> str:
    """A cell's value as the text the importers parse."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr gives the shortest text that is the same double: 1234.56, not 1234.5599999. Decimal
        # writes it out only when repr uses an exponent (1e-05 -> 0.00001) or is inf or nan.
        text = repr(value)
        return text if "e" not in text and "n" not in text else str(Decimal(text))
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
