"""The limits a file is read within, and the error that names the file and what is wrong."""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


class ReadError(ValueError):
    """The file as a whole cannot be read; the message begins with the file's name."""


@dataclass(frozen=True)
class Limits:
    """What a file may be: the defaults are those of the settings (OUTTURN_MAX_*)."""

    upload_bytes: int = 20 * MB  # the file as given
    unpacked_bytes: int = 100 * MB  # every part of an XLSX, unpacked
    rows: int = 500_000  # the last row of the sheet or the number of CSV lines
    columns: int = 500
    cell_chars: int = 32_767  # Excel's own limit for a cell

    @classmethod
    def from_environment(cls) -> Limits:
        """The limits the deployment sets (OUTTURN_MAX_UPLOAD_BYTES, _UNPACKED_BYTES, _ROWS,
        _COLUMNS, _CELL_CHARS), else the defaults: read by the settings, and by a command that
        runs without them."""
        default = cls()
        return cls(
            upload_bytes=int(os.environ.get("OUTTURN_MAX_UPLOAD_BYTES", default.upload_bytes)),
            unpacked_bytes=int(os.environ.get("OUTTURN_MAX_UNPACKED_BYTES", default.unpacked_bytes)),
            rows=int(os.environ.get("OUTTURN_MAX_ROWS", default.rows)),
            columns=int(os.environ.get("OUTTURN_MAX_COLUMNS", default.columns)),
            cell_chars=int(os.environ.get("OUTTURN_MAX_CELL_CHARS", default.cell_chars)),
        )


def size_text(size: int) -> str:
    """391 MB, 50.0 MB, 12 KB, 100 bytes: whole megabytes from 100 MB up."""
    megabytes = size / MB
    if megabytes >= 100:
        return f"{megabytes:.0f} MB"
    if megabytes >= 1:
        return f"{megabytes:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


def column_letters(index: int) -> str:
    """The spreadsheet name of a column: 1 -> A, 27 -> AA, 500 -> SF."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """The inverse of column_letters: A -> 1, SF -> 500 (case ignored)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def too_large(source: str, size: int, limits: Limits) -> ReadError:
    """The file itself is larger than accepted (checked before anything is read)."""
    return ReadError(
        f"{source}: the file is {size_text(size)}; the largest file accepted is {size_text(limits.upload_bytes)}"
    )
