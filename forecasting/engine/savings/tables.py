"""Reading the tracker's tables: required columns, blank cells, whole pence, versions, years in
order and the money dtypes of every frame returned. Messages name the saving and the fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import numpy as np
import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.money import pounds_text
from forecasting.engine.savings.rules import PROGRAMME_PROFILES, VERSIONS, SavingsError
from forecasting.engine.scenarios import SAVING_STATUSES


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SavingsError(f"the {what} table has no column {', '.join(missing)}")


def unknown_status_message(ref: str | None, status: object) -> str:
    prefix = f"saving {ref}: " if ref is not None else ""
    if blank_to_none(status) is None:
        return f"{prefix}the status is missing; it must be one of {', '.join(SAVING_STATUSES)}"
    hint = ""
    if isinstance(status, str):
        guess = status.strip().lower().replace(" ", "_").replace("-", "_")
        if guess in SAVING_STATUSES and guess != status:
            hint = f" (did you mean {guess}?)"
    return f"{prefix}status '{status}' is not one of {', '.join(SAVING_STATUSES)}{hint}"


def blank_to_none(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def pence_or_none(value: object, *, ref: str | None = None, column: str = "amount") -> int | None:
    """A whole number of pence, None when blank; SavingsError naming the saving otherwise."""
    where = f"saving {ref}: the {column} " if ref is not None else f"the {column} "
    value = blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        raise SavingsError(f"{where}{value!r} is not a whole number of pence")
    whole = int(value)
    if whole != value:
        raise SavingsError(f"{where}{value!r} is not a whole number of pence")
    return whole


def version_rows(amounts: pd.DataFrame, version: str) -> pd.DataFrame:
    require_columns(amounts, ("ref", "version", "year_label", "amount"), "amounts")
    if version not in VERSIONS:
        raise SavingsError(f"version '{version}' is not one of {', '.join(VERSIONS)}")
    rows = amounts[amounts["version"] == version].copy()
    repeated = rows[rows.duplicated(["ref", "year_label"], keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        raise SavingsError(f"saving {first['ref']}: {version} has more than one amount for {first['year_label']}")
    for label in rows["year_label"].unique():
        parse_year_label(str(label))
    rows["amount"] = rows["amount"].astype("int64")
    return rows


def status_by_ref(savings: pd.DataFrame, refs: Iterable[object]) -> dict[str, str]:
    require_columns(savings, ("ref", "status"), "savings")
    statuses = {str(r): str(s) for r, s in zip(savings["ref"], savings["status"], strict=True)}
    unknown = sorted({str(r) for r in refs} - statuses.keys())
    if unknown:
        raise SavingsError(f"amounts are given for savings not on the tracker: {', '.join(unknown)}")
    return statuses


def checked_programme_rows(programme_benefits: pd.DataFrame) -> pd.DataFrame:
    require_columns(programme_benefits, ("programme", "profile", "year_label", "benefit"), "programme benefits")
    bad = sorted({str(p) for p in programme_benefits["profile"]} - set(PROGRAMME_PROFILES))
    if bad:
        raise SavingsError(f"profile {', '.join(bad)} is not one of {', '.join(PROGRAMME_PROFILES)}")
    for label in programme_benefits["year_label"].unique():
        parse_year_label(str(label))
    rows = programme_benefits.copy()
    rows["benefit"] = rows["benefit"].astype("int64")
    return rows


def year_series(values: pd.Series | Mapping[str, int]) -> pd.Series:
    """Yearly pence as an int64 series in year order, index = year label."""
    series = values if isinstance(values, pd.Series) else pd.Series(dict(values), dtype="int64")
    labels = [str(y) for y in series.index]
    order = sorted(range(len(labels)), key=lambda i: parse_year_label(labels[i]))
    return pd.Series(
        [int(series.iloc[i]) for i in order],
        index=pd.Index([labels[i] for i in order], name="year_label"),
        dtype="int64",
    )


def sorted_years(labels: Iterable[object]) -> list[str]:
    return sorted({str(y) for y in labels}, key=parse_year_label)


def with_money_dtypes(frame: pd.DataFrame, money: Iterable[str], *, extra_bool: Iterable[str] = ()) -> pd.DataFrame:
    frame = frame.copy()
    for column in money:
        frame[column] = frame[column].astype("int64")
    for column in extra_bool:
        frame[column] = frame[column].astype(bool)
    return frame.reset_index(drop=True)


def pounds(pence: int) -> str:
    """Pounds and pence in messages, by the one money formatter."""
    return pounds_text(pence, 2)
