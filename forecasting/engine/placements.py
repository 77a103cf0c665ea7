"""Placement register arithmetic: days, numbers, costs and the placement projection
(FORECAST.md, Placements).

Conventions used throughout (all from FORECAST.md):

* End dates are EXCLUSIVE (SSDA903 "DEC"): a row from 1 April with end date 8 April lasts 7 days.
* The effective end of a row is the earliest of its end date, planned end date and the child's
  18th birthday (unless the type continues after 18).
* Money is integer pence. A row's cost in a month is `weekly × days / 7`, rounded half up ONCE
  per row and month; every total is a sum of those rounded amounts.

The register frame has one row per placement and weekly rate with the columns `placement_ref`,
`child_ref`, `child_dob`, `placement_type`, `start_date`, `end_date`, `planned_end_date`,
`weekly_cost`, `health_contribution`, `education_contribution` (pence per week), `uasc`,
`line_code`. The types frame has `code` and `continues_after_18`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.engine import demand
from forecasting.engine.calendar import FinancialYear
from forecasting.engine.money import round_pence_array
from forecasting.engine.scenarios import PlacementAssumption

IntArray = npt.NDArray[np.int64]
_Number = TypeVar("_Number", bound=np.generic)
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_HIGH_COST_THRESHOLD = 410_000  # £4,100 a week, Nottingham City's KPI
HIGH_COST_EXCLUDED_TYPES: tuple[str, ...] = ("secure",)
INTERVALS = ("middle", "p10", "p90")
# A day number (days since 1970-01-01) far beyond any real date: stands for "no end".
# int32 keeps the rows × months arithmetic fast; 2**30 days is about the year 2.9 million.
_OPEN = np.int32(2**30)


# --------------------------------------------------------------------------------------------
# Dates and days
# --------------------------------------------------------------------------------------------


def _day_numbers(values: object, *, missing_is_open: bool, what: str = "date") -> npt.NDArray[np.int32]:
    """Dates (Series, array, list of dates) as int32 day numbers; NaT → open (or an error)."""
    arr = np.asarray(values, dtype="datetime64[D]").reshape(-1)
    missing = np.isnat(arr)
    days = arr.astype(np.int64)
    if missing.any():
        if not missing_is_open:
            raise ValueError(f"{int(missing.sum())} {what}(s) missing")
        days[missing] = _OPEN
    return days.astype(np.int32)


def _day_number(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _date_of(day_number: int) -> date:
    value: date = np.datetime64(int(day_number), "D").astype(object)
    return value


def _month_grid(first: date, last: date) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], list[str]]:
    """First days, exclusive ends (first day of next month) and YYYY-MM labels of every calendar
    month from the month of `first` to the month of `last`, inclusive."""
    months = np.arange(
        np.datetime64(f"{first.year:04d}-{first.month:02d}", "M"),
        np.datetime64(f"{last.year:04d}-{last.month:02d}", "M") + 1,
    )
    starts = months.astype("datetime64[D]").astype(np.int64).astype(np.int32)
    ends = (months + 1).astype("datetime64[D]").astype(np.int64).astype(np.int32)
    labels = [str(m) for m in months]
    return starts, ends, labels


def days_active_matrix(
    starts: npt.ArrayLike,
    ends: npt.ArrayLike,
    month_starts: npt.ArrayLike,
    month_ends_exclusive: npt.ArrayLike,
) -> IntArray:
    """Days each row is active in each period: a (rows × periods) int64 matrix.

    A row is active on day D when start ≤ D < end (end EXCLUSIVE, FORECAST.md); a missing end
    (NaT) is open. Periods are [month_start, month_end_exclusive). Dates may be datetime64
    arrays or Series; a missing start is an error (a row that never began cannot be costed).
    Vectorised: 20,000 rows × 120 months takes a few milliseconds.
    """
    s = _day_numbers(starts, missing_is_open=False, what="start date")
    e = _day_numbers(ends, missing_is_open=True)
    ms = _day_numbers(month_starts, missing_is_open=False, what="period start")
    me = _day_numbers(month_ends_exclusive, missing_is_open=False, what="period end")
    if len(s) != len(e) or len(ms) != len(me):
        raise ValueError("starts/ends and month_starts/month_ends_exclusive must have equal lengths")
    low = np.maximum(s[:, None], ms[None, :])
    days = np.minimum(e[:, None], me[None, :])
    days -= low
    np.maximum(days, 0, out=days)
    return days.astype(np.int64)


def _active_on(starts: npt.NDArray[np.int32], ends: npt.NDArray[np.int32], days: npt.ArrayLike) -> BoolArray:
    """(rows × dates) True where start ≤ D < end: 'number in placement on a date D'."""
    d = np.asarray(days, dtype=np.int32)
    result: BoolArray = (starts[:, None] <= d[None, :]) & (d[None, :] < ends[:, None])
    return result


def eighteenth_birthday(child_dob: pd.Series) -> pd.Series:
    """The 18th birthday of each child (datetime64; NaT where the date of birth is missing).

    Someone born on 29 February turns 18 on 1 March when that year is not a leap year (the
    day after 28 February, as UK law treats the birthday of a leapling for age thresholds).
    """
    dob = pd.to_datetime(child_dob)
    out = pd.Series(pd.NaT, index=dob.index, dtype="datetime64[ns]")
    known = dob.notna()
    if known.any():
        d = dob[known]
        year = d.dt.year + 18
        month = d.dt.month
        day = d.dt.day
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        leapling = (month == 2) & (day == 29) & ~leap
        parts = pd.DataFrame({"year": year, "month": month.where(~leapling, 3), "day": day.where(~leapling, 1)})
        out.loc[known] = pd.to_datetime(parts)
    return out


def _continues_after_18(register: pd.DataFrame, types: pd.DataFrame) -> BoolArray:
    """Per row: does its type continue after 18? Types missing from `types` do not."""
    flags = {str(c): bool(v) for c, v in zip(types["code"], types["continues_after_18"], strict=True)}
    mapped = register["placement_type"].astype(str).map(flags).fillna(False)
    flags_array: BoolArray = mapped.to_numpy(dtype=bool)
    return flags_array


def _effective_end_days(register: pd.DataFrame, types: pd.DataFrame) -> npt.NDArray[np.int32]:
    end = _day_numbers(register["end_date"], missing_is_open=True)
    planned = _day_numbers(register["planned_end_date"], missing_is_open=True)
    birthday = _day_numbers(eighteenth_birthday(register["child_dob"]), missing_is_open=True)
    birthday = np.where(_continues_after_18(register, types), _OPEN, birthday).astype(np.int32)
    result: npt.NDArray[np.int32] = np.minimum(np.minimum(end, planned), birthday)
    return result


def effective_end(register: pd.DataFrame, types: pd.DataFrame) -> pd.Series:
    """Effective (exclusive) end of each row: the earliest of end date, planned end date and
    the child's 18th birthday unless the type continues after 18 (FORECAST.md, Placements).
    NaT when none applies: the row runs past the end of any year."""
    days = _effective_end_days(register, types)
    as_dates = days.astype("datetime64[D]").astype("datetime64[ns]")
    as_dates[days == _OPEN] = np.datetime64("NaT")
    return pd.Series(as_dates, index=register.index, name="effective_end")


# --------------------------------------------------------------------------------------------
# The register, prepared once
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Rows:
    """The register as numpy arrays, with effective ends and entry/exit flags."""

    type_codes: list[str]  # every type, in reporting order
    type_index: IntArray  # per row: index into type_codes
    ref: npt.NDArray[np.object_]
    line: npt.NDArray[np.object_]
    start: npt.NDArray[np.int32]
    end: npt.NDArray[np.int32]  # effective end, exclusive; _OPEN if none
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

    def __len__(self) -> int:
        return len(self.start)


def _type_codes(register: pd.DataFrame, types: pd.DataFrame, extra: Sequence[str] = ()) -> list[str]:
    """Types in reporting order: the types table first, then any others met, sorted."""
    codes = [str(c) for c in types["code"]]
    others = {str(c) for c in register["placement_type"]} | {str(c) for c in extra}
    return codes + sorted(others - set(codes))


def _prepare(register: pd.DataFrame, types: pd.DataFrame, extra_types: Sequence[str] = ()) -> _Rows:
    type_codes = _type_codes(register, types, extra_types)
    position = {code: i for i, code in enumerate(type_codes)}
    type_index: IntArray = np.asarray(register["placement_type"].astype(str).map(position), dtype=np.int64)
    start = _day_numbers(register["start_date"], missing_is_open=False, what="start date")
    end = _effective_end_days(register, types)
    ref = register["placement_ref"].astype(str).to_numpy(dtype=object)
    # A rate change is a new row of the same placement starting on the day the previous row
    # ends. Such a row is neither an entry nor an exit; matching on the EFFECTIVE end keeps
    # month-end(t) = month-end(t−1) + entries − exits exact. Zero-length rows are neither.
    real = end > start
    # One int64 key per (placement, type, day): (ref code × types + type) × 2**31 + day. It fits
    # in 63 bits while refs × types < 2**32, i.e. for any register a council holds.
    ref_code = pd.factorize(ref)[0].astype(np.int64)
    n_types = max(len(type_codes), 1)
    if (int(ref_code.max(initial=0)) + 1) * n_types >= 2**32:
        raise ValueError("the register is too large to match rate changes")
    base = (ref_code * n_types + type_index) * 2**31

    def key(day: npt.NDArray[np.int32]) -> IntArray:
        shifted: IntArray = base + (day.astype(np.int64) + 2**30)
        return shifted

    start_key, end_key = key(start), key(end)
    is_entry = real & ~np.isin(start_key, end_key[real])
    is_exit = real & (end != _OPEN) & ~np.isin(end_key, start_key[real])
    return _Rows(
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


def _pence(column: pd.Series) -> IntArray:
    result: IntArray = column.fillna(0).to_numpy(dtype=np.int64)
    return result


def _group_sum(groups: IntArray, n_groups: int, matrix: npt.NDArray[_Number]) -> npt.NDArray[_Number]:
    """Sum the rows of `matrix` by group index (a loop over groups, never over rows)."""
    out = np.zeros((n_groups, matrix.shape[1]), dtype=matrix.dtype)
    for g in np.unique(groups):
        out[int(g)] = matrix[groups == g].sum(axis=0)
    return out


def _count_by_group_and_month(
    groups: IntArray,
    n_groups: int,
    day_numbers: npt.NDArray[np.int32],
    month_starts: npt.NDArray[np.int32],
    month_ends: npt.NDArray[np.int32],
    mask: BoolArray,
) -> IntArray:
    """How many masked rows have their `day_numbers` inside each month, by group."""
    inside = mask & (day_numbers >= month_starts[0]) & (day_numbers < month_ends[-1])
    month = np.searchsorted(month_starts, day_numbers[inside], side="right") - 1
    flat = groups[inside] * len(month_starts) + month
    counts = np.bincount(flat, minlength=n_groups * len(month_starts))
    return counts.reshape(n_groups, len(month_starts)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class _RowMoney:
    """Per row and month, pence, each rounded once half up (FORECAST.md, Money)."""

    gross: IntArray
    health: IntArray
    education: IntArray
    contributions: IntArray
    net: IntArray


def _row_money(
    rows: _Rows, days: IntArray, uplift: FloatArray | None = None, days_uplifted: IntArray | None = None
) -> _RowMoney:
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
    return _RowMoney(
        gross=round_pence_array(gross_week_days / 7.0),
        health=round_pence_array(rows.health[:, None] * days / 7.0),
        education=round_pence_array(rows.education[:, None] * days / 7.0),
        contributions=round_pence_array(contrib_days / 7.0),
        net=round_pence_array((gross_week_days - contrib_days) / 7.0),
    )


def _high_cost_mask(rows: _Rows, threshold: int, excluded_types: Sequence[str]) -> BoolArray:
    """Rows with a weekly cost above the threshold, excluding secure and UASC rows
    (FORECAST.md, High-cost placements)."""
    excluded = np.asarray([code in set(excluded_types) for code in rows.type_codes], dtype=bool)
    mask: BoolArray = (rows.weekly > threshold) & ~rows.uasc
    if len(rows):
        mask &= ~excluded[rows.type_index]
    return mask


# --------------------------------------------------------------------------------------------
# KPIs
# --------------------------------------------------------------------------------------------


def placement_kpis(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    months_from: date,
    months_to: date,
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    high_cost_excluded_types: Sequence[str] = HIGH_COST_EXCLUDED_TYPES,
) -> pd.DataFrame:
    """Monthly KPIs by placement type for every calendar month from `months_from` to
    `months_to` (both months included). Every type in `types` appears, with zeros if unused.

    Columns (FORECAST.md, Placements): placement_type, month (YYYY-MM), days_in_month,
    month_end_number (rows active on the last day), average_number (child-days / days in month),
    child_days, fye_number_contribution (child-days / 7 / 52), avg_weekly_cost (pence per week,
    gross cost / child-weeks, NaN without child-days: a ratio, not rounded), gross_cost,
    health_contributions, education_contributions, contributions, net_cost (pence, each row and
    month rounded once), starts and ends (placements beginning / ending in the month by
    effective end; a rate change is neither), high_cost_number (month-end number of rows above
    the threshold, excluding secure and UASC) and high_cost_cost (their gross cost, pence).
    """
    rows = _prepare(register, types)
    m_starts, m_ends, labels = _month_grid(months_from, months_to)
    n_types, n_months = len(rows.type_codes), len(labels)
    days = days_active_matrix(
        rows.start.astype("datetime64[D]"),
        _open_as_nat(rows.end),
        m_starts.astype("datetime64[D]"),
        m_ends.astype("datetime64[D]"),
    )
    money = _row_money(rows, days)
    last_days = m_ends - 1
    active = _active_on(rows.start, rows.end, last_days).astype(np.int64)
    high = _high_cost_mask(rows, high_cost_threshold, high_cost_excluded_types)
    g = rows.type_index

    child_days = _group_sum(g, n_types, days)
    gross = _group_sum(g, n_types, money.gross)
    month_days = (m_ends - m_starts).astype(np.int64)
    frame = pd.DataFrame(
        {
            "placement_type": np.repeat(rows.type_codes, n_months),
            "month": labels * n_types,
            "days_in_month": np.tile(month_days, n_types),
            "month_end_number": _group_sum(g, n_types, active).ravel(),
            "child_days": child_days.ravel(),
            "gross_cost": gross.ravel(),
            "health_contributions": _group_sum(g, n_types, money.health).ravel(),
            "education_contributions": _group_sum(g, n_types, money.education).ravel(),
            "contributions": _group_sum(g, n_types, money.contributions).ravel(),
            "net_cost": _group_sum(g, n_types, money.net).ravel(),
            "starts": _count_by_group_and_month(g, n_types, rows.start, m_starts, m_ends, rows.is_entry).ravel(),
            "ends": _count_by_group_and_month(g, n_types, rows.end, m_starts, m_ends, rows.is_exit).ravel(),
            "high_cost_number": _group_sum(g, n_types, active * high[:, None]).ravel(),
            "high_cost_cost": _group_sum(g, n_types, money.gross * high[:, None]).ravel(),
        }
    )
    frame["average_number"] = frame["child_days"] / frame["days_in_month"]
    frame["fye_number_contribution"] = frame["child_days"] / 7 / 52
    weeks = frame["child_days"] / 7
    frame["avg_weekly_cost"] = (frame["gross_cost"] / weeks).where(weeks > 0)
    order = [
        "placement_type",
        "month",
        "days_in_month",
        "month_end_number",
        "average_number",
        "child_days",
        "fye_number_contribution",
        "avg_weekly_cost",
        "gross_cost",
        "health_contributions",
        "education_contributions",
        "contributions",
        "net_cost",
        "starts",
        "ends",
        "high_cost_number",
        "high_cost_cost",
    ]
    return frame[order]


def placement_year_summary(
    register: pd.DataFrame,
    types: pd.DataFrame,
    year: FinancialYear,
    *,
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    high_cost_excluded_types: Sequence[str] = HIGH_COST_EXCLUDED_TYPES,
) -> pd.DataFrame:
    """One row per placement type for a financial year (FORECAST.md, Placements).

    average_number = Σ days active / days in the year; fye_number = Σ days / 7 / 52 (so that
    annual cost = fye_number × average weekly cost × 52 exactly); avg_weekly_cost and
    avg_weekly_net_cost are pence per week (cost / child-weeks, unrounded ratios); gross_cost,
    contributions, net_cost, high_cost_cost are pence (sums of row-month amounts);
    month_end_number is the number on 31 March; starts, ends are placements begun/ended in the
    year; high_cost_number is the number of high-cost rows active on 31 March.
    """
    monthly = placement_kpis(
        register,
        types,
        months_from=year.start,
        months_to=year.end,
        high_cost_threshold=high_cost_threshold,
        high_cost_excluded_types=high_cost_excluded_types,
    )
    sums = monthly.groupby("placement_type", sort=False)[
        ["child_days", "gross_cost", "contributions", "net_cost", "starts", "ends", "high_cost_cost"]
    ].sum()
    march = monthly[monthly["month"] == f"{year.end.year:04d}-03"].set_index("placement_type")
    out = sums.reset_index()
    out["average_number"] = out["child_days"] / year.days
    out["fye_number"] = out["child_days"] / 7 / 52
    weeks = out["child_days"] / 7
    out["avg_weekly_cost"] = (out["gross_cost"] / weeks).where(weeks > 0)
    out["avg_weekly_net_cost"] = (out["net_cost"] / weeks).where(weeks > 0)
    out["month_end_number"] = out["placement_type"].map(march["month_end_number"]).astype(np.int64)
    out["high_cost_number"] = out["placement_type"].map(march["high_cost_number"]).astype(np.int64)
    return out[
        [
            "placement_type",
            "average_number",
            "fye_number",
            "child_days",
            "avg_weekly_cost",
            "avg_weekly_net_cost",
            "gross_cost",
            "contributions",
            "net_cost",
            "month_end_number",
            "starts",
            "ends",
            "high_cost_number",
            "high_cost_cost",
        ]
    ]


def _open_as_nat(days: npt.NDArray[np.int32]) -> npt.NDArray[np.datetime64]:
    dates = days.astype("datetime64[D]")
    dates[days == _OPEN] = np.datetime64("NaT")
    return dates


def numbers_on_dates(register: pd.DataFrame, types: pd.DataFrame, dates: Sequence[date]) -> pd.DataFrame:
    """Number in placement on each date by type: rows with start ≤ D < effective end
    (FORECAST.md). Index: placement_type (every type); columns: the dates."""
    rows = _prepare(register, types)
    day_numbers = np.asarray([_day_number(d) for d in dates], dtype=np.int32)
    active = _active_on(rows.start, rows.end, day_numbers).astype(np.int64)
    counts = _group_sum(rows.type_index, len(rows.type_codes), active)
    return pd.DataFrame(counts, index=pd.Index(rows.type_codes, name="placement_type"), columns=list(dates))


def month_end_history(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    up_to: date,
    from_date: date | None = None,
) -> pd.DataFrame:
    """Month-end numbers, entries and exits by type for every month from the month of the
    first start in the register (or of `from_date`) to the month of `up_to`.

    Columns: placement_type, month (YYYY-MM), count_date (the last day of the month, or `up_to`
    itself in the final month), month_end_number (rows active on count_date, by effective end),
    entries (placements beginning in the month), exits (placements whose effective end falls
    in the month; a rate change is neither), so month_end_number(t) = month_end_number(t−1) +
    entries(t) − exits(t) for complete months. Every type appears. Input for the trend,
    statistical and flow methods.
    """
    rows = _prepare(register, types)
    if from_date is None:
        from_date = _date_of(int(rows.start.min())) if len(rows) else up_to
    if from_date > up_to:
        from_date = up_to
    m_starts, m_ends, labels = _month_grid(from_date, up_to)
    count_days = np.minimum(m_ends - 1, np.int32(_day_number(up_to))).astype(np.int32)
    # entries and exits stop at up_to: nothing after it is known yet
    m_ends_known = m_ends.copy()
    m_ends_known[-1] = count_days[-1] + 1
    n_types = len(rows.type_codes)
    active = _active_on(rows.start, rows.end, count_days).astype(np.int64)
    g = rows.type_index
    frame = pd.DataFrame(
        {
            "placement_type": np.repeat(rows.type_codes, len(labels)),
            "month": labels * n_types,
            "count_date": [_date_of(int(d)) for d in count_days] * n_types,
            "month_end_number": _group_sum(g, n_types, active).ravel(),
            "entries": _count_by_group_and_month(g, n_types, rows.start, m_starts, m_ends_known, rows.is_entry).ravel(),
            "exits": _count_by_group_and_month(g, n_types, rows.end, m_starts, m_ends_known, rows.is_exit).ravel(),
        }
    )
    return frame


# --------------------------------------------------------------------------------------------
# Unit cost for new placements
# --------------------------------------------------------------------------------------------


def _default_unit_cost(rows: _Rows, type_position: int, as_at: date) -> tuple[int, str]:
    """Default unit_cost_new (pence per week) and where it came from.

    FORECAST.md: the average NET weekly cost of rows of the type that started in the 12 months
    before the as-at date (start in (as_at − 1 year, as_at]); if none, of rows of the type active
    on the as-at date. The average is a simple mean per row: each row is one price agreed for a
    placement, and a new placement is bought at such a price whatever its eventual length
    (a child-weeks weighting would let the few oldest, longest placements set the price of new
    ones). Rounded half up to whole pence per week, so the rate shown is the rate used.
    """
    of_type = rows.type_index == type_position
    net_weekly = (rows.weekly - rows.contributions).astype(np.float64)
    as_at_day = _day_number(as_at)
    year_before = _day_number((pd.Timestamp(as_at) - pd.DateOffset(years=1)).date())
    recent = of_type & (rows.start > year_before) & (rows.start <= as_at_day) & (rows.end > rows.start)
    if recent.any():
        return int(round_pence_array(net_weekly[recent].mean())), "started_last_12_months"
    active = of_type & (rows.start <= as_at_day) & (as_at_day < rows.end)
    if active.any():
        return int(round_pence_array(net_weekly[active].mean())), "active_on_as_at_date"
    return 0, "none"


def default_unit_cost_new(register: pd.DataFrame, types: pd.DataFrame, *, placement_type: str, as_at: date) -> int:
    """Default cost of a new placement of a type, pence per week (see `_default_unit_cost`);
    0 when the register holds no usable row of that type."""
    rows = _prepare(register, types, [placement_type])
    return _default_unit_cost(rows, rows.type_codes.index(placement_type), as_at)[0]


# --------------------------------------------------------------------------------------------
# The projection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PlacementProjection:
    """The placements part of a forecast run for one scenario (see `project_placements`)."""

    by_type_month: pd.DataFrame
    by_line: pd.DataFrame
    projected_change_by_type: pd.DataFrame
    models_used: pd.DataFrame


def project_placements(
    register: pd.DataFrame,
    types: pd.DataFrame,
    year: FinancialYear,
    as_at_period: int,
    assumptions: Mapping[str, PlacementAssumption],
    *,
    interval: str = "middle",
    calibration: Mapping[str, float] | None = None,
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    type_lines: Mapping[str, str] | None = None,
    history_from: date | None = None,
) -> PlacementProjection:
    """Project placement numbers and costs for the year as at period p (FORECAST.md, Placements).

    * Months 1..p are actuals from the register (effective end, no scenario uplift).
    * Committed cost, months p+1..12: every row's net cost by effective end, including rows
      that start after the as-at date (known future placements), with the fee uplift.
    * Projected change for type k, month t > p: (N̂ − C) × unit_cost_new × days in t / 7,
      rounded once per type and month; N̂ = C gives exactly the committed cost.
    * N̂ from the scenario's demand method (`assumptions[k].demand_method`; types not named use
      commitments): commitments N̂ = C; otherwise N̂(t) = (M_{t−1} + M_t)/2 from projected
      month-end numbers with M_p the actual number on the as-at date (31 March for p = 0).
    * `interval` picks the statistical path that drives N̂: "middle", "p10" (best) or "p90"
      (worst); other methods ignore it. `calibration[k]` (or `calibration["*"]`) widens the
      statistical interval (FORECAST.md, Accuracy).
    * Fee uplift: gross weekly costs (committed and new) × (1 + pct/100) for days on or after
      `fee_uplift_from` (1 April of the year when no date is given); contributions not uplifted.
    * `type_lines` maps a type to the budget line that receives its projected change (default:
      the line most of the type's rows use).

    `high_cost_threshold` is accepted for the caller's convenience (the KPIs use it); it does
    not change any projected figure. Money is pence (int64); numbers are children.
    """
    del high_cost_threshold  # the projection itself has no high-cost figure
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, not {interval!r}")
    p = as_at_period
    as_at = year.as_at_date(p)
    named = [k for k in assumptions if k != "*"]
    rows = _prepare(register, types, named)
    codes = rows.type_codes
    n_types = len(codes)
    m_starts, m_ends, labels = _month_grid(year.start, year.end)
    month_days = (m_ends - m_starts).astype(np.int64)
    future = np.arange(1, 13) > p
    g = rows.type_index

    days = days_active_matrix(
        rows.start.astype("datetime64[D]"),
        _open_as_nat(rows.end),
        m_starts.astype("datetime64[D]"),
        m_ends.astype("datetime64[D]"),
    )
    actual_money = _row_money(rows, days)
    uplift_by_type, uplift_from_by_type = _uplifts(codes, assumptions, year)
    if uplift_by_type.any():
        uplift_from_rows = uplift_from_by_type[g] if len(rows) else np.zeros(0, dtype=np.int32)
        days_uplifted = days_active_matrix(
            np.maximum(rows.start, uplift_from_rows).astype("datetime64[D]"),
            _open_as_nat(rows.end),
            m_starts.astype("datetime64[D]"),
            m_ends.astype("datetime64[D]"),
        )
        future_money = _row_money(rows, days, uplift_by_type[g], days_uplifted)
    else:
        future_money = actual_money

    def pick(name: str) -> IntArray:
        """Actual months: the register's cost; future months: the committed (uplifted) cost."""
        chosen: IntArray = np.where(future[None, :], getattr(future_money, name), getattr(actual_money, name))
        return chosen

    row_net, row_gross, row_contrib = pick("net"), pick("gross"), pick("contributions")
    child_days = _group_sum(g, n_types, days).astype(np.float64)
    committed_avg = child_days / month_days[None, :]
    month_end_active = _active_on(rows.start, rows.end, m_ends - 1).astype(np.int64)
    committed_month_end = _group_sum(g, n_types, month_end_active).astype(np.float64)
    gross = _group_sum(g, n_types, row_gross)
    contrib = _group_sum(g, n_types, row_contrib)
    committed_net = _group_sum(g, n_types, row_net)

    history = month_end_history(register, types, up_to=as_at, from_date=history_from)
    history_by_type = {code: part for code, part in history.groupby("placement_type", sort=False)}

    n_future = 12 - p
    month_end = committed_month_end.copy()
    projected_avg = committed_avg.copy()
    p10 = np.full((n_types, 12), np.nan)
    p90 = np.full((n_types, 12), np.nan)
    change = np.zeros((n_types, 12), dtype=np.int64)
    unit_costs = np.zeros(n_types, dtype=np.int64)
    model_rows: list[dict[str, object]] = []
    type_uplift_days = days_active_matrix(
        uplift_from_by_type.astype("datetime64[D]"),
        np.full(n_types, np.datetime64("NaT"), dtype="datetime64[D]"),
        m_starts.astype("datetime64[D]"),
        m_ends.astype("datetime64[D]"),
    )
    for k, code in enumerate(codes):  # a loop over placement types (≈15), not rows
        assumption = assumptions.get(code, assumptions.get("*", PlacementAssumption()))
        method = assumption.demand_method or "commitments"
        unit, source = (
            (int(assumption.new_unit_cost), "scenario")
            if assumption.new_unit_cost is not None
            else _default_unit_cost(rows, k, as_at)
        )
        unit_costs[k] = unit
        part = history_by_type.get(code)
        series = part["month_end_number"].to_numpy(dtype=np.float64) if part is not None else np.zeros(1)
        last_actual = float(series[-1]) if len(series) else 0.0
        model, used = "n/a", 0
        if n_future > 0:
            cal = 1.0
            if calibration is not None:
                cal = float(calibration.get(code, calibration.get("*", 1.0)))
            forecast = demand.forecast_month_ends(
                method,
                history=series,
                horizon=n_future,
                entries=part["entries"].to_numpy() if part is not None else np.zeros(1),
                exits=part["exits"].to_numpy() if part is not None else np.zeros(1),
                committed_month_ends=committed_month_end[k, p:],
                net_change=assumption.net_change,
                calibration=cal,
            )
            model = forecast.model if method == "statistical" else "n/a"
            used = forecast.history_months
            if method == "commitments":
                n_hat = committed_avg[k, p:]  # N̂ = C exactly: no projected change
            else:
                path = forecast.path(interval)
                month_end[k, p:] = path
                n_hat = demand.average_numbers(last_actual, path)
                if forecast.p10 is not None and forecast.p90 is not None:
                    p10[k, p:] = forecast.p10
                    p90[k, p:] = forecast.p90
            projected_avg[k, p:] = n_hat
            # (N̂ − C) × unit cost × days / 7, uplifted for the days on or after the uplift date
            weighted_days = month_days[p:] + uplift_by_type[k] * type_uplift_days[k, p:]
            change[k, p:] = round_pence_array((n_hat - committed_avg[k, p:]) * unit * weighted_days / 7.0)
        model_rows.append(
            {
                "placement_type": code,
                "demand_method": method,
                "model": model,
                "history_months": used,
                "unit_cost_new": unit,
                "unit_cost_source": source,
            }
        )

    actual_month_end = committed_month_end  # for months ≤ p the register's rows are the actuals
    month_end[:, :p] = actual_month_end[:, :p]
    by_type_month = pd.DataFrame(
        {
            "placement_type": np.repeat(codes, 12),
            "period": np.tile(np.arange(1, 13), n_types),
            "month": labels * n_types,
            "is_actual": np.tile(~future, n_types),
            "month_end_number": month_end.ravel(),
            "average_number": projected_avg.ravel(),
            "number_p10": p10.ravel(),
            "number_p90": p90.ravel(),
            "committed_month_end_number": committed_month_end.ravel(),
            "committed_average_number": committed_avg.ravel(),
            "projected_average_number": projected_avg.ravel(),
            "gross_cost": (gross + change).ravel(),
            "contributions": contrib.ravel(),
            "net_cost": (committed_net + change).ravel(),
            "committed_net_cost": committed_net.ravel(),
            "projected_change": change.ravel(),
            "unit_cost_new": np.repeat(unit_costs, 12),
        }
    )
    lines_of_types = _lines_of_types(rows, type_lines)
    projected_by_type = pd.DataFrame(
        {
            "placement_type": codes,
            "line_code": [lines_of_types.get(code, "") for code in codes],
            "projected_change": change.sum(axis=1).astype(np.int64),
        }
    )
    by_line = _by_line(
        rows, days, row_net, future, month_days, codes, lines_of_types, projected_avg, committed_avg, change
    )
    return PlacementProjection(
        by_type_month=by_type_month,
        by_line=by_line,
        projected_change_by_type=projected_by_type,
        models_used=pd.DataFrame(model_rows),
    )


def _uplifts(
    codes: list[str], assumptions: Mapping[str, PlacementAssumption], year: FinancialYear
) -> tuple[FloatArray, npt.NDArray[np.int32]]:
    """Per type: the uplift as a fraction (3.1% → 0.031) and its start day number."""
    fractions = np.zeros(len(codes), dtype=np.float64)
    starts = np.full(len(codes), _day_number(year.start), dtype=np.int32)
    for k, code in enumerate(codes):
        a = assumptions.get(code, assumptions.get("*", PlacementAssumption()))
        if a.fee_uplift_pct:
            fractions[k] = float(a.fee_uplift_pct) / 100.0
            if a.fee_uplift_from is not None:
                starts[k] = _day_number(a.fee_uplift_from)
    return fractions, starts


def _lines_of_types(rows: _Rows, type_lines: Mapping[str, str] | None) -> dict[str, str]:
    """The budget line receiving each type's projected change: `type_lines`, else the line
    used by most of the type's rows (ties: alphabetical first)."""
    result: dict[str, str] = {}
    if len(rows):
        counts = pd.DataFrame({"t": rows.type_index, "line": rows.line}).value_counts().reset_index(name="n")
        counts = counts.sort_values(["t", "n", "line"], ascending=[True, False, True])
        for t, line in counts.drop_duplicates("t")[["t", "line"]].itertuples(index=False):
            result[rows.type_codes[int(t)]] = str(line)
    if type_lines:
        result.update({str(k): str(v) for k, v in type_lines.items()})
    return result


def _by_line(
    rows: _Rows,
    days: IntArray,
    row_net: IntArray,
    future: BoolArray,
    month_days: IntArray,
    codes: list[str],
    lines_of_types: Mapping[str, str],
    projected_avg: FloatArray,
    committed_avg: FloatArray,
    change: IntArray,
) -> pd.DataFrame:
    """Per budget line: register cost to date, committed remaining, projected change of the
    types assigned to it, FYE number (child-days / 7 / 52 with N̂ for future months) and the
    year's forecast net cost = to date + committed remaining + projected change (pence)."""
    lines = sorted(set(rows.line.tolist()) | {v for k, v in lines_of_types.items() if k in codes})
    position = {line: i for i, line in enumerate(lines)}
    line_index = np.asarray([position[str(x)] for x in rows.line], dtype=np.int64)
    n = len(lines)
    net_by_month = _group_sum(line_index, n, row_net)
    days_by_month = _group_sum(line_index, n, days).astype(np.float64)
    extra_days = (projected_avg - committed_avg) * month_days[None, :]  # (N̂ − C) child-days
    line_change = np.zeros(n, dtype=np.int64)
    for k, code in enumerate(codes):
        line = lines_of_types.get(code)
        if line is None or line not in position:
            continue
        days_by_month[position[line]] += extra_days[k]
        line_change[position[line]] += int(change[k].sum())
    to_date = net_by_month[:, ~future].sum(axis=1).astype(np.int64)
    remaining = net_by_month[:, future].sum(axis=1).astype(np.int64)
    return pd.DataFrame(
        {
            "line_code": lines,
            "register_net_cost_to_date": to_date,
            "committed_remaining": remaining,
            "projected_change": line_change,
            "fye_number": days_by_month.sum(axis=1) / 7 / 52,
            "forecast_net_cost_year": to_date + remaining + line_change,
        }
    )
