"""How each published period's forecast compared with the outturn once it was known.

Plain values in, rows of words and numbers out: no database, no Django. The reads are
`dashboards.selectors.published_outturn_section`.

A year's outturn is known when all twelve of its periods are submitted or locked (submitting a
period is the finance officer saying its actuals are complete); the outturn is then the sum of
the year's actuals over the budget lines the published forecast covered. The difference is the
forecast less the outturn, as a percentage of the outturn (one decimal place, half up): a
forecast of £10,500,000 against an outturn of £10,000,000 is over by £500,000, 5.0%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.money import pounds_text

NO_RANGE = "no range published"


@dataclass(frozen=True)
class LineForecast:
    """One budget line of a published forecast: its code, name and forecast outturn (pence)."""

    code: str
    name: str
    outturn: int


@dataclass(frozen=True)
class PublishedForecast:
    """The newest published version of one period: its department forecast outturn (the
    published scenario, pence), the lines it covered and, when the snapshot holds one, the
    department's likely range."""

    year: str  # "2024/25"
    period: int
    version: int
    outturn: int
    line_codes: tuple[str, ...]
    likely_low: int | None = None
    likely_high: int | None = None
    placement_lines: tuple[LineForecast, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """A forecast against its outturn, in pence and in words."""

    label: str  # the period in words, or the line's name
    forecast: int
    outturn: int
    difference: int  # forecast less outturn
    difference_pct: Decimal | None  # of the outturn, one place; None when the outturn is £0
    difference_words: str  # "over by £500,000", "under by £20,000", "exactly right"
    pct_words: str  # "5.0% over", "" when the outturn is £0
    within_range: bool | None = None  # None: no range published
    range_words: str = NO_RANGE
    lines: tuple[Comparison, ...] = ()


@dataclass(frozen=True)
class PublishedOutturn:
    """The comparisons of the years whose outturn is known (newest period first), and the
    published periods still waiting for theirs."""

    compared: list[Comparison] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)


def period_words(year: str, period: int, version: int = 1) -> str:
    """ "Period 7, October 2024" (period 7 of 2024/25); period 0 is "Period 0, before April
    2024"; a later version says so: "Period 7, October 2024 (version 2)"."""
    calendar = Calendar.from_label(year)
    when = f"{calendar.month_start(period):%B %Y}" if period else f"before April {calendar.start_year}"
    return f"Period {period}, {when}" + (f" (version {version})" if version > 1 else "")


def pct_of(difference: int, outturn: int) -> Decimal | None:
    """`difference` as a percentage of `outturn`, one decimal place, half up (away from zero)."""
    if outturn == 0:
        return None
    return (Decimal(difference) * 100 / abs(Decimal(outturn))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def compare(label: str, forecast: int, outturn: int) -> Comparison:
    """One forecast against its outturn, without a range."""
    difference = forecast - outturn
    pct = pct_of(difference, outturn)
    side = "over" if difference > 0 else "under"
    return Comparison(
        label=label,
        forecast=forecast,
        outturn=outturn,
        difference=difference,
        difference_pct=pct,
        difference_words=f"{side} by {pounds_text(abs(difference))}" if difference else "exactly right",
        pct_words="" if pct is None else (f"{abs(pct)}% {side}" if difference else "0.0%"),
    )


def range_check(outturn: int, low: int | None, high: int | None) -> tuple[bool | None, str]:
    """Whether the outturn fell inside the published likely range, with the range in words."""
    if low is None or high is None:
        return None, NO_RANGE
    low, high = min(low, high), max(low, high)
    inside = low <= outturn <= high
    return inside, f"{'Yes' if inside else 'No'}: likely between {pounds_text(low)} and {pounds_text(high)}"


def published_against_outturn(
    published: Sequence[PublishedForecast], actuals: Mapping[str, Mapping[str, int]]
) -> PublishedOutturn:
    """Each published forecast of a year in `actuals` (year label → line code → the year's
    actuals, pence; only years whose outturn is known) against that outturn, over the lines the
    forecast covered, with its placements lines; the others are awaiting their outturn."""
    out = PublishedOutturn()
    ordered = sorted(published, key=lambda p: (Calendar.from_label(p.year).start_year, p.period), reverse=True)
    for forecast in ordered:
        label = period_words(forecast.year, forecast.period, forecast.version)
        year_actuals = actuals.get(forecast.year)
        if year_actuals is None:
            out.awaiting.append(label)
            continue
        outturn = sum(int(year_actuals.get(code, 0)) for code in forecast.line_codes)
        inside, words = range_check(outturn, forecast.likely_low, forecast.likely_high)
        lines = tuple(
            compare(line.name, line.outturn, int(year_actuals.get(line.code, 0))) for line in forecast.placement_lines
        )
        found = compare(label, forecast.outturn, outturn)
        out.compared.append(replace(found, within_range=inside, range_words=words, lines=lines))
    return out
