"""Reading the CSV and XLSX files users upload (DATA_FORMATS.md, top).

Everything is read as text; parsing into money, dates and booleans happens per column in
`forecasting.parsing`, so that a bad value is reported with its file, row, column and value rather than
guessed at by pandas.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from django.conf import settings


class TableError(ValueError):
    """The file as a whole cannot be read; the message names the file."""


@dataclass
class Table:
    source: str
    frame: pd.DataFrame  # all cells str, '' when blank; columns are normalised names
    row_numbers: list[int]  # the spreadsheet row number of each frame row (header is row 1)
    original_columns: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    formula_cells: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, formula)

    def __len__(self) -> int:
        return len(self.frame)


def normalise_column(name: object) -> str:
    return str(name if name is not None else "").strip().lower()


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_table(source: str, data: bytes) -> Table:
    """Read a CSV (UTF-8, BOM optional) or XLSX (first sheet) file into a Table."""
    limit = settings.OUTTURN_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise TableError(
            f"{source}: the file is {_size_text(len(data))}; the largest file accepted is {_size_text(limit)}"
        )
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise TableError(f"{source}: the file is empty")
    lower = source.lower()
    if data[:4] == b"PK\x03\x04":
        if lower.endswith(".csv"):
            raise TableError(f"{source}: this is a spreadsheet (XLSX) file named .csv; rename it .xlsx")
        return _read_xlsx(source, data)
    if lower.endswith((".xlsx", ".xlsm")):
        raise TableError(f"{source}: this is not an XLSX workbook; save it again as .xlsx or CSV")
    if lower.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(f"{source}: old Excel (.xls) files are not read; save it as .xlsx or CSV")
    return _read_csv(source, data)


def _read_csv(source: str, data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise TableError(f"{source}: this is not a CSV or XLSX file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            f"{source}: the file is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8' or XLSX"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise TableError(f"{source}: this is not a readable CSV file ({error})") from None
    return _build(source, rows, [])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr gives the shortest text that is the same double: 1234.56, not 1234.5599999
        return str(Decimal(repr(value)))
    return str(value).strip()


def _read_xlsx(source: str, data: bytes) -> Table:
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError(f"{source}: this XLSX file cannot be opened ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        formulas: list[tuple[int, int, str]] = []
        for index, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
            texts = []
            for col, value in enumerate(raw):
                if isinstance(value, str) and value.startswith("="):
                    formulas.append((index, col, value))
                texts.append(_cell_text(value))
            rows.append(texts)
    finally:
        workbook.close()
    return _build(source, rows, formulas)


def _build(source: str, rows: list[list[str]], formulas: list[tuple[int, int, str]]) -> Table:
    # The header is the first row with anything in it; blank rows anywhere are skipped.
    header_index = next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None)
    if header_index is None:
        raise TableError(f"{source}: the file is empty")
    header = [normalise_column(cell) for cell in rows[header_index]]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise TableError(f"{source}: the first row has no column names")
    seen: set[str] = set()
    for name in header:
        if name == "":
            raise TableError(f"{source}: a column in the header row has no name")
        if name in seen:
            raise TableError(f"{source}: the column '{name}' appears twice in the header row")
        seen.add(name)
    width = len(header)
    body: list[list[str]] = []
    numbers: list[int] = []
    for index in range(header_index + 1, len(rows)):
        row = [cell.strip() for cell in rows[index]]
        if not any(row):
            continue
        if len(row) > width and any(row[width:]):
            extra = next(cell for cell in row[width:] if cell)
            raise TableError(f"{source}: row {index + 1} has a value ('{extra}') beyond the last named column")
        body.append((row + [""] * width)[:width])
        numbers.append(index + 1)
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header, dtype=object)
    original = {normalise_column(cell): str(cell).strip() for cell in rows[header_index] if str(cell).strip()}
    formula_cells = [
        (row_number, header[col] if col < width else f"column {col + 1}", formula)
        for row_number, col, formula in formulas
        if row_number > header_index + 1
    ]
    return Table(
        source=source, frame=frame, row_numbers=numbers, original_columns=original, formula_cells=formula_cells
    )
