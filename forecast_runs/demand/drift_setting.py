"""The damped drift's share and span for a forecast made on a given date, chosen on every
English LA's published 31 March numbers known by that date (a nested rolling origin).

A share of the average yearly change over the last ``span`` years is added once per year ahead
(``methods.damped_drift``). Which share and span is not fixed in advance: on each forecast date
D, every (share, span) of ``GRID`` is scored, pooled over the LAs in the shipped file
(`data/dfe-published/cla-31-march-by-la-2010-2024.csv`, Open Government Licence v3.0), at every
earlier 31 March o and horizon h whose outcome o + h was published by D. The one chosen has the
lowest error averaged over the horizons scored, among those no worse than no change (share 0)
at any of them; no change always qualifies and wins a tie. So a forecast on 31 March 2018 uses
only numbers to 2018, and a figure reported for that date is out of sample.

Pure numpy: no Django. The file is read once per process.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

PANEL = Path(__file__).resolve().parents[2] / "data" / "dfe-published" / "cla-31-march-by-la-2010-2024.csv"
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
SPANS = (1, 2, 3, 5)
GRID = tuple((share, span) for share in SHARES for span in SPANS if share > 0 or span == SPANS[0])
HORIZONS = (1, 2, 3)
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class DriftSetting:
    share: float
    span: int
    # The last 31 March whose outcome the choice could use (None: nothing could be scored).
    evidence_to: int | None = None


NO_CHANGE = DriftSetting(0.0, SPANS[0])
_fixed: list[DriftSetting] = []


def last_known_year(as_at: date) -> int:
    """The year of the last 31 March on or before ``as_at``."""
    return as_at.year if (as_at.month, as_at.day) >= (3, 31) else as_at.year - 1


@contextmanager
def fixed_setting(share: float, span: int) -> Iterator[None]:
    """Every forecast inside uses this share and span, whatever the date: only for measuring
    the constants once reported (a quarter, five years), never in the product."""
    _fixed.append(DriftSetting(share, span))
    try:
        yield
    finally:
        _fixed.pop()


def drift_setting(as_at: date) -> DriftSetting:
    if _fixed:
        return _fixed[-1]
    return _choose_cached(last_known_year(as_at))


def _choose_cached(known_to: int) -> DriftSetting:
    return _choose_from(PANEL, known_to)


@lru_cache(maxsize=64)
def _choose_from(path: Path, known_to: int) -> DriftSetting:
    # Without the published numbers there is no evidence for any drift: no change.
    if not path.is_file():
        return NO_CHANGE
    years, panel = read_panel(path)
    return choose_setting(years, panel, known_to)


def read_panel(path: Path) -> tuple[list[int], np.ndarray]:
    """The years and one row per LA of numbers (NaN where missing, suppressed or zero)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        year_columns = [(i, int(name)) for i, name in enumerate(header) if name.isdigit()]
        rows = []
        for row in reader:
            values = []
            for i, _ in year_columns:
                text = row[i].strip().replace(",", "") if i < len(row) else ""
                number = float(text) if text.replace(".", "", 1).isdigit() else float("nan")
                values.append(number if number > 0 else float("nan"))
            rows.append(values)
    return [y for _, y in year_columns], np.asarray(rows, dtype=np.float64).reshape(len(rows), len(year_columns))


def errors(years: Sequence[int], panel: np.ndarray, known_to: int) -> dict[tuple[float, int], dict[int, float]]:
    """Mean absolute percentage error by setting and horizon, pooled over LAs and the origins
    o with o + h <= ``known_to``. A pair (LA, origin) counts only where the LA has a number in
    every year from five before o (or the first year) to o + h, so every setting is scored on
    the same forecasts; a setting's span is cut to the years there are, as the method does."""
    out: dict[tuple[float, int], dict[int, float]] = {s: {} for s in GRID}
    longest = max(SPANS)
    for h in HORIZONS:
        sums = dict.fromkeys(GRID, 0.0)
        count = 0
        for i in range(1, len(years)):
            if years[i] + h > known_to or i + h >= len(years):
                continue
            start = max(0, i - longest)
            ok = np.isfinite(panel[:, start : i + h + 1]).all(axis=1)
            if not ok.any():
                continue
            rows = panel[ok]
            last, actual = rows[:, i], rows[:, i + h]
            count += int(ok.sum())
            for share, span in GRID:
                k = min(span, i)
                step = (last - rows[:, i - k]) / k
                forecast = np.maximum(last + share * step * h, 0.0)
                sums[(share, span)] += float(np.sum(np.abs(forecast - actual) / actual * 100.0))
        if count:
            for setting in GRID:
                out[setting][h] = sums[setting] / count
    return out


def choose_setting(years: Sequence[int], panel: np.ndarray, known_to: int) -> DriftSetting:
    """The setting with the lowest error averaged over the horizons scored by ``known_to``,
    among those no worse than no change at any of them; no change when nothing can be scored."""
    scores = errors(years, panel, known_to)
    naive = scores[(NO_CHANGE.share, NO_CHANGE.span)]
    if not naive:
        return NO_CHANGE
    qualified = [s for s in GRID if all(scores[s][h] <= naive[h] + _TOLERANCE for h in naive)]
    best = min(qualified, key=lambda s: (round(float(np.mean(list(scores[s].values()))), 9), GRID.index(s)))
    last_scored = min(known_to, years[-1])
    return DriftSetting(best[0], best[1], last_scored)
