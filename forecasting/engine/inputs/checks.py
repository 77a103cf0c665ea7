"""`input_problems`: every problem that makes a forecast impossible, one sentence each, in
words a finance officer can act on ("all or nothing, every error at once")."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..calendar import FinancialYear
from ..scenarios import CHOSEN_METHODS, DEMAND_METHODS, Scenario
from .tables import (
    ACTUALS_COLUMNS,
    BILLABLE_FACTOR_RANGE,
    CATEGORIES,
    OTHER_METHODS,
    POSTS_COLUMNS,
    REGISTER_COLUMNS,
    REQUIRED_SCENARIOS,
    TYPES_COLUMNS,
    listing,
    pounds,
    text_or_none,
)

if TYPE_CHECKING:
    from .engine_inputs import EngineInputs


def _missing_columns(frame: pd.DataFrame, required: Iterable[str], what: str) -> list[str]:
    missing = [c for c in required if c not in frame.columns]
    if not missing:
        return []
    return [f"The {what} has no column {', '.join(missing)}."]


def input_problems(inputs: EngineInputs) -> list[str]:
    """Every problem that makes a forecast impossible, one sentence each (empty when fine).

    The year, the period, the scenarios and the tables' columns come first: without them
    nothing else can be read. Then every check of BUDGET_CHECKS runs, in order.
    """
    if not isinstance(inputs.year, FinancialYear):
        return ["The financial year is missing; give it like 2019/20."]
    problems, p = _period_problems(inputs.as_at_period)
    problems += _scenario_problems(inputs.scenarios)
    problems += _chosen_problems(inputs)
    column_problems = _column_problems(inputs)
    if column_problems:
        return problems + column_problems
    if len(inputs.budget_lines) == 0:
        return problems + [
            f"There are no budget lines for {inputs.year.label}. Import the budget before running a forecast."
        ]
    read = _Read(inputs, p)
    for check in BUDGET_CHECKS:
        problems += check(read)
    return problems


def _chosen_problems(inputs: EngineInputs) -> list[str]:
    """The back-test's choices that `auto` would use must be methods the engine has."""
    if inputs.chosen_demand is None:
        return []
    return [
        f"The back-test chose an unknown method '{method}' for {code}; run the back-test again."
        for code, method in sorted(inputs.chosen_demand.methods.items())
        if method not in CHOSEN_METHODS
    ]


def _period_problems(period: object) -> tuple[list[str], int]:
    """The as-at period's problem, if any, and the period to check the rest against (12 when
    the given one does not exist)."""
    if isinstance(period, bool) or not isinstance(period, (int, np.integer)) or not 0 <= int(period) <= 12:
        return [f"Period {period!r} does not exist: forecast as at period 0 (budget setting) to 12 (the outturn)."], 12
    return [], int(period)


def _column_problems(inputs: EngineInputs) -> list[str]:
    """Missing columns; the register, posts, workers and savings only matter when they have rows."""
    return (
        _missing_columns(inputs.budget_lines, ("line_code", "category", "annual_budget"), "budget")
        + _missing_columns(inputs.actuals, ACTUALS_COLUMNS, "actuals")
        + (
            _missing_columns(inputs.placements, REGISTER_COLUMNS, "placement register")
            if len(inputs.placements)
            else []
        )
        + _missing_columns(inputs.placement_types, TYPES_COLUMNS, "placement types table")
        + (_missing_columns(inputs.posts, POSTS_COLUMNS, "establishment (posts)") if len(inputs.posts) else [])
        + (_missing_columns(inputs.workers, ("team", "worker_type", "fte"), "workers") if len(inputs.workers) else [])
        + (
            _missing_columns(inputs.savings, ("ref", "line_code", "status", "planned"), "savings")
            if len(inputs.savings)
            else []
        )
    )


