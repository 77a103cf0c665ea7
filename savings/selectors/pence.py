"""Money in the savings frames: integer pence, missing as <NA>; pounds only in exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd


def for_export(frame: pd.DataFrame, *, money: list[str], drop: tuple[str, ...] = ("id",)) -> pd.DataFrame:
    """The same frame for CSV/XLSX: money columns as pounds with pence (Decimal), ids dropped."""
    out = frame.drop(columns=[c for c in drop if c in frame.columns]).copy()
    for column in money:
        if column in out.columns:
            out[column] = [_pounds_or_none(v) for v in out[column]]
    return out


def nullable_pence(values: pd.Series) -> pd.Series:
    """Pence that may be missing, as Int64 (a float column would lose pence above 2**53)."""
    return pd.Series(pd.array([None if _is_missing(v) else int(v) for v in values], dtype="Int64"), index=values.index)


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))


def _pounds_or_none(value: Any) -> Decimal | None:
    if _is_missing(value):
        return None
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
