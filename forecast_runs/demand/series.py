"""The series a demand forecast works on: numbers of children on a run of dates, one series per
finance placement type and one for all children in care (``TOTAL``).

From cleaned SSDA903 placements the numbers are the engine's own (FORECAST.md, Placements:
"number in placement on a date D", by effective end, 18th birthdays included), so the number on
the as-at date is the register's count. Dates are month-ends, except the last, which is the
as-at date itself; an analyst's series (``forecast_demand --series``) may be annual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.engine.placements import month_end_arrays, numbers_on_dates_of_rows, read_register

FloatArray = npt.NDArray[np.float64]

TOTAL = "total"  # the series of every child in care, whatever the placement type
MONTHLY, ANNUAL = "month", "year"
# DATA_FORMATS.md, finance placement types: the two that go on after the 18th birthday.
CONTINUES_AFTER_18 = frozenset({"staying_put", "leaving_care"})


@dataclass(frozen=True, eq=False)
class SeriesInputs:
    """One series as known on its last date (the as-at date), oldest first.

    ``entries``/``exits`` (placements that began / ended in each month) feed the flow method and
    ``committed`` (children already placed who are still placed on each future date, by the
    known and 18th-birthday ends) the commitments method; an analyst's series has neither.
    """

    name: str
    dates: tuple[date, ...]
    values: FloatArray
    step: str = MONTHLY
    entries: FloatArray | None = None
    exits: FloatArray | None = None
    committed: FloatArray | None = None
    month_ends: bool = True  # monthly dates are month-ends (else the same day of each month)

    @property
    def as_at(self) -> date:
        return self.dates[-1]

    def length(self) -> int:
        """How many dates the series has since its first non-zero number."""
        nonzero = np.flatnonzero(self.values != 0)
        return int(len(self.values) - nonzero[0]) if len(nonzero) else 0

    def future_dates(self, horizon: int) -> list[date]:
        return future_dates(self.as_at, self.step, horizon, month_ends=self.month_ends)


def month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, month_end(date(year, month, 1)).day))


def future_dates(as_at: date, step: str, horizon: int, *, month_ends: bool = True) -> list[date]:
    """The ``horizon`` dates after ``as_at``: month-ends after its month (as the engine counts;
    with ``month_ends`` False the same day of each month), or the same day in later years."""
    if step == ANNUAL:
        return [add_months(as_at, 12 * h) for h in range(1, horizon + 1)]
    if month_ends:
        return [month_end(add_months(date(as_at.year, as_at.month, 1), h)) for h in range(1, horizon + 1)]
    return [add_months(as_at, h) for h in range(1, horizon + 1)]


def types_frame(codes: Sequence[str]) -> pd.DataFrame:
    """The engine's types frame (``code``, ``continues_after_18``) for these type codes."""
    return pd.DataFrame({"code": list(codes), "continues_after_18": [c in CONTINUES_AFTER_18 for c in codes]})


def register_from_placements(placements: pd.DataFrame) -> pd.DataFrame:
    """Cleaned SSDA903 placements as engine register rows: numbers only, no costs."""
    n = len(placements)
    return pd.DataFrame(
        {
            "placement_ref": placements["placement_ref"].to_numpy(),
            "child_ref": placements["child_ref"].to_numpy(),
            "child_dob": _datetimes(placements["child_dob"]),
            "placement_type": placements["placement_type"].astype(str).to_numpy(),
            "start_date": _datetimes(placements["start_date"]),
            "end_date": _datetimes(placements["end_date"]),
            "planned_end_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            "weekly_cost": np.zeros(n, dtype=np.int64),
            "health_contribution": np.zeros(n, dtype=np.int64),
            "education_contribution": np.zeros(n, dtype=np.int64),
            "uasc": placements["uasc"].astype(bool).to_numpy(),
            "line_code": "",
        }
    )


def _datetimes(column: pd.Series) -> np.ndarray:
    """The column's dates as an array: a column of dates already is one (pandas' conversion
    looks at its values first to decide whether to cache them, a cost paid at every replayed date)."""
    dates = column if isinstance(column.dtype, np.dtype) and column.dtype.kind == "M" else pd.to_datetime(column)
    values: np.ndarray = dates.to_numpy()
    return values


def placement_series(
    placements: pd.DataFrame, types: pd.DataFrame, *, as_at: date, history_from: date, horizon: int
) -> dict[str, SeriesInputs]:
    """Month-end numbers, entries and exits from ``history_from`` to ``as_at`` for every type
    that has a placement, and for ``TOTAL``; with the committed numbers ``horizon`` months on.
    Placements starting after ``as_at`` are not known yet and are left out."""
    known = placements[_datetimes(placements["start_date"]) <= np.datetime64(as_at)]
    register = register_from_placements(known)
    present = sorted(set(register["placement_type"]))
    order = [str(c) for c in types["code"]]
    codes = [c for c in order if c in present] + [c for c in present if c not in order]
    flags = {str(c): bool(v) for c, v in zip(types["code"], types["continues_after_18"], strict=True)}
    frame_types = pd.DataFrame(
        {"code": codes, "continues_after_18": [flags.get(c, c in CONTINUES_AFTER_18) for c in codes]}
    )
    if not codes:  # no child known yet: an empty count on the as-at date
        zero = np.zeros(1)
        return {TOTAL: SeriesInputs(TOTAL, (as_at,), zero, entries=zero, exits=zero, committed=np.zeros(horizon))}
    # Read once for the history and the numbers ahead; the types are those of ``codes``, in order.
    rows = read_register(register, frame_types)
    history = month_end_arrays(rows, up_to=as_at, from_date=history_from)
    held = numbers_on_dates_of_rows(rows, future_dates(as_at, MONTHLY, horizon))
    dates = tuple(history.count_dates)
    # Each type's numbers, and the total as the sum of the types' (integers, then floats).
    wide = {
        part: np.vstack([counts, counts.sum(axis=0)]).astype(np.float64)
        for part, counts in (
            ("values", history.numbers),
            ("entries", history.entries),
            ("exits", history.exits),
            ("committed", held),
        )
    }
    return {
        code: SeriesInputs(
            name=code,
            dates=dates,
            values=wide["values"][i],
            entries=wide["entries"][i],
            exits=wide["exits"][i],
            committed=wide["committed"][i],
        )
        for i, code in enumerate([*codes, TOTAL])
    }
