"""The medium-term forecast (MTFP): for each of the three financial years after the current one,
numbers of children by placement type, their cost with a scenario inflation per type, and the
budget requirement of each placements line, best / middle / worst (docs/mtfp.md).

Pure pandas: no Django. ``forecast_numbers`` forecasts month-end numbers by type from the
register's history (the demand code's own choice of method and calibrated 10-90% interval),
moved towards the authority's published 31 March series as far as the register's own back-test
says helps (``blend_backtest``, ``choose_blend``; not at all when it cannot tell).
``mtfp_table`` costs them:

- the weekly net cost of a type in year k (k = 1, 2, 3 after the current year) is today's
  times (1 + inflation of the type in the scenario) to the power k, never rounded;
- each month's cost of a type = month-end number x weekly cost x days in the month / 7, rounded
  to the penny (half up) once; a year is the sum of its twelve months (FORECAST.md's rule);
- best takes the 10% numbers and the best inflation, middle the middle ones, worst the 90%;
- a line's cost is its types' costs (a type on several lines is split by today's weekly cost on
  each line, largest remainder so the pence add up); its requirement is that cost less the
  savings profiled on the line for the year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from forecast_runs.demand.forecast import forecast_plain_series
from forecast_runs.demand.selection import min_length
from forecast_runs.demand.series import (
    ANNUAL,
    CONTINUES_AFTER_18,
    MONTHLY,
    TOTAL,
    FloatArray,
    SeriesInputs,
    month_end,
)
from forecasting.engine.calendar import year_label
from forecasting.engine.money import pence_to_pounds, round_pence

YEARS_AHEAD = 3
SCENARIOS = ("best", "middle", "worst")
# Methods a page can afford for each type's monthly series (the statistical fit is left out).
NUMBER_METHODS = ("naive", "trend", "growth")
# Yearly price rise of each type, % (best, middle, worst): fees of external residential and
# supported accommodation have risen fastest; in-house costs follow pay awards. An authority's
# scenario setting for a type replaces these.
DEFAULT_INFLATION: Mapping[str, tuple[float, float, float]] = {
    "fostering_in_house": (2.0, 3.0, 4.5),
    "fostering_kinship": (2.0, 3.0, 4.5),
    "fostering_ifa": (2.5, 4.0, 6.0),
    "residential_in_house": (2.5, 3.5, 5.0),
    "residential_external": (4.0, 6.0, 10.0),
    "supported_accommodation": (3.0, 5.0, 8.0),
    "secure": (3.0, 5.0, 8.0),
}
OTHER_INFLATION = (2.0, 3.0, 5.0)  # every other type
# Moving the register's forecast towards the published series' change: the weights tried, the
# horizons (years) scored, and what the back-test needs before it may choose anything but 0.
BLEND_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
WEIGHT_WORDS = {0.25: "a quarter of the way", 0.5: "half-way", 0.75: "three quarters of the way", 1.0: "all the way"}
BLEND_HORIZONS = (1, 2, 3)
MIN_BLEND_ORIGINS = 2
MIN_PUBLISHED_YEARS = 4
MIN_REGISTER_MONTHS = min_length(MONTHLY)  # what a monthly series needs to be back-tested
PUBLISHED_FROM = (11, 30)  # a year's 31 March number is out by 30 November (DfE's autumn release)
_TOLERANCE = 1e-9
BUDGET_FILE_COLUMNS = (
    "line_code",
    "line_name",
    "service_area",
    "category",
    "placement_type",
    "annual_budget",
    "budget_numbers",
)
TABLE_COLUMNS = [
    "year",
    "line_code",
    "line_name",
    "placement_type",
    "scenario",
    "average_number",
    "march_number",
    "weekly_cost",
    "cost",
    "savings",
    "requirement",
]


@dataclass(frozen=True, eq=False)
class NumberPath:
    """One type's month-end numbers from the month after the as-at date: 10%, middle, 90%."""

    dates: list[date]
    p10: FloatArray
    mid: FloatArray
    p90: FloatArray
    method: str = "naive"


@dataclass(frozen=True)
class PlacementsLine:
    code: str
    name: str
    placement_type: str


