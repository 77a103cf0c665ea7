"""Everything one forecast run needs, checked before any arithmetic starts.

`EngineInputs` bundles the frames and assumptions of a run (units: money in integer pence,
weekly costs in pence a week, FTE and numbers of children as floats, dates as datetime64).
`validate()` refuses inputs that make a forecast impossible with one `EngineInputError` that
lists every problem in words a finance officer can act on (the product's "all or nothing, every
error at once" convention). `inputs_hash` is the fingerprint stored with a run (FORECAST.md,
Outputs of a run: "a hash of every input").
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .calendar import FinancialYear
from .scenarios import PlacementAssumption, Scenario

CATEGORIES = ("placements", "workforce", "other", "income")
OTHER_METHODS = ("profile", "run_rate", "budget")
REQUIRED_SCENARIOS = ("best", "middle", "worst")
BILLABLE_FACTOR_RANGE = (0.0, 1.5)  # exclusive lower bound, inclusive upper bound
DEFAULT_HIGH_COST_THRESHOLD = 410_000  # pence a week: £4,100 (FORECAST.md, Placements)

BUDGET_COLUMNS = (
    "line_code",
    "line_name",
    "service_area",
    "category",
    "placement_type",
    "team",
    "method",
    "annual_budget",
    "budget_numbers",
    "profile",
)
ACTUALS_COLUMNS = ("line_code", "period", "amount")
REGISTER_COLUMNS = (
    "placement_ref",
    "child_ref",
    "child_dob",
    "placement_type",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line_code",
)
TYPES_COLUMNS = ("code", "continues_after_18")
POSTS_COLUMNS = ("post_ref", "team", "fte", "annual_cost")
WORKERS_COLUMNS = (
    "worker_ref",
    "team",
    "post_ref",
    "worker_type",
    "fte",
    "start_date",
    "end_date",
    "annual_cost",
    "weekly_rate",
    "agency_reason",
    "absence",
    "caseload",
    "asye",
)
SAVINGS_COLUMNS = ("ref", "title", "line_code", "status", "rag", "programme", "planned", "forecast_delivery")


class EngineInputError(ValueError):
    """Inputs that make a forecast impossible. `problems` lists each one; str() joins them."""

    def __init__(self, message: str, problems: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems is not None else [message]


def empty_frame(columns: Iterable[str]) -> pd.DataFrame:
    """An empty frame with the given columns (object dtype)."""
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})


def _empty(columns: tuple[str, ...]) -> Any:
    return field(default_factory=lambda: empty_frame(columns))


@dataclass(frozen=True, eq=False, kw_only=True)
class EngineInputs:
    """The inputs of one run. Frames follow the column lists above; money is integer pence.

    - year: the financial year; as_at_period: 0..12 (FORECAST.md, Calendar).
    - budget_lines: BUDGET_COLUMNS; annual_budget in pence (income negative); profile None or
      12 pence amounts that add up to the annual budget.
    - actuals: ACTUALS_COLUMNS; only periods 1..as_at_period are used, later ones are ignored.
    - placements: the placement register (REGISTER_COLUMNS, end dates exclusive); a blank
      line_code means the placements line of the row's type.
    - placement_types: code, continues_after_18.
    - posts, workers: the establishment and the people (worker end dates inclusive).
    - savings: SAVINGS_COLUMNS, planned and forecast_delivery in pence for this year.
    - scenarios: best, middle and worst at least.
    - high_cost_threshold: pence a week (default £4,100); calibration: interval widening by
      placement type (FORECAST.md, Accuracy), or None.
    """

    year: FinancialYear
    as_at_period: int
    budget_lines: pd.DataFrame
    scenarios: Sequence[Scenario]
    actuals: pd.DataFrame = _empty(ACTUALS_COLUMNS)
    placements: pd.DataFrame = _empty(REGISTER_COLUMNS)
    placement_types: pd.DataFrame = _empty(TYPES_COLUMNS)
    posts: pd.DataFrame = _empty(POSTS_COLUMNS)
    workers: pd.DataFrame = _empty(WORKERS_COLUMNS)
    savings: pd.DataFrame = _empty(SAVINGS_COLUMNS)
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD
    calibration: Mapping[str, float] | None = None

    def validate(self) -> None:
        """Raise EngineInputError listing every problem that makes a forecast impossible."""
        problems = input_problems(self)
        if problems:
            count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
            raise EngineInputError(f"The forecast cannot run ({count}): " + " ".join(problems), problems)


# --------------------------------------------------------------------------------------------
# validation


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return bool(value is pd.NA or value is pd.NaT)


def _text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip()


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def _missing_columns(frame: pd.DataFrame, required: Iterable[str], what: str) -> list[str]:
    missing = [c for c in required if c not in frame.columns]
    if not missing:
        return []
    return [f"The {what} has no column {', '.join(missing)}."]


def _listing(values: Iterable[object], limit: int = 5) -> str:
    items = sorted({str(v) for v in values})
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def input_problems(inputs: EngineInputs) -> list[str]:
    """Every problem that makes a forecast impossible, one sentence each (empty when fine)."""
    problems: list[str] = []
    p = inputs.as_at_period
    if not isinstance(inputs.year, FinancialYear):
        problems.append("The financial year is missing; give it like 2019/20.")
        return problems
    fy = inputs.year.label
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 0 <= int(p) <= 12:
        problems.append(f"Period {p!r} does not exist: forecast as at period 0 (budget setting) to 12 (the outturn).")
        p = 12
    p = int(p)

    problems += _scenario_problems(inputs.scenarios)

    lines = inputs.budget_lines
    column_problems = (
        _missing_columns(lines, ("line_code", "category", "annual_budget"), "budget")
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
    if column_problems:
        return problems + column_problems
    if len(lines) == 0:
        return problems + [f"There are no budget lines for {fy}. Import the budget before running a forecast."]

    codes = lines["line_code"].map(_text)
    if codes.isna().any():
        problems.append(f"{int(codes.isna().sum())} budget line(s) have no line code.")
    duplicated = codes[codes.duplicated() & codes.notna()]
    for code in sorted(set(duplicated)):
        problems.append(
            f"Budget line {code} appears {int((codes == code).sum())} times; each line code must be unique."
        )
    known = set(codes.dropna())

    category = lines["category"].map(lambda v: (_text(v) or "").lower())
    method = lines["method"].map(lambda v: (_text(v) or "profile").lower()) if "method" in lines else None
    types = lines["placement_type"].map(_text) if "placement_type" in lines else pd.Series([None] * len(lines))
    teams = lines["team"].map(_text) if "team" in lines else pd.Series([None] * len(lines))
    budgets = pd.to_numeric(lines["annual_budget"], errors="coerce")
    for i in range(len(lines)):  # one pass over budget lines (hundreds), messages need each line
        code = codes.iloc[i] or f"on row {i + 1}"
        cat = category.iloc[i]
        if cat not in CATEGORIES:
            problems.append(f"Budget line {code} has category '{cat}'; use placements, workforce, other or income.")
        if cat == "placements" and types.iloc[i] is None:
            problems.append(f"Placements budget line {code} has no placement type; say which type it pays for.")
        if cat == "workforce" and teams.iloc[i] is None:
            problems.append(f"Workforce budget line {code} has no team; say which team's staff it pays for.")
        if cat in ("other", "income") and method is not None and method.iloc[i] not in OTHER_METHODS:
            problems.append(
                f"Budget line {code} has forecast method '{method.iloc[i]}'; use profile, run_rate or budget."
            )
        if np.isnan(budgets.iloc[i]):
            problems.append(f"Budget line {code} has no annual budget; enter 0 if it has none.")
        elif budgets.iloc[i] != np.round(budgets.iloc[i]):
            problems.append(f"Budget line {code} has a budget that is not a whole number of pence.")
        profile = lines["profile"].iloc[i] if "profile" in lines else None
        if isinstance(profile, (tuple, list, np.ndarray)):
            if len(profile) != 12:
                problems.append(f"Budget line {code} has a monthly profile of {len(profile)} months; it needs 12.")
            elif not np.isnan(budgets.iloc[i]) and int(sum(int(v) for v in profile)) != int(budgets.iloc[i]):
                problems.append(
                    f"Budget line {code}'s monthly profile adds up to "
                    f"{_pounds(sum(int(v) for v in profile))} but its annual budget is "
                    f"{_pounds(int(budgets.iloc[i]))}; make them agree."
                )

    # actuals
    actuals = inputs.actuals
    periods = pd.to_numeric(actuals["period"], errors="coerce")
    bad_period = actuals[~periods.isin(range(1, 13))]
    if len(bad_period):
        problems.append(
            f"{len(bad_period)} actuals row(s) have a period that is not 1 to 12 "
            f"(for example {bad_period['period'].iloc[0]!r})."
        )
    actual_codes = actuals["line_code"].map(_text)
    unknown_actuals = set(actual_codes.dropna()) - known
    if unknown_actuals:
        problems.append(
            f"Actuals are given for line(s) {_listing(unknown_actuals)} that are not in the {fy} budget; "
            "add the lines to the budget or correct the codes."
        )

    # the placement register and its lines
    register = inputs.placements
    placement_lines = {c: t for c, t, cat in zip(codes, types, category, strict=True) if cat == "placements"}
    placement_line_types = set(placement_lines.values())
    register_types = register["placement_type"].map(_text) if len(register) else pd.Series([], dtype=object)
    register_lines = register["line_code"].map(_text) if len(register) else pd.Series([], dtype=object)
    if len(register):
        orphan_types = set(register_types[register_lines.isna()].dropna()) - placement_line_types
        if orphan_types:
            problems.append(
                f"Placements of type {_listing(orphan_types)} have no placements budget line. Add a budget "
                "line with category placements for each type, or give those placements a line code."
            )
        bad_lines = set(register_lines.dropna()) - set(placement_lines)
        if bad_lines:
            problems.append(
                f"Placements are coded to line(s) {_listing(bad_lines)}, which are not placements lines in "
                f"the {fy} budget; correct the line codes."
            )
        missing_type = int(register_types.isna().sum())
        if missing_type:
            problems.append(f"{missing_type} placement(s) have no placement type.")

    # teams and their workforce lines
    workforce_lines: dict[str, list[str]] = {}
    for code, team, cat in zip(codes, teams, category, strict=True):
        if cat == "workforce" and team is not None:
            workforce_lines.setdefault(team, []).append(str(code))
    for team, team_lines in sorted(workforce_lines.items()):
        if len(team_lines) > 1:
            problems.append(
                f"Team {team} has {len(team_lines)} workforce budget lines ({', '.join(team_lines)}); "
                "give each team one workforce line."
            )
    staff_teams: set[str] = set()
    for frame in (inputs.workers, inputs.posts):
        if len(frame):
            staff_teams |= set(frame["team"].map(_text).dropna())
    no_line = staff_teams - set(workforce_lines)
    if no_line:
        problems.append(
            f"Staff or posts of team(s) {_listing(no_line)} have no workforce budget line to be costed to; "
            "add a workforce line for each team or correct the team codes."
        )
    if len(inputs.workers):
        kinds = inputs.workers["worker_type"].map(lambda v: (_text(v) or "").lower())
        odd = set(kinds) - {"permanent", "agency"}
        if odd:
            problems.append(f"Worker type {_listing(odd)} is not known; each worker must be permanent or agency.")

    # savings
    if len(inputs.savings):
        saving_lines = set(inputs.savings["line_code"].map(_text).dropna())
        if saving_lines - known:
            problems.append(
                f"Savings are recorded against line(s) {_listing(saving_lines - known)} that are not in the "
                f"{fy} budget; correct the line codes."
            )

    # lines with nothing at all to forecast from
    used_actuals = actuals[periods.between(1, p) & actual_codes.notna()]
    with_actuals = set(used_actuals["line_code"].map(_text))
    driven: set[str] = set()
    if len(register):
        driven |= set(register_lines.dropna())
        driven |= {c for c, t in placement_lines.items() if t in set(register_types.dropna())}
    driven |= {line for team, team_lines in workforce_lines.items() if team in staff_teams for line in team_lines}
    for i in range(len(lines)):
        code = codes.iloc[i]
        if code is None:
            continue
        has_budget = not np.isnan(budgets.iloc[i]) and budgets.iloc[i] != 0
        if not has_budget and code not in with_actuals and code not in driven:
            name = _text(lines["line_name"].iloc[i]) if "line_name" in lines else None
            label = f"{code} ({name})" if name else code
            drivers = {
                "placements": "no placements",
                "workforce": "no staff or posts",
            }.get(category.iloc[i], "no drivers")
            problems.append(
                f"Budget line {label} has no budget, no actuals to period {p} and {drivers} to forecast "
                "from; load its budget or remove the line."
            )
    return problems


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
                    f"({_pounds(assumption.new_unit_cost)}); unit costs must be zero or more."
                )
            if assumption.demand_method is not None and assumption.demand_method not in (
                "commitments",
                "net_change",
                "trend",
                "statistical",
                "flow",
            ):
                problems.append(
                    f"Scenario {scenario.name} uses demand method '{assumption.demand_method}' for {what}; "
                    "use commitments, net_change, trend, statistical or flow."
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


# --------------------------------------------------------------------------------------------
# the inputs hash


def _canonical_value(value: object) -> str:
    """One cell as canonical text: numbers by value (1 == 1.0), dates ISO, blanks one token."""
    if not isinstance(value, (tuple, list, np.ndarray)) and _blank(value):
        return "~"
    if isinstance(value, (bool, np.bool_)):
        return "T" if value else "F"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, (pd.Timestamp, datetime)):
        stamp = pd.Timestamp(value)
        return str(stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list, np.ndarray)):
        return "[" + ",".join(_canonical_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _canonical_column(column: pd.Series) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.to_datetime(column)
        out = stamps.dt.strftime("%Y-%m-%d")
        timed = stamps.notna() & (stamps != stamps.dt.normalize())
        if timed.any():
            out[timed] = stamps[timed].map(lambda s: s.isoformat())
        return [str(v) for v in out.where(stamps.notna(), "~").tolist()]
    if pd.api.types.is_bool_dtype(column):
        return ["T" if v else "F" for v in column.to_numpy()]
    if pd.api.types.is_integer_dtype(column) and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return [str(v) for v in column.astype(str).tolist()]
    return [_canonical_value(v) for v in column.to_numpy(dtype=object)]


def _frame_digest(name: str, frame: pd.DataFrame) -> str:
    """Order-free digest of a frame: sorted column names, then the sorted canonical rows."""
    columns = sorted(str(c) for c in frame.columns)
    if len(frame) == 0:
        rows: list[str] = []
    else:
        cells = [_canonical_column(frame[c]) for c in columns]
        rows = sorted("\x1f".join(parts) for parts in zip(*cells, strict=True))
    digest = hashlib.sha256()
    digest.update(f"{name}\x1e{len(frame)}\x1e{'|'.join(columns)}\x1e".encode())
    for row in rows:
        digest.update(row.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def _assumption_dict(assumption: PlacementAssumption) -> dict[str, str]:
    return {
        "demand_method": _canonical_value(assumption.demand_method),
        "net_change": _canonical_value(assumption.net_change),
        "new_unit_cost": _canonical_value(assumption.new_unit_cost),
        "fee_uplift_pct": _canonical_value(assumption.fee_uplift_pct),
        "fee_uplift_from": _canonical_value(assumption.fee_uplift_from),
    }


def _scenario_dict(scenario: Scenario) -> dict[str, object]:
    return {
        "name": scenario.name,
        "placements": {k: _assumption_dict(v) for k, v in sorted(scenario.placements.items())},
        "agency_targets": {
            ("~" if k is None else str(k)): _canonical_value(v)
            for k, v in sorted(scenario.agency_targets.items(), key=lambda kv: "" if kv[0] is None else str(kv[0]))
        },
        "billable_factor": _canonical_value(scenario.billable_factor),
        "delivery_rates": {k: _canonical_value(v) for k, v in sorted(scenario.delivery_rates.items())},
    }


def inputs_hash(inputs: EngineInputs) -> str:
    """sha256 (hex) of a canonical serialisation of every frame and assumption of a run.

    The same inputs give the same hash whatever the order of rows, columns or scenarios; a
    change of one penny anywhere changes it. Numbers are compared by value (1 and 1.0 are the
    same), blanks (None, NaN, NaT) are one token, dates are ISO.
    """
    frames = {
        "budget_lines": inputs.budget_lines,
        "actuals": inputs.actuals,
        "placements": inputs.placements,
        "placement_types": inputs.placement_types,
        "posts": inputs.posts,
        "workers": inputs.workers,
        "savings": inputs.savings,
    }
    document = {
        "year": inputs.year.label,
        "as_at_period": int(inputs.as_at_period),
        "high_cost_threshold": int(inputs.high_cost_threshold),
        "calibration": None
        if inputs.calibration is None
        else {str(k): _canonical_value(v) for k, v in sorted(inputs.calibration.items())},
        "scenarios": sorted((_scenario_dict(s) for s in inputs.scenarios), key=lambda d: str(d["name"])),
        "frames": {name: _frame_digest(name, frame) for name, frame in frames.items()},
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
