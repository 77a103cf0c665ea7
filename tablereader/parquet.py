"""Reading a Parquet file's columns as text, within the limits (docs/reading.md).

Only DfE's published statistics come as Parquet. The footer is read first: the number of rows,
of columns and what the column chunks unpack to are checked against the limits before any data
is decoded, so a small file that would unpack into gigabytes is refused unread.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tablereader.limits import Limits, ReadError, size_text, too_large

MAGIC = b"PAR1"


def is_parquet(data: bytes) -> bool:
    return data[:4] == MAGIC and data[-4:] == MAGIC


def read_parquet_columns(source: str, data: bytes, limits: Limits) -> tuple[list[str], dict[str, list[str | None]]]:
    """The column names as written and each column's cells as text (None when blank)."""
    if len(data) > limits.upload_bytes:
        raise too_large(source, len(data), limits)
    if not is_parquet(data):
        raise ReadError(f"{source}: this is not a Parquet file")
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ReadError(f"{source}: the Parquet file cannot be read ({error})") from None
    meta = parquet.metadata
    if meta.num_rows > limits.rows:
        raise ReadError(f"{source}: the file has {meta.num_rows:,} rows; the most accepted is {limits.rows:,}")
    if meta.num_columns > limits.columns:
        raise ReadError(f"{source}: the file has {meta.num_columns:,} columns; the most accepted is {limits.columns:,}")
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.unpacked_bytes:
        raise ReadError(
            f"{source}: the file unpacks to {size_text(unpacked)}; "
            f"the most accepted is {size_text(limits.unpacked_bytes)}"
        )
    try:
        table = parquet.read()
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ReadError(f"{source}: the Parquet file cannot be read ({error})") from None
    names = [str(name) for name in table.column_names]
    columns: dict[str, list[str | None]] = {}
    for name, column in zip(names, table.columns, strict=True):
        text = _as_text(source, name, column, limits)
        columns[name] = text.to_pylist()
    return names, columns


def _as_text(source: str, name: str, column: pa.ChunkedArray, limits: Limits) -> pa.ChunkedArray:
    """Whole numbers without '.0' (DfE's LA numbers are stored as doubles), everything else as text."""
    kind = column.type
    if pa.types.is_floating(kind):
        whole = pc.equal(pc.floor(column), column)
        if pc.all(pc.or_kleene(whole, pc.is_null(column))).as_py():
            column = pc.cast(column, pa.int64())
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        try:
            column = pc.cast(column, pa.string())
        except pa.ArrowException:
            raise ReadError(f"{source}: the column '{name}' holds values that are not text or numbers") from None
    longest = pc.max(pc.utf8_length(column)).as_py() or 0
    if longest > limits.cell_chars:
        raise ReadError(
            f"{source}: the column '{name}' has a cell of {longest:,} characters; "
            f"the longest cell accepted is {limits.cell_chars:,}"
        )
    return column
