"""Inserting many rows at once.

On PostgreSQL a DataFrame goes in with one COPY: building 100,000 model instances for
bulk_create costs about ten seconds of Python alone, COPY well under one. Elsewhere (the SQLite
first look) it falls back to bulk_create in batches. Either way it runs in the caller's
transaction, so an import stays all or nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, models

BATCH_SIZE = 5000


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


def bulk_insert(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the model's fields, `*_id` for foreign
    keys; dates as datetime64, NaT/NA = NULL) into the model's table."""
    if frame.empty:
        return 0
    if connection.vendor == "postgresql":
        return _copy(model, frame)
    columns = list(frame.columns)
    objects = [
        model(**{c: _python_value(v) for c, v in zip(columns, values, strict=True)})
        for values in frame.itertuples(index=False, name=None)
    ]
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)  # type: ignore[attr-defined]
    return len(objects)


# NULL is written as an unquoted empty cell and every value is quoted: in CSV format only an
# unquoted cell can be NULL, so no text a file brings (a provider called literally \N, a tab, a
# line break, a backslash, a quote) is taken for NULL or splits a row. pandas writes NULL as
# this marker, quoted like every cell, and the marker is then taken out: a NUL can be in no
# value (PostgreSQL stores none, and the importers refuse it).
_NULL_MARKER = "\x00"


def _csv_text(out: pd.DataFrame) -> str:
    text: str = out.to_csv(index=False, header=False, na_rep=_NULL_MARKER, quoting=csv.QUOTE_ALL, lineterminator="\n")
    return text.replace(f'"{_NULL_MARKER}"', "")


def _copy(model: type[models.Model], frame: pd.DataFrame) -> int:
    meta = model._meta
    out = pd.DataFrame(index=frame.index)
    db_columns: list[str] = []
    for name in frame.columns:
        field = meta.get_field(name[:-3] if name.endswith("_id") and name != "id" else name)
        db_columns.append(str(field.column))  # type: ignore[union-attr]
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[name] = (
                values.dt.strftime("%Y-%m-%d")
                if not isinstance(field, models.DateTimeField)
                else values.dt.strftime("%Y-%m-%d %H:%M:%S%z")
            )
        elif pd.api.types.is_bool_dtype(values):
            out[name] = np.where(values.to_numpy(dtype=bool), "t", "f")
        elif pd.api.types.is_float_dtype(values):
            # Nullable integers (a foreign key that may be NULL) arrive as floats.
            out[name] = values.astype("Int64").astype(object)
        else:
            out[name] = values
    buffer = io.StringIO(_csv_text(out))
    columns = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    table = connection.ops.quote_name(meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '')"
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, buffer)
        else:  # psycopg 3
            with raw.copy(sql) as stream:
                stream.write(buffer.getvalue())
    return len(out)
