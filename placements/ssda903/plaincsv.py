"""The common case of an SSDA903 CSV read at C speed: plain ASCII, one header line, every line
with as many cells as the header, nothing to trim and no quotes.

Such a file gives exactly the cells the bounded reader (``tablereader.read_sheet``) would give it,
so it is parsed by pyarrow's CSV reader instead of being split line by line in Python. Whether a
file is that plain is checked on its bytes (numpy) and by the parser itself (a line with another
number of cells is an error to it); any other file (XLSX,
quotes, a cell that begins or ends with a space, a blank or ragged line, Windows-1252 text, a
file over a limit) returns None and is read by the bounded reader, which words every error.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from tablereader import Limits

_NOT_CSV_NAMES = (".xlsx", ".xlsm", ".xls")
_NOT_CSV_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # XLSX (zip), old Excel
_BOM = b"\xef\xbb\xbf"
_COMMA, _LINE_FEED, _SPACE, _TAB = 44, 10, 32, 9


def read_plain_csv(name: str, data: bytes, limits: Limits) -> tuple[pd.DataFrame, list[int]] | None:
    """(the rows under the header as text, each row's spreadsheet number) as ``_read_table``
    gives them, or None when the file is not plain enough to be read this way."""
    plain = plain_csv_table(name, data, limits)
    if plain is None:
        return None
    header, table = plain
    frame = table.to_pandas(use_threads=False, deduplicate_objects=False)
    frame.columns = header
    return frame, list(range(2, table.num_rows + 2))


def plain_csv_table(name: str, data: bytes, limits: Limits) -> tuple[list[str], pa.Table] | None:
    """(the header's cells, the rows under it as a pyarrow table of text with columns named
    0, 1, 2 ...) of a file plain enough to be read this way, else None. Row i of the table is
    spreadsheet row i + 2."""
    if len(data) > limits.upload_bytes or name.lower().endswith(_NOT_CSV_NAMES) or data.startswith(_NOT_CSV_STARTS):
        return None
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if not body.isascii():
        return None
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
        if b"\r" in body:  # a lone carriage return: left to the bounded reader
            return None
    if not _plain_bytes(body):
        return None
    header_line = body[: body.find(b"\n")] if b"\n" in body else body
    header = header_line.decode("ascii").split(",")
    if not all(header) or len(header) > limits.columns:  # blank names: trailing commas, phantom columns
        return None
    names = [str(i) for i in range(len(header))]  # the header's own names may repeat: _classify says so
    try:
        # Every line must have the header's number of cells: a blank or ragged line is an error
        # here (and the bounded reader's business).
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(use_threads=False, skip_rows=1, column_names=names),
            parse_options=pa_csv.ParseOptions(
                quote_char=False, double_quote=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    n_lines = table.num_rows + 1
    if n_lines > limits.rows or n_lines != body.count(b"\n") + (not body.endswith(b"\n")):
        return None
    if len(body) > limits.cell_chars and any(_longest(table.column(i)) > limits.cell_chars for i in names):
        return None
    return header, table


def _longest(column: pa.ChunkedArray) -> int:
    longest = pc.max(pc.binary_length(column)).as_py()
    return int(longest or 0)


def _plain_bytes(body: bytes) -> bool:
    """Whether ``body`` (ASCII, without carriage returns) holds no control character, no quote,
    no blank line at its start and no cell beginning or ending with a space or tab (which the
    bounded reader would trim)."""
    if not body or body.startswith(b"\n") or b'"' in body or b"\x7f" in body:
        return False
    octets = np.frombuffer(body, dtype=np.uint8)
    tabs = body.count(b"\t")
    if np.count_nonzero(octets < 32) != body.count(b"\n") + tabs:
        return False
    if tabs or b" " in body:
        blank = (octets == _SPACE) | (octets == _TAB)
        edge = (octets == _COMMA) | (octets == _LINE_FEED)
        if blank[0] or blank[-1] or (blank[1:] & edge[:-1]).any() or (blank[:-1] & edge[1:]).any():
            return False
    return True
