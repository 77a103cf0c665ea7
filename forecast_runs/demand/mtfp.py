"""The medium-term forecast (MTFP): for each of the three financial years after the current one,
numbers of children by placement type, their cost with a scenario inflation per type, and the
budget requirement of each placements line, best / middle / worst (docs/mtfp.md).

Pure pandas: no Django. ``number_paths`` forecasts month-end numbers by type from the register's
history (the demand code's own choice of method and calibrated 10-90% interval), optionally
moved towards the authority's published 31 March series. ``mtfp_table`` costs them:

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
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast_runs.demand.forecast import forecast_plain_series
from forecast_runs.demand.series import ANNUAL, CONTINUES_AFTER_18, TOTAL, FloatArray, SeriesInputs, month_end
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
class MtfpSettings:
    """Everything besides the numbers: the current year (its start), today's weekly net cost by
    type (pence), the lines, each type's share of cost by line, inflation by scenario and type
    (% a year), and savings by year label and line (pence)."""

    first_year: int  # the start of the current financial year, e.g. 2024 for 2024/25
    weekly_costs: Mapping[str, int]
    lines: Sequence[PlacementsLine]
    line_shares: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    inflation: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    savings: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

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


def number_paths(
    numbers: Mapping[str, SeriesInputs],
    *,
    first_year: int,
    published: Mapping[int, int] | None = None,
) -> dict[str, NumberPath]:
    """Month-end numbers of each type (not the total) to the end of the plan, with the method and
    interval the type's own back-test gives. With a published 31 March series of four or more
    years, the children-in-care types are moved half-way towards the change it forecasts."""
    types = {name: s for name, s in numbers.items() if name != TOTAL}
    if not types:
        return {}
    as_at = next(iter(types.values())).as_at
    horizon = months_to_plan_end(as_at, first_year)
    result = forecast_plain_series(types, horizon=horizon, candidates=NUMBER_METHODS)
    paths = {}
    for s in result.series:
        p10 = np.where(np.isnan(s.p10), s.mid, s.p10)
        p90 = np.where(np.isnan(s.p90), s.mid, s.p90)
        paths[s.name] = NumberPath(list(s.dates), p10, s.mid, p90, s.choice.method)
    if published is not None and len(published) >= 4:
        factors = published_factors(paths, types, published, as_at)
        paths = {name: path if name in CONTINUES_AFTER_18 else scaled(path, factors) for name, path in paths.items()}
    return paths


def published_factors(
    paths: Mapping[str, NumberPath], types: Mapping[str, SeriesInputs], published: Mapping[int, int], as_at: date
) -> FloatArray:
    """Per future month-end: the factor that moves the register's children in care half-way
    towards the published series' forecast change since the last 31 March before ``as_at``.
    1 at the as-at date, interpolated between 31 Marches, flat after the last one."""
    in_care = [n for n in paths if n not in CONTINUES_AFTER_18]
    dates = next(iter(paths.values())).dates
    if not in_care:
        return np.ones(len(dates))
    years = sorted(published)
    last = years[-1]
    series = SeriesInputs(
        "published",
        tuple(date(y, 3, 31) for y in years),
        np.asarray([float(published[y]) for y in years]),
        step=ANNUAL,
    )
    base_year = as_at.year if as_at >= date(as_at.year, 3, 31) else as_at.year - 1
    ahead = max(1, dates[-1].year - last)
    annual = forecast_plain_series({"published": series}, horizon=ahead).series[0]
    level = {y: float(published[y]) for y in years} | {
        d.year: float(v) for d, v in zip(annual.dates, annual.mid, strict=True)
    }
    if level.get(base_year, 0.0) <= 0:
        return np.ones(len(dates))
    now = sum(float(types[n].values[-1]) for n in in_care)
    register = np.sum([paths[n].mid for n in in_care], axis=0)
    marks_x, marks_y = [0.0], [1.0]
    for i, d in enumerate(dates):
        if d.month == 3 and d.year in level and now > 0 and register[i] > 0:
            wanted = (level[d.year] / level[base_year] + register[i] / now) / 2.0
            marks_x.append(float(i + 1))
            marks_y.append(wanted / (register[i] / now))
    return np.interp(np.arange(1, len(dates) + 1, dtype=np.float64), marks_x, marks_y)


def scaled(path: NumberPath, factors: FloatArray) -> NumberPath:
    return NumberPath(path.dates, path.p10 * factors, path.mid * factors, path.p90 * factors, path.method)


def mtfp_table(paths: Mapping[str, NumberPath], settings: MtfpSettings) -> pd.DataFrame:
    """One row per year, placements line and scenario (``TABLE_COLUMNS``); money in pence."""
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
