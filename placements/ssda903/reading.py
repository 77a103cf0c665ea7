"""Reading SSDA903 header, episodes and UASC files (CSV or XLSX, DfE or regional shape) as strings.

Nothing is guessed here: every value stays the text the council wrote, trimmed. The file type
comes from the columns, never from the file name (docs/ssda903.md, Reading).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd

from placements.ssda903.codes import (
    DISTINCTIVE_COLUMNS,
    KIND_COLUMNS,
    REGIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Ssda903FileError,
)

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


def _load(item: FileInput) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        name, data = item
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"{name}: expected bytes, got {type(data).__name__}")
        return str(name), bytes(data)
    path = Path(item)
    return path.name, path.read_bytes()


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    """Read one CSV or XLSX (first sheet) as strings; blank cells are ''."""
    if data.startswith(b"PK\x03\x04"):
        try:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise Ssda903FileError([f"{name}: not a readable XLSX workbook ({exc})"]) from exc
        return frame.fillna("")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Ssda903FileError([f"{name}: old Excel (.xls) workbooks are not supported; save it as XLSX or CSV"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Ssda903FileError([f"{name}: neither a UTF-8 CSV nor an XLSX workbook"]) from exc
    if "\x00" in text:
        raise Ssda903FileError([f"{name}: neither a UTF-8 CSV nor an XLSX workbook (binary content)"])
    if not text.strip():
        raise Ssda903FileError([f"{name}: the file is empty"])
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, na_filter=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise Ssda903FileError([f"{name}: not a readable CSV ({exc})"]) from exc
    return frame


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


def _read_one(src: int, name: str, data: bytes) -> tuple[str, pd.DataFrame, Ssda903File]:
    """(kind, rows as strings with the bookkeeping columns, what was read) of one file."""
    raw, columns = _named_columns(_read_table(name, data))
    kind, shape = _classify(name, columns)
    wanted = list(KIND_COLUMNS[kind]) + list(REGIONAL_COLUMNS)
    extra = tuple(c for c in columns if c not in wanted)
    content = [c for c in columns if c in wanted]
    raw = raw[content].astype(str).apply(lambda s: s.str.strip())
    raw["_row"] = np.arange(2, len(raw) + 2, dtype="int64")
    # Blank lines (all cells empty) are not records.
    blank = (raw[content] == "").all(axis=1)
    raw = raw[~blank]
    second_header = raw["CHILD"].str.upper() == "CHILD"
    if second_header.any():
        raise Ssda903FileError(
            [
                f"{name}: row {int(raw.loc[second_header, '_row'].iloc[0])} repeats the column names "
                "(several files pasted into one?)"
            ]
        )
    out = pd.DataFrame(index=raw.index)
    for column in wanted:
        out[column] = raw[column] if column in raw.columns else ""
    out["_file"] = name
    out["_row"] = raw["_row"]
    out["_src"] = src
    if shape == "regional":
        out["_year_hint"] = pd.to_numeric(out["YEAR"], errors="coerce").astype("float64")
    else:
        match = _YEAR_IN_NAME.search(name)
        out["_year_hint"] = float(match.group(1)) if match else np.nan
    info = Ssda903File(name=name, kind=kind, shape=shape, rows=len(out), ignored_columns=extra)
    return kind, out.reset_index(drop=True), info


def read_903_files(items: Iterable[FileInput]) -> Ssda903Files:
    """Read SSDA903 files (paths or (name, bytes) pairs), recognising each file's type from its
    columns. Raises ``Ssda903FileError`` listing every file that cannot be read."""
    frames: dict[str, list[pd.DataFrame]] = {"header": [], "episodes": [], "uasc": []}
    infos: list[Ssda903File] = []
    warnings: list[str] = []
    errors: list[str] = []
    for src, item in enumerate(items):
        name, data = _load(item)
        try:
            kind, frame, info = _read_one(src, name, data)
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
        result[kind] = pd.concat(parts, ignore_index=True) if parts else _empty_frame(kind)
    return Ssda903Files(
        header=result["header"],
        episodes=result["episodes"],
        uasc=result["uasc"],
        files=infos,
        warnings=warnings,
    )
