"""Reading a CSV file: its encoding recognised, its rows, columns and cells within the limits."""

from __future__ import annotations

import csv
import io
import re

from tablereader.limits import Limits, ReadError

UTF16_ADVICE = "save it from Excel as 'CSV UTF-8 (Comma delimited)' or as XLSX"
# Control characters that no text file holds (tab, line feed and carriage return are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 text without a byte order mark: mostly ASCII, so every other byte is NUL."""
    pairs = head[: len(head) // 2 * 2]
    if len(pairs) < 4:
        return False
    even, odd = pairs[0::2], pairs[1::2]
    return max(even.count(0), odd.count(0)) >= 0.9 * len(even) and min(even.count(0), odd.count(0)) == 0


def decode(source: str, data: bytes) -> str:
    """The text of a CSV: UTF-8 (with or without a byte order mark), else Windows-1252, the
    encoding Excel's plain 'CSV (Comma delimited)' uses in the UK (so £ is byte 0xA3).
    UTF-16 (Excel's 'Unicode Text') is refused with advice; binary data is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        raise ReadError(f"{source}: the file is UTF-16 text, which is not read; {UTF16_ADVICE}")
    if b"\x00" in data[:4096]:
        raise ReadError(f"{source}: this is not a CSV or XLSX file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ReadError(
                f"{source}: the file is not UTF-8 or Windows-1252 text (byte {error.start}); "
                "save it as 'CSV UTF-8' or XLSX"
            ) from None
    if _CONTROL.search(text, 0, 4096):
        raise ReadError(f"{source}: this is not a CSV or XLSX file (it contains binary data)")
    return text


def read_csv_rows(source: str, data: bytes, limits: Limits) -> list[list[str]]:
    """Every line of the file as its cells (text, untrimmed), within the limits."""
    reader = csv.reader(io.StringIO(decode(source, data), newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if len(rows) == limits.rows:
                raise ReadError(
                    f"{source}: the file has more than {limits.rows:,} rows; the most accepted is {limits.rows:,}"
                )
            _check_row(source, len(rows) + 1, row, limits)
            rows.append(row)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ReadError(
                f"{source}: row {reader.line_num} has a cell longer than {limits.cell_chars:,} characters, "
                "the longest accepted"
            ) from None
        raise ReadError(f"{source}: this is not a readable CSV file ({error})") from None
    return rows


def _check_row(source: str, number: int, row: list[str], limits: Limits) -> None:
    width = len(row)
    while width and not row[width - 1].strip():
        width -= 1
    if width > limits.columns:
        raise ReadError(f"{source}: row {number} has {width:,} columns; the most accepted is {limits.columns:,}")
    if not row or max(map(len, row)) <= limits.cell_chars:
        return
    for index, cell in enumerate(row):
        if len(cell) > limits.cell_chars:
            raise ReadError(
                f"{source}: row {number}, column {index + 1} has {len(cell):,} characters; "
                f"the longest cell accepted is {limits.cell_chars:,}"
            )