@dataclass(frozen=True)
class OtherLine:
    """A line that is not a placements line but has savings planned in a year of the plan."""

    code: str
    name: str


@dataclass(frozen=True)
class MtfpSettings:
    """Everything besides the numbers: the current year (its start), today's weekly net cost by
    type (pence), the lines, each type's share of cost by line, inflation by scenario and type
    (% a year), savings by year label and line (pence), and the other lines with savings."""

    first_year: int  # the start of the current financial year, e.g. 2024 for 2024/25
    weekly_costs: Mapping[str, int]
    lines: Sequence[PlacementsLine]
    line_shares: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    inflation: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    savings: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    other_lines: Sequence[OtherLine] = ()

    def rate(self, scenario: str, placement_type: str) -> float:
        chosen = self.inflation.get(scenario, {})
        if placement_type in chosen:
            return float(chosen[placement_type])
        default = DEFAULT_INFLATION.get(placement_type, OTHER_INFLATION)
        return default[SCENARIOS.index(scenario)]


def plan_years(first_year: int) -> list[tuple[str, date, date]]:
    """(label, 1 April, 31 March) of the three years after the current one."""
    return [
        (year_label(first_year + k), date(first_year + k, 4, 1), date(first_year + k + 1, 3, 31))
        for k in range(1, YEARS_AHEAD + 1)
    ]


def months_to_plan_end(as_at: date, first_year: int) -> int:
    """How many month-ends after ``as_at``'s month reach the last 31 March of the plan."""
    end = plan_years(first_year)[-1][2]
    return (end.year - as_at.year) * 12 + end.month - as_at.month


@dataclass(frozen=True)
class Blend:
    """How far the register's children in care were moved towards the published series' change
    (0 = not at all, 1 = all the way), why, and the back-test behind it: mean absolute
    percentage error by weight and horizon (years), over ``origins`` earlier 31 Marches."""

    weight: float
    reason: str
    scores: Mapping[float, Mapping[int, float]] = field(default_factory=dict)
    origins: int = 0
    # The published series' last year out and its number, and the forecast for the last 31 March
    # of the plan (year, number): what the register is moved towards.
    published_last: tuple[int, float] | None = None
    published_end: tuple[int, float] | None = None


@dataclass(frozen=True, eq=False)
class Numbers:
    paths: dict[str, NumberPath]
    blend: Blend | None  # None: no published series was given


def forecast_numbers(
    numbers: Mapping[str, SeriesInputs],
    *,
    first_year: int,
    published: Mapping[int, int] | None = None,
) -> Numbers:
    """Month-end numbers of each type (not the total) to the end of the plan, with the method and
    interval the type's own back-test gives. With a published 31 March series, the
    children-in-care types are moved towards the change it forecasts by the weight the
    authority's own back-test chooses (``choose_blend``; 0 when it cannot say it helps)."""
    types = {name: s for name, s in numbers.items() if name != TOTAL}
    if not types:
        return Numbers({}, None)
    as_at = next(iter(types.values())).as_at
    horizon = months_to_plan_end(as_at, first_year)
    result = forecast_plain_series(types, horizon=horizon, candidates=NUMBER_METHODS)
    paths = {}
    for s in result.series:
        p10 = np.where(np.isnan(s.p10), s.mid, s.p10)
        p90 = np.where(np.isnan(s.p90), s.mid, s.p90)
        paths[s.name] = NumberPath(list(s.dates), p10, s.mid, p90, s.choice.method)
    if published is None:
        return Numbers(paths, None)
    total = in_care_total(types)
    if total is None:
        return Numbers(paths, Blend(0.0, "not used: the register has no children in care"))
    known = published_known(published, as_at)
    blend = choose_blend(blend_backtest(total, published), known)
    if len(known) >= MIN_PUBLISHED_YEARS:
        end = next(iter(paths.values())).dates[-1].year
        last = max(known)
        blend = replace(
            blend, published_last=(last, float(known[last])), published_end=(end, published_levels(known, end)[end])
        )
    if blend.weight > 0:
        factors = published_factors(paths, types, known, as_at, blend.weight)
        paths = {name: path if name in CONTINUES_AFTER_18 else scaled(path, factors) for name, path in paths.items()}
    return Numbers(paths, blend)


