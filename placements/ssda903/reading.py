"""Reading SSDA903 header, episodes and UASC files (CSV or XLSX, DfE or regional shape) as strings.

Nothing is guessed here: every value stays the text the council wrote, trimmed. The bytes go
through the one bounded reader every import uses (``tablereader``), within the limits given. The file type
comes from the columns, never from the file name (docs/ssda903.md, Reading).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from placements.ssda903.codes import (
    DISTINCTIVE_COLUMNS,
    KIND_COLUMNS,
    REGIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Ssda903FileError,
)
from placements.ssda903.plaincsv import plain_csv_table
from tablereader import Limits, ReadError, gc_paused, read_sheet, too_large

FileInput = Union[str, "os.PathLike[str]", tuple[str, bytes]]


@dataclass(frozen=True)
class Ssda903File:
    name: str
    kind: str  # "header" | "episodes" | "uasc"
    shape: str  # "dfe" (per-year, UK dates) | "regional" (LIIA: LA, YEAR, ISO dates)
    rows: int
    ignored_columns: tuple[str, ...] = ()


@dataclass
class Ssda903Files:
    """Everything read, as strings. Each frame has the kind's columns (absent optional columns
    are blank), ``LA`` and ``YEAR`` (blank for DfE files) and bookkeeping columns: ``_file`` (file
    name), ``_row`` (spreadsheet row, header = 1), ``_src`` (position of the file in the input)
    and ``_year_hint`` (YEAR, or a year in the file name; NaN if neither)."""

    header: pd.DataFrame
    episodes: pd.DataFrame
    uasc: pd.DataFrame
    files: list[Ssda903File] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_META_COLUMNS = ["_file", "_row", "_src", "_year_hint"]
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _empty_frame(kind: str) -> pd.DataFrame:
    columns = list(KIND_COLUMNS[kind]) + list(REGIONAL_COLUMNS) + _META_COLUMNS
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame["_row"] = frame["_row"].astype("int64")
    frame["_src"] = frame["_src"].astype("int64")
    frame["_year_hint"] = frame["_year_hint"].astype("float64")
    return frame


def _load(item: FileInput, limits: Limits) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        name, data = item
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"{name}: expected bytes, got {type(data).__name__}")
        return str(name), bytes(data)
    path = Path(item)
    size = path.stat().st_size
    if size > limits.upload_bytes:  # refused before it is read into memory
        raise Ssda903FileError([str(too_large(path.name, size, limits))])
    return path.name, path.read_bytes()


def _read_table(name: str, data: bytes, limits: Limits) -> tuple[pd.DataFrame, list[int]]:
    """One CSV or XLSX (first sheet) through the bounded reader: its rows under the header (the
    first row with anything in it) as strings, blank cells '', and each row's spreadsheet number."""
    try:
        sheet = read_sheet(name, data, limits)
    except ReadError as exc:
        raise Ssda903FileError([str(exc)]) from None
    rows = sheet.rows
    first = next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None)
    if first is None:
        raise Ssda903FileError([f"{name}: the file is empty"])
    header = list(rows[first])  # the reader trims every cell
    while header and not header[-1]:
        header.pop()
    if sheet.formulas:
        raise Ssda903FileError(_formula_errors(name, header, sheet.formulas))
    # A blank name is Excel's phantom column (or a trailing comma): dropped later if empty.
    columns = [cell or f"Unnamed: {i}" for i, cell in enumerate(header)]
    width = len(columns)
    body = rows[first + 1 :]
    if set(map(len, body)) - {width}:  # most files are square: only others are looked at row by row
        body = [_fitted(name, first + 2 + i, row, width) for i, row in enumerate(body)]
    frame = pd.DataFrame(body, columns=columns, dtype=object) if body else pd.DataFrame(columns=columns, dtype=object)
    return frame, list(range(first + 2, len(rows) + 1))


