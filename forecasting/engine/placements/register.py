"""The placement register read once into arrays, and its sums by type and month.

Money is integer pence. A row's cost in a month is `weekly × days / 7`, rounded half up ONCE
per row and month; every total is a sum of those rounded amounts (FORECAST.md, Money).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.engine.money import round_pence_array
from forecasting.engine.placements.days import OPEN_END, effective_end_days, to_day_numbers

IntArray = npt.NDArray[np.int64]
DayArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_Number = TypeVar("_Number", bound=np.generic)


@dataclass(frozen=True, eq=False)
class RegisterRows:
    """The register as numpy arrays, with effective ends and entry/exit flags."""

    type_codes: list[str]  # every type, in reporting order
    type_index: IntArray  # per row: index into type_codes
    ref: npt.NDArray[np.object_]
    line: npt.NDArray[np.object_]
    start: DayArray
    end: DayArray  # effective end, exclusive; OPEN_END if none
    weekly: IntArray  # gross pence per week
    health: IntArray
    education: IntArray
    uasc: BoolArray
    is_entry: BoolArray  # the row begins a placement (not a rate change of the same one)
    is_exit: BoolArray  # the row ends a placement (no same-type row continues it)

    @property
    def contributions(self) -> IntArray:
        result: IntArray = self.health + self.education
        return result

    @functools.cached_property
    def net_weekly(self) -> FloatArray:
        """Net pence a week per row (weekly − contributions), as floats for averaging."""
        result: FloatArray = (self.weekly - self.contributions).astype(np.float64)
        return result

    def __len__(self) -> int:
        return len(self.start)


def _type_codes(register: pd.DataFrame, types: pd.DataFrame, extra: Sequence[str] = ()) -> list[str]:
    """Types in reporting order: the types table first, then any others met, sorted."""
    codes = [str(c) for c in types["code"]]
    others = {str(c) for c in register["placement_type"]} | {str(c) for c in extra}
    return codes + sorted(others - set(codes))


def read_register(register: pd.DataFrame, types: pd.DataFrame, extra_types: Sequence[str] = ()) -> RegisterRows:
    """The register's rows as arrays; `extra_types` are reported even with no row."""
    type_codes = _type_codes(register, types, extra_types)
    position = {code: i for i, code in enumerate(type_codes)}
    type_index: IntArray = np.asarray(register["placement_type"].astype(str).map(position), dtype=np.int64)
    start = to_day_numbers(register["start_date"], missing_is_open=False, what="start date")
    end = effective_end_days(register, types)
    ref = register["placement_ref"].astype(str).to_numpy(dtype=object)
    is_entry, is_exit = _entries_and_exits(ref, type_index, len(type_codes), start, end)
    return RegisterRows(
        type_codes=type_codes,
        type_index=type_index,
        ref=ref,
        line=register["line_code"].fillna("").astype(str).to_numpy(dtype=object),
        start=start,
        end=end,
        weekly=_pence(register["weekly_cost"]),
        health=_pence(register["health_contribution"]),
        education=_pence(register["education_contribution"]),
        uasc=register["uasc"].fillna(False).astype(bool).to_numpy(dtype=bool),
        is_entry=is_entry,
        is_exit=is_exit,
    )


def _entries_and_exits(
    ref: npt.NDArray[np.object_], type_index: IntArray, type_count: int, start: DayArray, end: DayArray
) -> tuple[BoolArray, BoolArray]:
    """Per row: does it begin a placement, does it end one?

    A rate change is a new row of the same placement starting on the day the previous row
    ends. Such a row is neither an entry nor an exit; matching on the EFFECTIVE end keeps
    month-end(t) = month-end(t−1) + entries − exits exact. Zero-length rows are neither.
    """
    real = end > start
    # One int64 key per (placement, type, day): (ref code × types + type) × 2**31 + day. It fits
    # in 63 bits while refs × types < 2**32, i.e. for any register a council holds.
    ref_code = pd.factorize(ref)[0].astype(np.int64)
    n_types = max(type_count, 1)
    if (int(ref_code.max(initial=0)) + 1) * n_types >= 2**32:
        raise ValueError("the register is too large to match rate changes")
    base = (ref_code * n_types + type_index) * 2**31

    def key(day: DayArray) -> IntArray:
        shifted: IntArray = base + (day.astype(np.int64) + 2**30)
        return shifted

    start_key, end_key = key(start), key(end)
    is_entry = real & ~_found_in(start_key, end_key[real])
    is_exit = real & (end != OPEN_END) & ~_found_in(end_key, start_key[real])
    return is_entry, is_exit


def _found_in(keys: IntArray, among: IntArray) -> BoolArray:
    """`np.isin(keys, among)` by a binary search of the sorted `among` (its keys span too wide
    a range for numpy's table method, and this is quicker than its sort of both)."""
    if len(among) == 0:
        return np.zeros(len(keys), dtype=bool)
    ordered = np.sort(among)
    position = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    found: BoolArray = ordered[position] == keys
    return found