def published_known(published: Mapping[int, int], on: date) -> dict[int, int]:
    """The published 31 March numbers out by ``on``: DfE publishes a year's in its autumn
    release, so a year's number is taken as known from 30 November of that year."""
    return {y: int(v) for y, v in sorted(published.items()) if date(y, *PUBLISHED_FROM) <= on}


def published_levels(known: Mapping[int, int], through: int) -> dict[int, float]:
    """The published numbers by year and, after the last, their forecast by the yearly method
    (``forecast_plain_series``) to 31 March ``through``."""
    years = sorted(known)
    levels = {y: float(known[y]) for y in years}
    if through > years[-1]:
        series = SeriesInputs(
            "published", tuple(date(y, 3, 31) for y in years), np.asarray([float(known[y]) for y in years]), step=ANNUAL
        )
        annual = forecast_plain_series({"published": series}, horizon=through - years[-1]).series[0]
        levels |= {d.year: float(v) for d, v in zip(annual.dates, annual.mid, strict=True)}
    return levels


def in_care_total(types: Mapping[str, SeriesInputs]) -> SeriesInputs | None:
    """The month-end number of children in care: every type but staying put and leaving care."""
    in_care = [s for name, s in types.items() if name not in CONTINUES_AFTER_18]
    if not in_care:
        return None
    return SeriesInputs("in care", in_care[0].dates, np.sum([s.values for s in in_care], axis=0))


def blend_backtest(total: SeriesInputs, published: Mapping[int, int]) -> pd.DataFrame:
    """The blend replayed on the register's own history. At each earlier 31 March o with at
    least 13 month-ends before it and ``MIN_PUBLISHED_YEARS`` published years out by then, the
    in-care total cut at o is forecast as each type is (its own back-test choosing among
    ``NUMBER_METHODS``), giving the register's change r to 31 March h years on; the published
    series known at o gives its change p from o's year (its forecast where o's year is not out
    yet). A weight w forecasts number at o x ((1 - w) r + w p); it is scored against the
    register's own number on that 31 March, for every h the history reaches.
    One row per origin, horizon and weight: forecast, actual, ape (%)."""
    index = {d: i for i, d in enumerate(total.dates)}
    rows = []
    for i, origin in enumerate(total.dates):
        if (origin.month, origin.day) != (3, 31) or i + 1 < MIN_REGISTER_MONTHS:
            continue
        later = [(h, date(origin.year + h, 3, 31)) for h in BLEND_HORIZONS]
        targets = [(h, index[d]) for h, d in later if d in index]
        known = published_known(published, origin)
        now = float(total.values[i])
        if not targets or len(known) < MIN_PUBLISHED_YEARS or now <= 0:
            continue
        furthest = max(h for h, _ in targets)
        levels = published_levels(known, origin.year + furthest)
        if levels.get(origin.year, 0.0) <= 0:
            continue
        cut = SeriesInputs(total.name, total.dates[: i + 1], total.values[: i + 1])
        register = forecast_plain_series({cut.name: cut}, horizon=12 * furthest, candidates=NUMBER_METHODS).series[0]
        for h, j in targets:
            actual = float(total.values[j])
            if actual <= 0:
                continue
            r = float(register.mid[12 * h - 1]) / now
            p = levels[origin.year + h] / levels[origin.year]
            for w in BLEND_WEIGHTS:
                forecast = now * ((1.0 - w) * r + w * p)
                rows.append((origin, h, w, forecast, actual, abs(forecast - actual) / actual * 100.0))
    return pd.DataFrame(rows, columns=["origin", "horizon", "weight", "forecast", "actual", "ape"])


