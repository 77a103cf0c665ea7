"""What a director must look at before signing off a period (issue 12, point 2).

Four rules, each from plain values so that they can be worked by hand (the reads are in
`dashboards.selectors.sign_off_checks`):

- movement: the middle outturn moved since the last published period of the year by at least
  the smaller of 2% of the budget and £1m (both settings);
- commentary: a service has no variance commentary for the period;
- actuals: an actual for a period up to the run's was changed after the run started (the run
  read the actuals when it started);
- range: the run's 10–90% likely range is more than 1.5 times as wide as the median width of the
  earlier published periods' ranges; with fewer than 3 earlier ranges it is not compared, and the
  page says so.

Each item is worded for the director with its figures. Its key changes with its words, so an
acknowledgement of one figure never covers a different figure that appeared since the page was
read. `docs/dashboards.md` (Sign-off guards) says the same for readers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from forecasting.engine.money import pounds_text
from wording import percent

MOVEMENT_PCT = Decimal(2)
MOVEMENT_PENCE = 100_000_000  # £1m
RANGE_RATIO = Decimal("1.5")
RANGE_HISTORY = 3  # earlier ranges needed before a range is called wider than usual
RANGE_LOOKBACK = 6  # the newest earlier published periods compared


@dataclass(frozen=True)
class Check:
    """One thing to look at: what kind, and the words the director reads (with the figures)."""

    kind: str
    words: str

    @property
    def key(self) -> str:
        return f"{self.kind}-{hashlib.sha256(self.words.encode()).hexdigest()[:12]}"

    def as_record(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "words": self.words}


@dataclass(frozen=True)
class Checks:
    """The items that must be acknowledged, and notes that need none (what was not compared)."""

    items: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def missing(self, acknowledged: set[str]) -> list[Check]:
        return [item for item in self.items if item.key not in acknowledged]


def movement_threshold(budget: int, *, pct: Decimal = MOVEMENT_PCT, floor: int = MOVEMENT_PENCE) -> int:
    """The smaller of `pct`% of the budget (whole pence, half up) and `floor` pence."""
    share = (Decimal(abs(int(budget))) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(int(share), int(floor))


def movement_check(
    *,
    before: int | None,
    now: int,
    budget: int,
    since: str,
    pct: Decimal = MOVEMENT_PCT,
    floor: int = MOVEMENT_PENCE,
) -> Check | None:
    """The outturn moved from `before` (the last published period, `since`) to `now` by at least
    the threshold, either way. Nothing to compare when no period was published before."""
    if before is None:
        return None
    moved = int(now) - int(before)
    threshold = movement_threshold(budget, pct=pct, floor=floor)
    if abs(moved) < threshold:
        return None
    way = "up" if moved > 0 else "down"
    return Check(
        "movement",
        f"The forecast outturn has moved {way} by {pounds_text(abs(moved))} since {since} "
        f"(from {pounds_text(before)} to {pounds_text(now)}). Movements of {pounds_text(threshold)} or more "
        f"need a look: the smaller of {percent(pct)} of the {pounds_text(budget)} budget and "
        f"{pounds_text(floor)}.",
    )


def commentary_checks(services: Sequence[tuple[str, int]], written: set[str]) -> list[Check]:
    """Each service (name, variance in pence) without commentary for the period."""
    out = []
    for name, variance in services:
        if name in written:
            continue
        if variance > 0:
            what = f"a {pounds_text(variance)} overspend"
        elif variance < 0:
            what = f"a {pounds_text(-variance)} underspend"
        else:
            what = "no variance"
        out.append(Check("commentary", f"{name} has no variance commentary for this period ({what})."))
    return out


@dataclass(frozen=True)
class ActualChange:
    """An actual changed after the run read the actuals: its line and period in words, and when."""

    line: str
    period: str
    at: datetime


def actuals_check(*, run_started: str, changes: Sequence[ActualChange], when: str) -> Check | None:
    """`changes` (newest first) were made after the run started at `run_started`; `when` is the
    newest change's time in words."""
    if not changes:
        return None
    newest = changes[0]
    count = len(changes)
    others = f" and {count - 1} other{'s' if count > 2 else ''}" if count > 1 else ""
    return Check(
        "actuals",
        f"Actuals changed after this forecast was run at {run_started}: {newest.line} for {newest.period} "
        f"at {when}{others}. The forecast does not include {'these changes' if count > 1 else 'this change'}; "
        "run it again, or sign off knowing it.",
    )


def range_check(
    *,
    low: int | None,
    high: int | None,
    earlier: Sequence[int],
    ratio: Decimal = RANGE_RATIO,
    history: int = RANGE_HISTORY,
) -> tuple[Check | None, str | None]:
    """The run's likely range (10–90%, pence) against the widths of the earlier published
    periods' ranges (`earlier`, newest first, at most RANGE_LOOKBACK used). Returns the item when
    wider than `ratio` × their median, else a note when it could not be compared."""
    if low is None or high is None:
        return None, "This forecast gives no 10–90% likely range, so its width was not compared."
    width = abs(int(high) - int(low))
    widths = [int(w) for w in earlier[:RANGE_LOOKBACK]]
    if len(widths) < history:
        if not widths:
            have = "no earlier published period has"
        elif len(widths) == 1:
            have = "only 1 earlier published period has"
        else:
            have = f"only {len(widths)} earlier published periods have"
        return None, (
            f"The likely range ({pounds_text(width)} wide) was not compared with earlier periods: "
            f"{have} a range, and {history} are needed."
        )
    usual = Decimal(str(median(widths)))
    if Decimal(width) <= ratio * usual:
        return None, None
    usual_pence = int(usual.to_integral_value(ROUND_HALF_UP))
    return (
        Check(
            "range",
            f"The likely range of the outturn is {pounds_text(width)} wide "
            f"({pounds_text(low)} to {pounds_text(high)}), more than {ratio.normalize()} times the usual "
            f"width of {pounds_text(usual_pence)} (the median of the last {len(widths)} published periods).",
        ),
        None,
    )
