"""Reading a CSV file: its encoding recognised, its rows, columns and cells within the limits."""

from __future__ import annotations

import csv
import io
import itertools
import re

from tablereader.limits import Limits, ReadError

UTF16_ADVICE = "save it from Excel as 'CSV UTF-8 (Comma delimited)' or as XLSX"
# Control characters that no text file holds (tab, line feed and carriage return are fine).
_TRIMMABLE = re.compile(r'[^\S\r\n]|"')
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
    """Every line of the file as its cells (text, trimmed), within the limits."""
    text = decode(source, data)
    rows = _plain_rows(text, limits) if '"' not in text and "\x00" not in text else _quoted_rows(source, text, limits)
    if len(rows) > limits.rows:
        raise ReadError(f"{source}: the file has more than {limits.rows:,} rows; the most accepted is {limits.rows:,}")
    # Checked for the whole file at C speed; only a file over a limit is looked at row by row.
    if max(map(len, rows), default=0) > limits.columns:
        for number, row in enumerate(rows, start=1):
            _check_width(source, number, row, limits)
    if _may_have_long_cell(text, limits) and max(map(len, itertools.chain.from_iterable(rows))) > limits.cell_chars:
        for number, row in enumerate(rows, start=1):
            _check_cells(source, number, row, limits)
    # Cells are trimmed, as an XLSX's are. A file with no space, tab or quote anywhere (most
    # SSDA903 returns) has nothing to trim: a cell can only begin or end with a line break if
    # it is quoted.
    if _may_need_trimming(text):
        rows = [list(map(str.strip, row)) for row in rows]
    return rows


# What str.strip removes from ASCII text, and the quote: looked for with ``in``, at C speed.
_ASCII_TRIMMABLE = (" ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", '"')


def _may_need_trimming(text: str) -> bool:
    """Whether a cell may begin or end with a space or a quote (``_TRIMMABLE``); ASCII text is
    searched for each such character with ``in``, faster than the pattern on a large file."""
    if text.isascii():
        return any(character in text for character in _ASCII_TRIMMABLE)
    return _TRIMMABLE.search(text) is not None


def _plain_rows(text: str, limits: Limits) -> list[list[str]]:
    """Without a quote a CSV is lines split at commas, which str.split does at C speed: the
    same rows as the csv module gives (a blank line is one blank cell rather than none)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n", limits.rows + 1)
    if lines and lines[-1] == "":
        lines.pop()  # the line break that ends the last line
    return [line.split(",") for line in lines]


def _quoted_rows(source: str, text: str, limits: Limits) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(itertools.islice(reader, limits.rows + 1))  # never more than one line too many
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ReadError(
                f"{source}: row {reader.line_num} has a cell longer than {limits.cell_chars:,} characters, "
                "the longest accepted"
            ) from None
        raise ReadError(f"{source}: this is not a readable CSV file ({error})") from None


def _may_have_long_cell(text: str, limits: Limits) -> bool:
    """Without quotes a cell is a stretch between commas and line breaks: if no stretch is long
    enough, no cell is (found at C speed; a file with quotes is measured cell by cell)."""
    if len(text) <= limits.cell_chars:
        return False
    if '"' in text:
        return True
    # No line (split at line feeds only, so never shorter than a cell) longer than the limit:
    # no stretch between commas can be.
    if max(map(len, text.split("\n"))) <= limits.cell_chars:
        return False
    return re.search(rf"[^,\r\n]{{{limits.cell_chars + 1}}}", text) is not None


def _check_width(source: str, number: int, row: list[str], limits: Limits) -> None:
    width = len(row)
    while width and not row[width - 1].strip():
        width -= 1
    if width > limits.columns:
        raise ReadError(f"{source}: row {number} has {width:,} columns; the most accepted is {limits.columns:,}")


def _check_cells(source: str, number: int, row: list[str], limits: Limits) -> None:
    for index, cell in enumerate(row):
        if len(cell) > limits.cell_chars:
            raise ReadError(
                f"{source}: row {number}, column {index + 1} has {len(cell):,} characters; "
                f"the longest cell accepted is {limits.cell_chars:,}"
            )