def choose_blend(scores: pd.DataFrame, known: Mapping[int, int]) -> Blend:
    """The weight with the lowest back-test error averaged over the horizons scored, among the
    weights no worse than the register alone (weight 0) at any of them; 0 wins a tie, and is
    used when fewer than ``MIN_BLEND_ORIGINS`` earlier 31 Marches could be scored."""
    if len(known) < MIN_PUBLISHED_YEARS:
        return Blend(
            0.0,
            f"not used: {_count(len(known), 'published year')} of children looked after at 31 March, "
            f"{MIN_PUBLISHED_YEARS} are needed",
        )
    origins = int(scores["origin"].nunique()) if len(scores) else 0
    if origins < MIN_BLEND_ORIGINS:
        return Blend(
            0.0,
            f"not used: the register's history has {_count(origins, 'earlier 31 March')} that could be checked against "
            f"its own later numbers, and {MIN_BLEND_ORIGINS} are needed to tell whether the published numbers help",
            origins=origins,
        )
    grid = scores.pivot_table(index="horizon", columns="weight", values="ape", aggfunc="mean")
    table = {float(w): {int(h): float(grid.loc[h, w]) for h in grid.index} for w in grid.columns}
    alone = grid[0.0]
    qualified = [w for w in BLEND_WEIGHTS if bool((grid[w] <= alone + _TOLERANCE).all())]
    best = min(qualified, key=lambda w: (round(float(grid[w].mean()), 9), w))
    checked = f"on {_count(origins, 'earlier 31 March')} checked against the register's own later numbers"
    if best == 0.0:
        reason = (
            f"not used: {checked}, the register alone was {float(alone.mean()):.1f}% out on average and no "
            "move towards the published change did as well at every horizon"
        )
    else:
        reason = (
            f"moved {WEIGHT_WORDS[best]} towards the published change: {checked}, this was "
            f"{float(grid[best].mean()):.1f}% out on average, against {float(alone.mean()):.1f}% for the register alone"
        )
    return Blend(best, reason, table, origins)


def _count(n: int, word: str) -> str:
    if n == 0:
        return f"no {word}"
    return f"{n} {word}" if n == 1 else f"{n} {word}es" if word.endswith("March") else f"{n} {word}s"


def published_factors(
    paths: Mapping[str, NumberPath],
    types: Mapping[str, SeriesInputs],
    known: Mapping[int, int],
    as_at: date,
    weight: float,
) -> FloatArray:
    """Per future month-end: the factor that moves the register's children in care ``weight``
    of the way towards the published series' forecast change since the last 31 March on or
    before ``as_at``: ((1 - w) r + w p) / r at each 31 March (r, p the register's and the
    published changes). 1 at the as-at date, interpolated between 31 Marches, flat after."""
    in_care = [n for n in paths if n not in CONTINUES_AFTER_18]
    dates = next(iter(paths.values())).dates
    if not in_care or len(known) < MIN_PUBLISHED_YEARS:
        return np.ones(len(dates))
    base_year = as_at.year if (as_at.month, as_at.day) >= (3, 31) else as_at.year - 1
    level = published_levels(known, max(dates[-1].year, base_year))
    if level.get(base_year, 0.0) <= 0:
        return np.ones(len(dates))
    now = sum(float(types[n].values[-1]) for n in in_care)
    register = np.sum([paths[n].mid for n in in_care], axis=0)
    marks_x, marks_y = [0.0], [1.0]
    for i, d in enumerate(dates):
        if d.month == 3 and d.day == 31 and d.year in level and now > 0 and register[i] > 0:
            r = register[i] / now
            wanted = (1.0 - weight) * r + weight * level[d.year] / level[base_year]
            marks_x.append(float(i + 1))
            marks_y.append(wanted / r)
    return np.interp(np.arange(1, len(dates) + 1, dtype=np.float64), marks_x, marks_y)


def scaled(path: NumberPath, factors: FloatArray) -> NumberPath:
    return NumberPath(path.dates, path.p10 * factors, path.mid * factors, path.p90 * factors, path.method)


