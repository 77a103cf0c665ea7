"""Reading the CSV and XLSX files users upload (DATA_FORMATS.md, top).

The bytes are read by `tablereader`, the one bounded reader every import uses (the limits are
settings). Everything is read as text; parsing into money, dates and booleans happens per column in
`forecasting.parsing`, so that a bad value is reported with its file, row, column and value rather than
guessed at by pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.conf import settings

from tablereader import Limits, ReadError, SheetColumns, gc_paused, read_sheet_columns


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


def reading_limits() -> Limits:
    """The limits every file is read within (settings OUTTURN_MAX_*, docs/reading.md)."""
    return Limits(
        upload_bytes=settings.OUTTURN_MAX_UPLOAD_BYTES,
        unpacked_bytes=settings.OUTTURN_MAX_UNPACKED_BYTES,
        rows=settings.OUTTURN_MAX_ROWS,
        columns=settings.OUTTURN_MAX_COLUMNS,
        cell_chars=settings.OUTTURN_MAX_CELL_CHARS,
    )


def read_table(source: str, data: bytes) -> Table:
    """Read a CSV or XLSX (first sheet) file into a Table, within the reading limits."""
    try:
        sheet = read_sheet_columns(source, data, reading_limits())
    except ReadError as error:
        raise TableError(str(error)) from None
    with gc_paused():
        if isinstance(sheet, SheetColumns):
            return _build_from_columns(source, sheet.columns, sheet.formulas)
        return _build(source, sheet.rows, sheet.formulas)


def _build(source: str, rows: list[list[str]], formulas: list[tuple[int, int, str]]) -> Table:
    # The header is the first row with anything in it; blank rows anywhere are skipped.
    header_index = next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None)
    if header_index is None:
        raise TableError(f"{source}: the file is empty")
    header = _header(source, rows[header_index])
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
    return _table(source, frame, numbers, header, rows[header_index], formulas, header_index)


def _build_from_columns(source: str, columns: list[list[str]], formulas: list[tuple[int, int, str]]) -> Table:
    """_build's Table from the sheet's columns (cells trimmed, every column as long as the sheet),
    with no row made: which rows are blank is worked out from the cells' lengths with numpy."""
    height = len(columns[0]) if columns else 0
    lengths = [np.fromiter(map(len, cells), np.int64, height) for cells in columns]
    filled = np.logical_or.reduce([length > 0 for length in lengths]) if columns else np.zeros(0, bool)
    header_index = int(np.argmax(filled)) if filled.any() else None
    if header_index is None:
        raise TableError(f"{source}: the file is empty")
    header_row = [cells[header_index] for cells in columns]
    header = _header(source, header_row)
    width = len(header)
    start = header_index + 1
    if len(columns) > width:
        beyond = np.logical_or.reduce([length[start:] > 0 for length in lengths[width:]])
        if beyond.any():
            index = start + int(np.argmax(beyond))
            extra = next(cells[index] for cells in columns[width:] if cells[index])
            raise TableError(f"{source}: row {index + 1} has a value ('{extra}') beyond the last named column")
    kept = np.flatnonzero(filled[start:]) + start
    frame = pd.DataFrame(columns=header, dtype=object)
    if len(kept):
        # One (rows, columns) array of objects, as pandas makes from a list of rows.
        body = np.empty((len(kept), width), dtype=object)
        whole = len(kept) == height - start
        for j in range(width):
            cells = np.empty(height, dtype=object)
            cells[:] = columns[j]
            body[:, j] = cells[start:] if whole else cells[kept]
        frame = pd.DataFrame(body, columns=header, dtype=object)
    return _table(source, frame, (kept + 1).tolist(), header, header_row, formulas, header_index)


def _header(source: str, cells: list[str]) -> list[str]:
    header = [normalise_column(cell) for cell in cells]
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
    return header


def _table(
    source: str,
    frame: pd.DataFrame,
    numbers: list[int],
    header: list[str],
    header_row: list[str],
    formulas: list[tuple[int, int, str]],
    header_index: int,
) -> Table:
    width = len(header)
    original = {normalise_column(cell): str(cell).strip() for cell in header_row if str(cell).strip()}
    formula_cells = [
        (row_number, header[col] if col < width else f"column {col + 1}", formula)
        for row_number, col, formula in formulas
        if row_number > header_index + 1
    ]
    return Table(
        source=source, frame=frame, row_numbers=numbers, original_columns=original, formula_cells=formula_cells
    )