def _fitted(name: str, number: int, row: list[str], width: int) -> list[str]:
    """The row with exactly ``width`` cells: padded with blanks, or cut if what is cut is blank."""
    extra = next((cell for cell in row[width:] if cell.strip()), None)
    if extra is not None:
        raise Ssda903FileError([f"{name}: row {number} has a value ('{extra}') beyond the last named column"])
    return (row + [""] * width)[:width]


def _formula_errors(name: str, header: list[str], formulas: list[tuple[int, int, str]]) -> list[str]:
    """One error per formula cell (the first 20, then how many more), naming row and column."""
    errors = []
    for row, column, formula in formulas[:20]:
        where = header[column] if column < len(header) and header[column] else f"column {column + 1}"
        errors.append(f"{name}: row {row}, column {where} holds a formula ({formula}); save the sheet with values only")
    if len(formulas) > 20:
        errors.append(f"{name}: {len(formulas) - 20} more cells hold a formula")
    return errors


def _classify(name: str, columns: list[str]) -> tuple[str, str]:
    """Return (kind, shape) from the normalised column names, or raise naming the file."""
    present = set(columns)
    duplicated = sorted({c for c in columns if columns.count(c) > 1 and c})
    if duplicated:
        raise Ssda903FileError([f"{name}: column(s) {', '.join(duplicated)} appear more than once"])
    kinds = sorted(k for k, distinctive in DISTINCTIVE_COLUMNS.items() if present & distinctive)
    if len(kinds) > 1:
        detail = "; ".join(f"{k}: {', '.join(sorted(present & DISTINCTIVE_COLUMNS[k]))}" for k in kinds)
        raise Ssda903FileError(
            [
                f"{name}: mixes the columns of {' and '.join(kinds)} files ({detail}); "
                "each SSDA903 table must be its own file"
            ]
        )
    if not kinds:
        if {"CHILD", "DOB"} <= present:
            kinds = ["header"]
        else:
            shown = ", ".join(c for c in columns if c) or "none"
            raise Ssda903FileError([f"{name}: columns ({shown}) match no SSDA903 file (header, episodes or UASC)"])
    kind = kinds[0]
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in present]
    if missing:
        raise Ssda903FileError([f"{name}: looks like an SSDA903 {kind} file but has no {', '.join(missing)} column"])
    regional = present & set(REGIONAL_COLUMNS)
    if len(regional) == 1:
        has, lacks = ("LA", "YEAR") if "LA" in regional else ("YEAR", "LA")
        raise Ssda903FileError(
            [
                f"{name}: mixes the DfE and regional shapes: it has a {has} column but no {lacks} "
                "(regional files need both)"
            ]
        )
    return kind, ("regional" if regional else "dfe")


