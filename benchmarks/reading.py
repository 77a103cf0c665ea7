"""Reading a release of DfE's published statistics and its date (DATA_FORMATS.md, Commands).

The release is the interactive tool's long file: one row per measure, year and area. It comes as
Parquet (as DfE publishes it), CSV or XLSX, and is read by the one bounded reader within the
usual limits, except that it may hold more rows (OUTTURN_MAX_PUBLISHED_ROWS; the November 2025
release has about 600,000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.conf import settings

from core.tabular import normalise_column, reading_limits
from tablereader import Limits, ReadError, gc_paused, read_sheet
from tablereader.parquet import is_parquet, read_parquet_columns

# The tool's columns, as written and as read (lower case).
COLUMNS = {
    "short desc": "code",
    "data item": "item",
    "years": "year",
    "la and regions": "area",
    "values": "value",
    "la number": "la_number",
    "region": "region",
}
# What DfE writes for a figure it does not publish: suppressed (c, x), not applicable or zero
# rounded away (-), or nothing. Kept as missing, never as zero.
SUPPRESSED = frozenset({"", "x", "c", "-", ":", "..", "z", "u", "low", "na", "n/a"})
MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


class ReleaseShapeError(ValueError):
    """The file is not a release of the tool's long format; the message says what is wrong."""


def published_limits() -> Limits:
    base = reading_limits()
    return Limits(
        upload_bytes=base.upload_bytes,
        unpacked_bytes=base.unpacked_bytes,
        rows=max(base.rows, settings.OUTTURN_MAX_PUBLISHED_ROWS),
        columns=base.columns,
        cell_chars=base.cell_chars,
    )


def read_release(source: str, data: bytes) -> pd.DataFrame:
    """The release as a frame of text with the columns of COLUMNS' values and `row` (the file's
    row number, the header being row 1). Raises ReadError or ReleaseShapeError."""
    limits = published_limits()
    if is_parquet(data):
        names, columns = read_parquet_columns(source, data, limits)
        frame = pd.DataFrame(columns)
        frame["row"] = range(2, len(frame) + 2)
    else:
        with gc_paused():
            sheet = read_sheet(source, data, limits)
            header_at = next((i for i, row in enumerate(sheet.rows) if any(cell.strip() for cell in row)), 0)
            names = [cell.strip() for cell in sheet.rows[header_at]] if sheet.rows else []
            body = [row for row in sheet.rows[header_at + 1 :]]
            frame = pd.DataFrame([(row + [""] * len(names))[: len(names)] for row in body], columns=names, dtype=object)
            frame["row"] = range(header_at + 2, header_at + 2 + len(frame))
    found = {normalise_column(name): name for name in names}
    missing = [
        written
        for written in ("Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region")
        if normalise_column(written) not in found
    ]
    if missing:
        raise ReleaseShapeError(
            "this is not a release of DfE's published statistics in the interactive tool's long format: "
            f"the header row lacks {', '.join(missing)} (found: {', '.join(map(str, names[:12])) or 'nothing'})"
        )
    frame = frame.rename(columns={found[key]: value for key, value in COLUMNS.items()})
    frame = frame[[*COLUMNS.values(), "row"]]
    for column in COLUMNS.values():
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    return frame


def figure(text: str) -> Decimal | None:
    """A published value: None when suppressed or blank; raises ValueError when not a number.
    DfE's files carry binary floating-point noise (22.700000000000003); six places are kept."""
    cleaned = text.strip().replace(",", "")
    if cleaned.lower() in SUPPRESSED:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("is not a number or one of DfE's marks for a suppressed figure (x, c, -)") from None
    if not number.is_finite():
        raise ValueError("is not a number")
    return number.quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class ReleaseDate:
    day: date
    month_only: bool = False


def release_date(source: str, given: object) -> ReleaseDate:
    """The date a release was published: --as-at when given, else from the file's name
    (lait-bds-long-2025-11-03.parquet, statistical-neighbours-may-2025.xlsx). ValueError if none."""
    if given:
        try:
            return ReleaseDate(date.fromisoformat(str(given).strip()))
        except ValueError:
            raise ValueError(f"the release date given ('{given}') is not a date like 2025-11-03") from None
    name = source.lower()
    full = re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
    if full:
        try:
            return ReleaseDate(date(int(full[1]), int(full[2]), int(full[3])))
        except ValueError:
            pass
    month = re.search(r"(" + "|".join(MONTHS) + r")[-_ ]?(\d{4})", name)
    if month:
        return ReleaseDate(date(int(month[2]), MONTHS[month[1]], 1), month_only=True)
    raise ValueError(
        "the file's name does not say when it was published (e.g. lait-bds-long-2025-11-03.parquet); "
        "give the date with --as-at 2025-11-03"
    )


__all__ = ["ReadError", "ReleaseDate", "ReleaseShapeError", "figure", "read_release", "release_date"]
