"""The workers frame read once into arrays, and dates as day numbers (FORECAST.md, Workforce).

Worker end dates are INCLUSIVE (the last day engaged); a missing end means no end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..calendar import FinancialYear

AGENCY_REASONS = (
    "vacancy",
    "additional_capacity",
    "asye_cover",
    "long_term_sickness",
    "maternity",
    "suspension",
)

ABSENCES = ("maternity", "long_term_sickness", "suspension")


# Far-away day numbers standing in for "no start" and "no end".
NO_START = np.int64(-(10**9))
NO_END = np.int64(10**9)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class WorkforceError(ValueError):
    """Workforce data that cannot be costed (the message is for a finance officer)."""


def day_number(day: date) -> np.int64:
    """Days since 1970-01-01 of a calendar date."""
    return np.int64(np.datetime64(day, "D").astype(np.int64))


def day_numbers(values: pd.Series | object, *, missing: np.int64) -> IntArray:
    """Days since 1970-01-01 of a column of dates; missing dates (NaT/None) become `missing`."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    as_dates = pd.to_datetime(series, errors="raise")
    out = np.full(len(as_dates), missing, dtype=np.int64)
    present = as_dates.notna().to_numpy()
    if present.any():
        out[present] = as_dates[present].to_numpy().astype("datetime64[D]").astype(np.int64)
    return out


def month_bounds(year: FinancialYear) -> IntArray:
    """13 day numbers: the first day of periods 1..12 and 1 April after the year."""
    days = [*year.month_starts, year.end_exclusive]
    return np.array([day_number(d) for d in days], dtype=np.int64)


def overlap_days(start: IntArray, end_exclusive: IntArray, bounds: IntArray) -> IntArray:
    """Days of [start, end_exclusive) inside each window [bounds[j], bounds[j+1]).

    Returns an (rows × windows) matrix of whole days; one vectorised step, no row loop.
    """
    lo = np.maximum(start[:, None], bounds[None, :-1])
    hi = np.minimum(end_exclusive[:, None], bounds[None, 1:])
    days: IntArray = np.clip(hi - lo, 0, None).astype(np.int64)
    return days


@dataclass(frozen=True, eq=False)
class WorkerRows:
    """The worker frame as arrays (one element per row)."""

    team: npt.NDArray[np.object_]
    is_agency: BoolArray
    fte: FloatArray
    start: IntArray  # first day (inclusive)
    end_exclusive: IntArray  # last day + 1
    annual_cost: FloatArray  # pence a year, permanent
    weekly_rate: FloatArray  # pence a week, agency
    absent: BoolArray
    agency_reason: npt.NDArray[np.object_]
    caseload: FloatArray
    asye: BoolArray

    def __len__(self) -> int:
        return len(self.fte)

    def active_on(self, day: date) -> BoolArray:
        """Rows engaged on `day`: start ≤ day ≤ end date (the end date is the last day)."""
        d = day_number(day)
        return (self.start <= d) & (d < self.end_exclusive)


def read_workers(workers: pd.DataFrame) -> WorkerRows:
    """Arrays of a workers frame. The end date is inclusive, so end_exclusive = end + 1 day."""
    n = len(workers)

    def column(name: str, default: object) -> pd.Series:
        if name in workers.columns:
            return workers[name]
        return pd.Series([default] * n, index=workers.index, dtype=object)

    worker_type = column("worker_type", "permanent").astype(str).str.strip().str.lower()
    unknown = sorted(set(worker_type) - {"permanent", "agency"})
    if unknown:
        raise WorkforceError(f"worker type {', '.join(unknown)} is not known; each worker must be permanent or agency")
    end = day_numbers(column("end_date", None), missing=NO_END - 1) + 1
    absence = column("absence", None)
    absent = absence.notna().to_numpy() & (absence.astype(str).str.strip() != "").to_numpy()
    asye = column("asye", False).fillna(False).astype(bool).to_numpy()
    return WorkerRows(
        team=column("team", None).astype(str).to_numpy(dtype=object),
        is_agency=(worker_type == "agency").to_numpy(),
        fte=pd.to_numeric(column("fte", 0.0)).fillna(0.0).to_numpy(dtype=np.float64),
        start=day_numbers(column("start_date", None), missing=NO_START),
        end_exclusive=end,
        annual_cost=pd.to_numeric(column("annual_cost", 0)).fillna(0).to_numpy(dtype=np.float64),
        weekly_rate=pd.to_numeric(column("weekly_rate", 0)).fillna(0).to_numpy(dtype=np.float64),
        absent=absent,
        agency_reason=column("agency_reason", None).to_numpy(dtype=object),
        caseload=pd.to_numeric(column("caseload", np.nan)).to_numpy(dtype=np.float64),
        asye=asye,
    )