class _Read:
    """The inputs as the checks read them: each column read once, when a check first needs it."""

    def __init__(self, inputs: EngineInputs, as_at_period: int) -> None:
        self.inputs = inputs
        self.fy = inputs.year.label
        self.p = as_at_period
        self.lines = inputs.budget_lines

    @cached_property
    def codes(self) -> pd.Series:
        return self.lines["line_code"].map(text_or_none)

    @cached_property
    def known(self) -> set[str]:
        return set(self.codes.dropna())

    @cached_property
    def category(self) -> pd.Series:
        return self.lines["category"].map(lambda v: (text_or_none(v) or "").lower())

    @cached_property
    def method(self) -> pd.Series | None:
        lines = self.lines
        return lines["method"].map(lambda v: (text_or_none(v) or "profile").lower()) if "method" in lines else None

    @cached_property
    def types(self) -> pd.Series:
        lines = self.lines
        return (
            lines["placement_type"].map(text_or_none) if "placement_type" in lines else pd.Series([None] * len(lines))
        )

    @cached_property
    def teams(self) -> pd.Series:
        lines = self.lines
        return lines["team"].map(text_or_none) if "team" in lines else pd.Series([None] * len(lines))

    @cached_property
    def budgets(self) -> pd.Series:
        return pd.to_numeric(self.lines["annual_budget"], errors="coerce")

    @cached_property
    def periods(self) -> pd.Series:
        return pd.to_numeric(self.inputs.actuals["period"], errors="coerce")

    @cached_property
    def actual_codes(self) -> pd.Series:
        return self.inputs.actuals["line_code"].map(text_or_none)

    @cached_property
    def placement_lines(self) -> dict[str, str]:
        """Placements line code → its placement type."""
        zipped = zip(self.codes, self.types, self.category, strict=True)
        return {c: t for c, t, cat in zipped if cat == "placements"}

    @cached_property
    def register_types(self) -> pd.Series:
        register = self.inputs.placements
        return register["placement_type"].map(text_or_none) if len(register) else pd.Series([], dtype=object)

    @cached_property
    def register_lines(self) -> pd.Series:
        register = self.inputs.placements
        return register["line_code"].map(text_or_none) if len(register) else pd.Series([], dtype=object)

    @cached_property
    def workforce_lines(self) -> dict[str, list[str]]:
        """Team → its workforce line codes."""
        out: dict[str, list[str]] = {}
        for code, team, cat in zip(self.codes, self.teams, self.category, strict=True):
            if cat == "workforce" and team is not None:
                out.setdefault(team, []).append(str(code))
        return out

    @cached_property
    def staff_teams(self) -> set[str]:
        """Teams with workers or posts."""
        teams: set[str] = set()
        for frame in (self.inputs.workers, self.inputs.posts):
            if len(frame):
                teams |= set(frame["team"].map(text_or_none).dropna())
        return teams


def _line_codes(read: _Read) -> list[str]:
    """Every line has a code, and no code is used twice."""
    codes = read.codes
    problems: list[str] = []
    if codes.isna().any():
        problems.append(f"{int(codes.isna().sum())} budget line(s) have no line code.")
    duplicated = codes[codes.duplicated() & codes.notna()]
    for code in sorted(set(duplicated)):
        problems.append(
            f"Budget line {code} appears {int((codes == code).sum())} times; each line code must be unique."
        )
    return problems


def _each_line(read: _Read) -> list[str]:
    """Category, placement type, team, method, budget and monthly profile of every line."""
    problems: list[str] = []
    for i in range(len(read.lines)):  # one pass over budget lines (hundreds), messages need each line
        problems += _line_problems(read, i)
    return problems