def _named_columns(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Normalise the column names (trimmed, upper case) and drop unnamed, empty columns."""
    columns = [str(c).strip().upper() for c in raw.columns]
    raw.columns = columns
    # Unnamed, empty columns (trailing commas, Excel's phantom columns) are not columns.
    unnamed = [c for c in columns if c.startswith("UNNAMED:") or c == ""]
    empty_unnamed = [c for c in unnamed if (raw[c].astype(str).str.strip() == "").all()]
    if empty_unnamed:
        raw = raw.drop(columns=empty_unnamed)
        columns = [c for c in columns if c not in empty_unnamed]
    return raw, columns


def _blank_rows(raw: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rows whose every one of ``columns`` is blank. Each column is looked at only in the rows
    blank so far: after the first, hardly any."""
    candidates = np.arange(len(raw))
    for column in columns:
        candidates = candidates[raw[column].to_numpy()[candidates] == ""]
        if not len(candidates):
            break
    blank = np.zeros(len(raw), dtype=bool)
    blank[candidates] = True
    return blank


# Every text whose upper case is CHILD (the dotless i's upper case is I): a row repeating the
# column names is found by a hash lookup rather than by upper-casing every reference.
_CHILD_SPELLINGS = frozenset("".join(letters) for letters in itertools.product("Cc", "Hh", "Ii\u0131", "Ll", "Dd"))


# One file's columns (the kind's, LA, YEAR and the bookkeeping columns, in that order): text as
# a pyarrow array (a plain CSV, turned into Python text once for every file of its kind) or a
# numpy array.
Columns = dict[str, np.ndarray | pa.ChunkedArray]


def _read_one(src: int, name: str, data: bytes, limits: Limits) -> tuple[str, Columns, Ssda903File]:
    """(kind, rows as strings with the bookkeeping columns, what was read) of one file."""
    plain = plain_csv_table(name, data, limits)
    if plain is not None:
        header, arrow = plain
        columns = [cell.strip().upper() for cell in header]
        # Names that repeat or are blank are the general path's to report or drop.
        if len(set(columns)) == len(columns) and not any(c.startswith("UNNAMED:") for c in columns):
            return _read_plain(src, name, columns, arrow)
        table = arrow.to_pandas(use_threads=False, deduplicate_objects=False)
        table.columns = header
        numbers = list(range(2, arrow.num_rows + 2))
    else:
        table, numbers = _read_table(name, data, limits)
    raw, columns = _named_columns(table)
    kind, shape = _classify(name, columns)
    wanted = list(KIND_COLUMNS[kind]) + list(REGIONAL_COLUMNS)
    extra = tuple(c for c in columns if c not in wanted)
    content = [c for c in columns if c in wanted]
    rows = np.array(numbers, dtype="int64")
    # Blank lines (all cells empty) are not records.
    blank = _blank_rows(raw, content)
    kept = np.flatnonzero(~blank) if blank.any() else None
    cells = {c: raw[c].to_numpy(dtype=object) for c in content}  # the reader's cells are text, trimmed
    if kept is not None:
        cells = {c: values[kept] for c, values in cells.items()}
        rows = rows[kept]
    second_header = pd.Series(cells["CHILD"]).isin(_CHILD_SPELLINGS).to_numpy()
    if second_header.any():
        raise Ssda903FileError(
            [f"{name}: row {int(rows[second_header][0])} repeats the column names (several files pasted into one?)"]
        )
    n = len(rows)
    blank_column = np.full(n, "", dtype=object)
    out = {column: cells.get(column, blank_column) for column in wanted}
    out["_file"] = np.full(n, name, dtype=object)
    out["_row"] = rows
    out["_src"] = np.full(n, src, dtype="int64")
    if shape == "regional":
        out["_year_hint"] = pd.to_numeric(pd.Series(out["YEAR"]), errors="coerce").to_numpy(dtype="float64")
    else:
        match = _YEAR_IN_NAME.search(name)
        out["_year_hint"] = np.full(n, float(match.group(1)) if match else np.nan, dtype="float64")
    info = Ssda903File(name=name, kind=kind, shape=shape, rows=n, ignored_columns=extra)
    return kind, out, info


def _read_plain(src: int, name: str, columns: list[str], table: pa.Table) -> tuple[str, Columns, Ssda903File]:
    """``_read_one`` of a plain CSV (``plaincsv``) with these column names (normalised, unique,
    none blank), its cells kept as pyarrow text: the same checks, on pyarrow's arrays."""
    kind, shape = _classify(name, columns)
    wanted = list(KIND_COLUMNS[kind]) + list(REGIONAL_COLUMNS)
    extra = tuple(c for c in columns if c not in wanted)
    cells = {c: table.column(i) for i, c in enumerate(columns) if c in wanted}
    rows = np.arange(2, table.num_rows + 2, dtype="int64")
    # Blank lines (all cells empty) are not records. Each column is looked at only while some
    # row is blank in every column so far.
    blank = None
    for values in cells.values():
        empty = pc.equal(values, "")
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            break
    else:
        if blank is not None:
            kept = np.flatnonzero(~blank.to_numpy())
            cells = {c: values.take(kept) for c, values in cells.items()}
            rows = rows[kept]
    # The file is ASCII: CHILD in any mix of cases is the only spelling of it.
    second_header = pc.equal(pc.ascii_upper(cells["CHILD"]), "CHILD").to_numpy()
    if second_header.any():
        raise Ssda903FileError(
            [f"{name}: row {int(rows[second_header][0])} repeats the column names (several files pasted into one?)"]
        )
    n = len(rows)
    blank_column = np.full(n, "", dtype=object)
    out: Columns = {column: cells.get(column, blank_column) for column in wanted}
    out["_file"] = np.full(n, name, dtype=object)
    out["_row"] = rows
    out["_src"] = np.full(n, src, dtype="int64")
    if shape == "regional":
        year = out["YEAR"]
        year = year.to_numpy() if isinstance(year, pa.ChunkedArray) else year
        out["_year_hint"] = pd.to_numeric(pd.Series(year), errors="coerce").to_numpy(dtype="float64")
    else:
        match = _YEAR_IN_NAME.search(name)
        out["_year_hint"] = np.full(n, float(match.group(1)) if match else np.nan, dtype="float64")
    info = Ssda903File(name=name, kind=kind, shape=shape, rows=n, ignored_columns=extra)
    return kind, out, info


def _frame(parts: list[Columns]) -> pd.DataFrame:
    """The files' columns one after the other, as ``pd.concat`` of their frames gives them: a
    column that is pyarrow text in every file is turned into Python text once."""
    columns = {}
    for column in parts[0]:
        values = [part[column] for part in parts]
        arrow = [v for v in values if isinstance(v, pa.ChunkedArray)]
        if len(arrow) == len(values):
            chunks = [chunk for v in arrow for chunk in v.chunks]
            # Equal texts become one Python object: fewer made, and hashed once when the
            # cleaning looks them up.
            text = pa.chunked_array(chunks, type=pa.string())
            columns[column] = text.to_pandas(use_threads=False, deduplicate_objects=True).to_numpy()
        else:
            columns[column] = np.concatenate([v.to_numpy() if isinstance(v, pa.ChunkedArray) else v for v in values])
    return pd.DataFrame(columns, copy=False)


def read_903_files(items: Iterable[FileInput], limits: Limits | None = None) -> Ssda903Files:
    """Read SSDA903 files (paths or (name, bytes) pairs), recognising each file's type from its
    columns, each within ``limits`` (the bounded reader's defaults unless the caller passes the
    deployment's). Raises ``Ssda903FileError`` listing every file that cannot be read."""
    with gc_paused():  # hundreds of thousands of rows of strings, none in a cycle
        return _read_all(items, limits or Limits())


def _read_all(items: Iterable[FileInput], limits: Limits) -> Ssda903Files:
    frames: dict[str, list[Columns]] = {"header": [], "episodes": [], "uasc": []}
    infos: list[Ssda903File] = []
    warnings: list[str] = []
    errors: list[str] = []
    for src, item in enumerate(items):
        try:
            name, data = _load(item, limits)
            kind, frame, info = _read_one(src, name, data, limits)
        except Ssda903FileError as exc:
            errors.extend(exc.errors)  # an import is all or nothing: report every bad file
            continue
        frames[kind].append(frame)
        infos.append(info)
        if info.ignored_columns:
            warnings.append(
                f"{name}: column(s) {', '.join(info.ignored_columns)} are not SSDA903 {kind} columns and were ignored"
            )
    if errors:
        raise Ssda903FileError(errors)
    result = {}
    for kind, parts in frames.items():
        result[kind] = _frame(parts) if parts else _empty_frame(kind)
    return Ssda903Files(
        header=result["header"],
        episodes=result["episodes"],
        uasc=result["uasc"],
        files=infos,
        warnings=warnings,
    )