def mtfp_table(paths: Mapping[str, NumberPath], settings: MtfpSettings) -> pd.DataFrame:
    """One row per year, placements line and scenario (``TABLE_COLUMNS``); money in pence. A
    line that is not a placements line has a row in a year where savings are planned on it: no
    cost, its savings, and a requirement of minus the savings (they come off the total)."""
    rows = []
    for label, start, end in plan_years(settings.first_year):
        k = int(label[:4]) - settings.first_year
        for scenario in SCENARIOS:
            costs = {t: _year_cost(path, start, end, scenario, settings, t, k) for t, path in paths.items()}
            by_line = _line_costs(costs, settings)
            for line in settings.lines:
                cost, average, march, weekly = by_line.get(line.code, (0, 0.0, 0.0, 0.0))
                saving = int(settings.savings.get(label, {}).get(line.code, 0))
                rows.append(
                    (label, line.code, line.name, line.placement_type, scenario, average, march, weekly)
                    + (cost, saving, cost - saving)
                )
            for other in settings.other_lines:
                saving = int(settings.savings.get(label, {}).get(other.code, 0))
                if saving:
                    rows.append((label, other.code, other.name, "", scenario, 0.0, 0.0, 0.0, 0, saving, -saving))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _year_cost(
    path: NumberPath, start: date, end: date, scenario: str, settings: MtfpSettings, placement_type: str, k: int
) -> tuple[int, float, float, float]:
    """(cost in pence, average month-end number, 31 March number, weekly cost) of one type in one
    year and scenario."""
    numbers = {"best": path.p10, "middle": path.mid, "worst": path.p90}[scenario]
    weekly = settings.weekly_costs.get(placement_type, 0) * (1.0 + settings.rate(scenario, placement_type) / 100.0) ** k
    months = [(i, d) for i, d in enumerate(path.dates) if start <= d <= end]
    pence = sum(round_pence(float(numbers[i]) * weekly * d.day / 7.0) for i, d in months)
    average = float(np.mean([numbers[i] for i, _ in months])) if months else 0.0
    march = next((float(numbers[i]) for i, d in months if d == month_end(end)), 0.0)
    return int(pence), average, march, weekly


def _line_costs(
    costs: Mapping[str, tuple[int, float, float, float]], settings: MtfpSettings
) -> dict[str, tuple[int, float, float, float]]:
    """Each line's share of its types' cost, numbers and (weighted) weekly cost."""
    out: dict[str, list[float]] = {}
    for placement_type, (pence, average, march, weekly) in costs.items():
        lines = [line.code for line in settings.lines if line.placement_type == placement_type]
        if not lines:
            continue
        weights = [max(int(settings.line_shares.get(placement_type, {}).get(c, 0)), 0) for c in lines]
        if sum(weights) == 0:
            weights = [1] * len(lines)
        split = split_pence(pence, weights)
        for code, part, weight in zip(lines, split, weights, strict=True):
            share = weight / sum(weights)
            acc = out.setdefault(code, [0, 0.0, 0.0, 0.0])
            acc[0] += part
            acc[1] += average * share
            acc[2] += march * share
            acc[3] = weekly
    return {code: (int(v[0]), v[1], v[2], v[3]) for code, v in out.items()}


def split_pence(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` in whole pence that add up to it: each gets
    the floor of its share, and the pence left go to the largest remainders (first on a tie)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(np.floor(x)) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def budget_rows(table: pd.DataFrame, lines: Sequence[PlacementsLine], service_areas: Mapping[str, str]) -> pd.DataFrame:
    """Next year's middle requirement in the ``budget`` import's columns (DATA_FORMATS.md):
    ``line_code, line_name, service_area, category, placement_type, annual_budget, budget_numbers``;
    pounds with two decimals, the budgeted number the year's average month-end number."""
    first = table["year"].min() if len(table) else ""
    middle = table[(table["year"] == first) & (table["scenario"] == "middle")].set_index("line_code")
    # A line with no children costs nothing next year: it stays in the file at £0.
    rows = []
    for line in lines:
        row = middle.loc[line.code] if line.code in middle.index else None
        pence = int(row["requirement"]) if row is not None else 0
        number = float(row["average_number"]) if row is not None else 0.0
        rows.append(
            (
                line.code,
                line.name,
                service_areas.get(line.code, ""),
                "placements",
                line.placement_type,
                f"{pence_to_pounds(pence):.2f}",
                f"{number:.1f}",
            )
        )
    columns = [
        "line_code",
        "line_name",
        "service_area",
        "category",
        "placement_type",
        "annual_budget",
        "budget_numbers",
    ]
    return pd.DataFrame(rows, columns=columns)