def _line_problems(read: _Read, i: int) -> list[str]:
    problems: list[str] = []
    code = read.codes.iloc[i] or f"on row {i + 1}"
    cat = read.category.iloc[i]
    method, budget = read.method, read.budgets.iloc[i]
    if cat not in CATEGORIES:
        problems.append(f"Budget line {code} has category '{cat}'; use placements, workforce, other or income.")
    if cat == "placements" and read.types.iloc[i] is None:
        problems.append(f"Placements budget line {code} has no placement type; say which type it pays for.")
    if cat == "workforce" and read.teams.iloc[i] is None:
        problems.append(f"Workforce budget line {code} has no team; say which team's staff it pays for.")
    if cat in ("other", "income") and method is not None and method.iloc[i] not in OTHER_METHODS:
        problems.append(f"Budget line {code} has forecast method '{method.iloc[i]}'; use profile, run_rate or budget.")
    if np.isnan(budget):
        problems.append(f"Budget line {code} has no annual budget; enter 0 if it has none.")
    elif budget != np.round(budget):
        problems.append(f"Budget line {code} has a budget that is not a whole number of pence.")
    profile = read.lines["profile"].iloc[i] if "profile" in read.lines else None
    if isinstance(profile, (tuple, list, np.ndarray)):
        if len(profile) != 12:
            problems.append(f"Budget line {code} has a monthly profile of {len(profile)} months; it needs 12.")
        elif not np.isnan(budget) and int(sum(int(v) for v in profile)) != int(budget):
            problems.append(
                f"Budget line {code}'s monthly profile adds up to "
                f"{pounds(sum(int(v) for v in profile))} but its annual budget is "
                f"{pounds(int(budget))}; make them agree."
            )
    return problems


def _actuals(read: _Read) -> list[str]:
    """Actuals are for periods 1 to 12 and for lines in the budget."""
    actuals = read.inputs.actuals
    problems: list[str] = []
    bad_period = actuals[~read.periods.isin(range(1, 13))]
    if len(bad_period):
        problems.append(
            f"{len(bad_period)} actuals row(s) have a period that is not 1 to 12 "
            f"(for example {bad_period['period'].iloc[0]!r})."
        )
    unknown_actuals = set(read.actual_codes.dropna()) - read.known
    if unknown_actuals:
        problems.append(
            f"Actuals are given for line(s) {listing(unknown_actuals)} that are not in the {read.fy} budget; "
            "add the lines to the budget or correct the codes."
        )
    return problems


def _placement_register(read: _Read) -> list[str]:
    """Every placement reaches a placements line and has a type."""
    if not len(read.inputs.placements):
        return []
    problems: list[str] = []
    register_types, register_lines = read.register_types, read.register_lines
    orphan_types = set(register_types[register_lines.isna()].dropna()) - set(read.placement_lines.values())
    if orphan_types:
        problems.append(
            f"Placements of type {listing(orphan_types)} have no placements budget line. Add a budget "
            "line with category placements for each type, or give those placements a line code."
        )
    bad_lines = set(register_lines.dropna()) - set(read.placement_lines)
    if bad_lines:
        problems.append(
            f"Placements are coded to line(s) {listing(bad_lines)}, which are not placements lines in "
            f"the {read.fy} budget; correct the line codes."
        )
    missing_type = int(register_types.isna().sum())
    if missing_type:
        problems.append(f"{missing_type} placement(s) have no placement type.")
    return problems


def _teams(read: _Read) -> list[str]:
    """One workforce line per team, a line for every team with staff, known worker types."""
    problems: list[str] = []
    for team, team_lines in sorted(read.workforce_lines.items()):
        if len(team_lines) > 1:
            problems.append(
                f"Team {team} has {len(team_lines)} workforce budget lines ({', '.join(team_lines)}); "
                "give each team one workforce line."
            )
    no_line = read.staff_teams - set(read.workforce_lines)
    if no_line:
        problems.append(
            f"Staff or posts of team(s) {listing(no_line)} have no workforce budget line to be costed to; "
            "add a workforce line for each team or correct the team codes."
        )
    workers = read.inputs.workers
    if len(workers):
        kinds = workers["worker_type"].map(lambda v: (text_or_none(v) or "").lower())
        odd = set(kinds) - {"permanent", "agency"}
        if odd:
            problems.append(f"Worker type {listing(odd)} is not known; each worker must be permanent or agency.")
    return problems


def _savings(read: _Read) -> list[str]:
    """Savings are recorded against lines in the budget."""
    savings = read.inputs.savings
    if not len(savings):
        return []
    saving_lines = set(savings["line_code"].map(text_or_none).dropna())
    if saving_lines - read.known:
        return [
            f"Savings are recorded against line(s) {listing(saving_lines - read.known)} that are not in the "
            f"{read.fy} budget; correct the line codes."
        ]
    return []