def _pence(column: pd.Series) -> IntArray:
    result: IntArray = column.fillna(0).to_numpy(dtype=np.int64)
    return result


def sum_by_group(groups: IntArray, n_groups: int, matrix: npt.NDArray[_Number]) -> npt.NDArray[_Number]:
    """Sum the rows of `matrix` by group index: the rows sorted by group (stable, so each
    group's rows keep their order) and added up in one pass, whatever the number of groups
    (a budget has hundreds of lines; a mask per group cost a pass over every row each)."""
    out = np.zeros((n_groups, matrix.shape[1]), dtype=matrix.dtype)
    if len(groups) == 0:
        return out
    if matrix.dtype.kind not in "iub":  # floats: keep numpy's own order of addition per group
        for group in np.unique(groups):
            out[int(group)] = matrix[groups == group].sum(axis=0)
        return out
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    firsts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    out[ordered[firsts]] = np.add.reduceat(matrix[order], firsts, axis=0)
    return out


def count_active_by_group(
    groups: IntArray, n_groups: int, starts: DayArray, ends: DayArray, days: DayArray
) -> IntArray:
    """(groups × days) how many rows of each group are active on each day (start ≤ D < end),
    counted from the sorted starts and ends rather than a rows × days matrix: for a row that
    lasts at least a day, "started by D and not ended by D" is "started by D" less "ended by
    D", since a row that has ended has also started."""
    lasting = ends > starts
    g = groups[lasting].astype(np.int64)
    shift = np.int64(2**31)  # days are int32: shifted they are ≥ 0 and below 2**32
    span = np.int64(2**32)

    def keys(day: DayArray) -> IntArray:
        return np.sort(g * span + (day[lasting].astype(np.int64) + shift))

    start_keys, end_keys = keys(starts), keys(ends)
    group_base = np.arange(n_groups, dtype=np.int64)[:, None] * span
    upto = group_base + (np.asarray(days, dtype=np.int64)[None, :] + shift)

    def counted(sorted_keys: IntArray) -> IntArray:
        before_group = np.searchsorted(sorted_keys, group_base, side="left")
        return np.searchsorted(sorted_keys, upto, side="right") - before_group

    result: IntArray = (counted(start_keys) - counted(end_keys)).astype(np.int64)
    return result


def count_by_group_and_month(
    groups: IntArray,
    n_groups: int,
    day_numbers: DayArray,
    month_starts: DayArray,
    month_ends: DayArray,
    mask: BoolArray,
) -> IntArray:
    """How many masked rows have their `day_numbers` inside each month, by group."""
    inside = mask & (day_numbers >= month_starts[0]) & (day_numbers < month_ends[-1])
    month = np.searchsorted(month_starts, day_numbers[inside], side="right") - 1
    flat = groups[inside] * len(month_starts) + month
    counts = np.bincount(flat, minlength=n_groups * len(month_starts))
    return counts.reshape(n_groups, len(month_starts)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class RowMoney:
    """Per row and month, pence, each rounded once half up (FORECAST.md, Money). Health and
    education apart are worked out only when asked for (the KPIs show them; a projection needs
    only their sum)."""

    gross: IntArray
    contributions: IntArray
    net: IntArray
    _rows: RegisterRows
    _days: IntArray

    @functools.cached_property
    def health(self) -> IntArray:
        return round_pence_array(self._rows.health[:, None] * self._days / 7.0)

    @functools.cached_property
    def education(self) -> IntArray:
        return round_pence_array(self._rows.education[:, None] * self._days / 7.0)


def row_money(
    rows: RegisterRows, days: IntArray, uplift: FloatArray | None = None, days_uplifted: IntArray | None = None
) -> RowMoney:
    """Gross = weekly × days / 7; contributions likewise; net = (weekly − contributions) × days / 7.

    With a fee uplift u from a date, the gross weekly cost is multiplied by (1 + u) for the
    `days_uplifted` days on or after that date; contributions are never uplifted (FORECAST.md,
    Fee uplift). Net is rounded on its own, so gross − contributions can differ from net by a
    penny in a row-month: each is "an item rounded once".
    """
    gross_week_days: FloatArray
    if uplift is None or days_uplifted is None:
        gross_week_days = (rows.weekly[:, None] * days).astype(np.float64)
    else:
        gross_week_days = rows.weekly[:, None] * (days + uplift[:, None] * days_uplifted)
    contrib_days = rows.contributions[:, None] * days
    return RowMoney(
        gross=round_pence_array(gross_week_days / 7.0),
        contributions=round_pence_array(contrib_days / 7.0),
        net=round_pence_array((gross_week_days - contrib_days) / 7.0),
        _rows=rows,
        _days=days,
    )
