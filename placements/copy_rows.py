"""Inserting many rows at once: on PostgreSQL with COPY in its text format, built a column at a
time; elsewhere (the SQLite first look) through bulk_create in batches.

Building 100,000 model instances for bulk_create costs about ten seconds of Python alone. Here
each column becomes its text with numpy (numbers, dates, booleans) or one pass over its cells
(text, escaped only when it holds a backslash, tab or line break), and the rows are joined in one
pass. Either way the rows go in the caller's transaction, so an import stays all or nothing.

The register import, the SSDA903 import (`register_writes.py`) and the demo data write through here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, models

BATCH_SIZE = 5000
NULL = "\\N"  # COPY's text format: an unescaped \N is NULL; a backslash in a value is escaped
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = ("\\", "\t", "\n", "\r")
ROWS_PER_CHUNK = 10_000  # rows joined and sent at a time: the server reads one while the next is built


def insert_rows(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the model's fields, `*_id` for foreign
    keys; dates as datetime64, NaT/NA/None = NULL) into the model's table."""
    if frame.empty:
        return 0
    if connection.vendor == "postgresql":
        return copy_insert(model, frame)
    return orm_insert(model, frame)


def _python_value(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def orm_insert(model: type[models.Model], frame: pd.DataFrame) -> int:
    """The same rows through bulk_create, in batches (any database)."""
    columns = list(frame.columns)
    objects = [
        model(**{c: _python_value(v) for c, v in zip(columns, values, strict=True)})
        for values in frame.itertuples(index=False, name=None)
    ]
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)  # type: ignore[attr-defined]
    return len(objects)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name[:-3] if name.endswith("_id") and name != "id" else name)
    return field  # type: ignore[return-value]


def _null_where(texts: np.ndarray, missing: np.ndarray) -> np.ndarray:
    texts = texts.astype(object)
    texts[missing] = NULL
    return texts


def _text_cell(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return NULL
    if isinstance(value, str):
        return value.translate(_ESCAPES) if any(c in value for c in _SPECIAL) else value
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value).translate(_ESCAPES)


def _number_texts(numbers: np.ndarray) -> np.ndarray:
    return numbers.astype(str)


def _day_texts(days: np.ndarray) -> np.ndarray:
    """Day numbers (since 1970) as ISO dates; NaT's number gives "NaT", which the caller nulls."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D")


def _each_distinct_once(keys: np.ndarray, texts_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """`texts_of(keys)` as an object array, each distinct key made text once: a column of ids or
    dates holds few distinct values (one authority, a few types, some thousand days), and
    formatting 100,000 cells made 100,000 strings where a few hundred do."""
    codes, distinct = pd.factorize(keys)
    texts: np.ndarray = np.asarray(texts_of(np.asarray(distinct)), dtype=object)
    each: np.ndarray = texts[codes]
    return each


def column_texts(values: pd.Series, field: models.Field[Any, Any]) -> np.ndarray:
    """Each cell of a column as COPY text (NULL as \\N), an object array."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        missing = values.isna().to_numpy()
        if isinstance(field, models.DateTimeField):
            # Usually one moment for every row (the time of the import): each distinct one formatted once.
            codes, moments = pd.factorize(values)
            formatted = np.asarray(moments.strftime("%Y-%m-%d %H:%M:%S%z"), dtype=object)
            return _null_where(formatted[np.maximum(codes, 0)], missing)
        days = values.to_numpy().astype("datetime64[D]").view("int64")
        return _null_where(_each_distinct_once(days, _day_texts), missing)
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return np.where(values.to_numpy(dtype=bool), "t", "f").astype(object)
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return _each_distinct_once(values.to_numpy(), _number_texts)
    if pd.api.types.is_float_dtype(dtype) or isinstance(dtype, pd.Int64Dtype):
        # Nullable integers (a foreign key that may be NULL) arrive as floats or Int64.
        whole = values.astype("Int64")
        missing = whole.isna().to_numpy()
        return _null_where(_each_distinct_once(whole.fillna(0).to_numpy(dtype=np.int64), _number_texts), missing)
    cells: np.ndarray = values.to_numpy(dtype=object)
    # The types of the cells, found in one pass in C: a column of text (the usual case) is
    # then known without looking at each cell in Python.
    types = set(map(type, cells))
    if types and all(issubclass(kind, str) for kind in types):
        if types != {str}:
            # A model's text choice (Placement.Source.REGISTER) is a str of its own type: its
            # text as a plain str, rather than every cell looked at one by one below.
            cells = np.array(list(map(str.__str__, cells)), dtype=object)
        joined = "".join(cells)
        if not any(c in joined for c in _SPECIAL):
            return cells
        return np.array([_text_cell(cell) for cell in cells], dtype=object)
    if pd.api.types.infer_dtype(cells, skipna=True) == "integer":  # ids that may be NULL, with NA
        return column_texts(pd.Series(pd.array(cells, dtype="Int64")), field)
    return np.array([_text_cell(cell) for cell in cells], dtype=object)


class _Lines(io.TextIOBase):
    """The rows as COPY text, built chunk by chunk as psycopg reads them."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self._chunks = self._generate(columns)
        self._buffer = ""

    @staticmethod
    def _generate(columns: list[np.ndarray]) -> Iterator[str]:
        n = len(columns[0])
        for start in range(0, n, ROWS_PER_CHUNK):
            parts = [c[start : start + ROWS_PER_CHUNK].tolist() for c in columns]
            yield "\n".join(map("\t".join, zip(*parts, strict=True))) + "\n"

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            return self._buffer + "".join(self._chunks)
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        result, self._buffer = self._buffer[:size], self._buffer[size:]
        return result


def copy_insert(model: type[models.Model], frame: pd.DataFrame) -> int:
    """COPY the frame's rows into the model's table (PostgreSQL), in the caller's transaction."""
    meta = model._meta
    db_columns, texts = [], []
    for name in frame.columns:
        field = _field(model, str(name))
        db_columns.append(str(field.column))
        texts.append(column_texts(frame[name], field))
    columns = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, _Lines(texts), size=1 << 20)
        else:  # psycopg 3
            with raw.copy(sql) as stream:
                stream.write(_Lines(texts).read())
    return len(frame)
