"""Rows to CSV or JSON, each value written as its column's kind says (feed.columns).

JSON: a table is an array of objects, one per row, keys the column names. Money is in pounds as a
JSON number with at most two decimal places (12345 pence is 123.45), as are counts, FTE and
percentages; a missing value is null; times are ISO 8601 with their offset.
CSV: the same columns in the same order, UTF-8 with a byte-order mark (so Excel reads the £ sign),
money to two places, a missing value empty, text that a spreadsheet would run as a formula escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from core.exports import csv_bytes
from feed.columns import Column

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Whole pence, counts to 2 dp: the shortest float text of such a value is that value.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def json_bytes(payload: Any) -> bytes:
    def plain(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: plain(value) for key, value in item.items()}
        if isinstance(item, list | tuple):
            return [plain(value) for value in item]
        return _json_value(item)

    return (json.dumps(plain(payload), ensure_ascii=False, allow_nan=False, indent=1) + "\n").encode("utf-8")


def table_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> bytes:
    names = [column.name for column in columns]
    frame = pd.DataFrame([[row.get(name) for name in names] for row in rows], columns=names, dtype=object)
    return csv_bytes(frame, bom=True)
