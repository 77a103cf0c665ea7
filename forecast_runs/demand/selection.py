"""Choosing by evidence: the demand method for each series, and rule 8's treatment of open
episodes missing from a later return, from the authority's own back-test.

The method is the one with the lowest back-test error averaged over horizons 1-12 (months; 1-3
for yearly counts) among the methods no worse than "no change" at ANY of those horizons. No
change always qualifies, so the reported forecast is never worse than no change on its own
back-test. Every choice carries a sentence in plain words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from forecast_runs.demand.methods import LABELS, METHODS
from forecast_runs.demand.replay import RULES
from forecast_runs.demand.series import ANNUAL, MONTHLY

# Horizons the choice looks at; a series needs one more point than this to be back-tested.
SELECTION_HORIZONS = {MONTHLY: 12, ANNUAL: 3}
_TOLERANCE = 1e-9  # equal errors are a tie, which no change wins
# With no evidence either way an open episode is not ended silently (the issue's own words: it is
# a data-quality question for the officer), so a tie keeps it open.
TIE_ORDER = ("keep_open", "close_at_return_end", "close_at_last_known")
RULE_WORDS = {
    "close_at_return_end": "closed at the end of their last return",
    "keep_open": "kept open",
    "close_at_last_known": "counted up to the as-at date",
}


@dataclass(frozen=True)
class Choice:
    """The method chosen for one series, why, and its average back-test error (%)."""

    method: str
    reason: str
    average: float | None = None
    too_short: bool = False


def _unit(step: str, n: int) -> str:
    return _count(n, "month" if step == MONTHLY else "year")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def min_length(step: str) -> int:
    return SELECTION_HORIZONS[step] + 1


def _error_grid(scores: pd.DataFrame, step: str) -> pd.DataFrame:
    """MAPE by horizon (rows) and method (columns) over the horizons the choice looks at."""
    within = scores[scores["horizon"].between(1, SELECTION_HORIZONS[step])]
    grid = within.pivot_table(index="horizon", columns="method", values="mape", aggfunc="mean")
    return grid.dropna(subset=["naive"]) if "naive" in grid.columns else grid.iloc[0:0]


def choose_method(scores: pd.DataFrame, *, length: int, step: str = MONTHLY, only: str | None = None) -> Choice:
    """The method for one series from its back-test errors (``mape_table`` rows of that series).

    ``length``: how many dates the series has since its first child (0 = no placements: zero).
    Fewer than 13 month-ends (4 years) cannot be back-tested: no change, with a wide interval.
    ``only`` forces a method (``forecast_demand --method``) and still says how it scored."""
    span = _unit(step, SELECTION_HORIZONS[step])
    if length == 0:
        return Choice("zero", "zero: there are no placements of this type")
    if length < min_length(step):
        why = f"only {_count(length, 'date')}, too few to back-test ({min_length(step)} needed)"
        method = only or "naive"
        return Choice(method, f"{LABELS[method]}: {why}; the interval is wide, from the series' own moves", None, True)
    grid = _error_grid(scores, step)
    if grid.empty:
        return Choice(only or "naive", f"{LABELS[only or 'naive']}: the back-test scored no forecast", None, True)
    naive = grid["naive"]
    if only is not None:
        mean = float(grid[only].mean()) if only in grid.columns and grid[only].notna().any() else None
        if mean is None:
            return Choice(only, f"{LABELS[only]} (asked for): the back-test scored no forecast", None, True)
        against = "" if only == "naive" else f", against {float(naive.mean()):.1f}% for no change"
        return Choice(only, f"{LABELS[only]} (asked for): {mean:.1f}% average error over 1 to {span}{against}", mean)
    qualified = [
        m
        for m in METHODS
        if m in grid.columns and grid[m].notna().all() and bool((grid[m] <= naive + _TOLERANCE).all())
    ]
    averages = {m: float(grid[m].mean()) for m in qualified}
    best = min(qualified, key=lambda m: (round(averages[m], 9), METHODS.index(m)))
    return Choice(best, _sentence(best, grid, averages, step), averages[best])


def _sentence(best: str, grid: pd.DataFrame, averages: Mapping[str, float], step: str) -> str:
    shown = 3 if 3 in grid.index else int(grid.index[0])
    at = _unit(step, shown)
    span = _unit(step, SELECTION_HORIZONS[step])
    if best == "naive":
        return (
            f"no change: {grid.loc[shown, 'naive']:.1f}% average error at {at}; no other method was as good "
            f"at every horizon from 1 to {span}"
        )
    return (
        f"{LABELS[best]}: {grid.loc[shown, best]:.1f}% average error at {at}, against "
        f"{grid.loc[shown, 'naive']:.1f}% for no change ({averages[best]:.1f}% against "
        f"{averages['naive']:.1f}% over 1 to {span})"
    )


def choose_stale_rule(levels: pd.DataFrame) -> tuple[str, str]:
    """Rule 8's choice from the replay: the rule whose number of children on past dates
    (``Replayer.starting_levels``: origin, rule, level, actual) is nearer, on average, to what
    later returns showed. The rule only moves where a forecast starts, so that is what decides.
    On a tie, or with no past date to check, today's rule (close at the end of the last return)
    stays."""
    known = levels[levels["actual"] > 0]
    if known.empty:
        return TIE_ORDER[0], f"{RULE_WORDS[TIE_ORDER[0]]}: no earlier date could be checked against a later return"
    error = ((known["level"] - known["actual"]).abs() / known["actual"] * 100.0).groupby(known["rule"]).mean()
    best = min(error.index, key=lambda r: (round(float(error[r]), 9), TIE_ORDER.index(r)))
    dates = known["origin"].nunique()
    if (error - error[best]).abs().max() < _TOLERANCE:
        return best, (
            f"{RULE_WORDS[best]}: the rules gave the same numbers on {_count(dates, 'earlier date')} "
            f"({error[best]:.1f}% away from what later returns showed), and an episode is not ended without evidence"
        )
    others = [f"{error[r]:.1f}% {RULE_WORDS[r]}" for r in RULES if r in error.index and r != best]
    against = f", against {' and '.join(others)}" if others else ""
    return best, (
        f"{RULE_WORDS[best]}: on {_count(dates, 'earlier date')} the number of children was {error[best]:.1f}% away "
        f"from what later returns showed{against}"
    )