def _nothing_to_forecast(read: _Read) -> list[str]:
    """A line with no budget, no actuals to period p and no drivers cannot be forecast."""
    actuals = read.inputs.actuals
    used_actuals = actuals[read.periods.between(1, read.p) & read.actual_codes.notna()]
    with_actuals = set(used_actuals["line_code"].map(text_or_none))
    driven = _driven_lines(read)
    problems: list[str] = []
    for i in range(len(read.lines)):
        code = read.codes.iloc[i]
        if code is None:
            continue
        budget = read.budgets.iloc[i]
        has_budget = not np.isnan(budget) and budget != 0
        if not has_budget and code not in with_actuals and code not in driven:
            name = text_or_none(read.lines["line_name"].iloc[i]) if "line_name" in read.lines else None
            label = f"{code} ({name})" if name else code
            drivers = {
                "placements": "no placements",
                "workforce": "no staff or posts",
            }.get(read.category.iloc[i], "no drivers")
            problems.append(
                f"Budget line {label} has no budget, no actuals to period {read.p} and {drivers} to forecast "
                "from; load its budget or remove the line."
            )
    return problems


def _driven_lines(read: _Read) -> set[str]:
    """Lines with drivers: placements coded to them or of their type, staff of their team."""
    driven: set[str] = set()
    if len(read.inputs.placements):
        driven |= set(read.register_lines.dropna())
        register_types = set(read.register_types.dropna())  # once, not once per line
        driven |= {c for c, t in read.placement_lines.items() if t in register_types}
    staff_teams = read.staff_teams
    driven |= {line for team, lines in read.workforce_lines.items() if team in staff_teams for line in lines}
    return driven


# The checks of a budget that has lines and every column, in the order their messages are listed.
BUDGET_CHECKS: tuple[Callable[[_Read], list[str]], ...] = (
    _line_codes,
    _each_line,
    _actuals,
    _placement_register,
    _teams,
    _savings,
    _nothing_to_forecast,
)


def _scenario_problems(scenarios: Sequence[Scenario]) -> list[str]:
    problems: list[str] = []
    names = [s.name for s in scenarios]
    missing = [n for n in REQUIRED_SCENARIOS if n not in names]
    if missing:
        problems.append(
            f"Scenario {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing: best, middle and "
            "worst must always exist (middle is the reported forecast)."
        )
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"Scenario {name} is defined {names.count(name)} times; each name must be unique.")
    for scenario in scenarios:
        for code, assumption in sorted(scenario.placements.items(), key=lambda kv: kv[0]):
            what = "every placement type" if code == "*" else code
            if assumption.new_unit_cost is not None and assumption.new_unit_cost < 0:
                problems.append(
                    f"Scenario {scenario.name} gives a negative weekly cost for new {what} placements "
                    f"({pounds(assumption.new_unit_cost)}); unit costs must be zero or more."
                )
            if assumption.demand_method is not None and assumption.demand_method not in DEMAND_METHODS:
                problems.append(
                    f"Scenario {scenario.name} uses demand method '{assumption.demand_method}' for {what}; "
                    "use commitments, net_change, trend, growth, statistical, flow or auto."
                )
            if assumption.fee_uplift_pct is not None and assumption.fee_uplift_pct <= -100:
                problems.append(
                    f"Scenario {scenario.name} has a fee uplift of {assumption.fee_uplift_pct}% for {what}."
                )
        factor = scenario.billable_factor
        low, high = BILLABLE_FACTOR_RANGE
        if factor is not None and (math.isnan(factor) or not low < factor <= high):
            problems.append(
                f"Scenario {scenario.name} has a billable factor of {factor}; it must be more than 0 and at "
                "most 1.5 (0.88 means agency workers are paid for 88% of their days)."
            )
        for team, target in scenario.agency_targets.items():
            if target is not None and (math.isnan(target) or target < 0):
                where = "overall" if team is None else f"for team {team}"
                problems.append(f"Scenario {scenario.name} has a negative agency target {where} ({target} FTE).")
        for status, rate in scenario.delivery_rates.items():
            if not 0.0 <= float(rate) <= 1.0:
                problems.append(
                    f"Scenario {scenario.name} has a delivery rate of {float(rate) * 100:g}% for {status} "
                    "savings; use 0% to 100%."
                )
    return problems
