"""The engine's entry point: every scenario, every budget line (FORECAST.md, Outputs of a run).

`run_engine(inputs)` validates the inputs, computes once what does not depend on the scenario
(actuals to date, other lines, the workforce day matrices, the register's line codes), then for
each scenario: the placement projection, the workforce forecast, savings delivery, the lines
and the variance explained. Money is integer pence throughout; nothing here rounds except
through the modules it calls (one rounding per item per month, FORECAST.md, Money).

Per line (FORECAST.md, Outputs; docs/engine/workforce-and-lines.md):
  forecast_outturn = actual_ytd + committed_remaining + projected_change + savings_adjustment
  variance = forecast_outturn − annual_budget (overspend positive)
- actual_ytd: ledger actuals of periods 1..p (later periods are ignored).
- placements lines: committed remaining and projected change from the placement register
  (placements module); the projected change of a type goes to that type's placements line.
- workforce lines: committed remaining and the agency trajectory's projected change of the
  line's team (workforce module).
- other and income lines: committed remaining = what the line's method adds to the actuals
  (profile, run_rate or budget); projected change 0.
- savings_adjustment: the shortfall of savings on lines forecast by profile or budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pandas as pd

from . import placements as placements_module
from .inputs import EngineInputError, EngineInputs
from .other_lines import normalise_method, other_lines_forecast
from .result import LINE_COLUMNS, EngineResult
from .savings import SavingsError, savings_adjustment_by_line, savings_delivery
from .scenarios import PlacementAssumption, Scenario, resolve_scenario
from .variance import VARIANCE_EXPLAINED_COLUMNS, variance, variance_explained, variance_pct
from .workforce import WorkforceError, forecast_workforce, prepare_workforce

ENGINE_VERSION = "1.0.0"
SCENARIO_ORDER = ("best", "middle", "worst")
# FORECAST.md, Scenarios: for cost, best = fewer children = the 10th percentile of the
# statistical method, worst = the 90th. Other methods ignore the interval.
SCENARIO_INTERVAL = {"best": "p10", "middle": "middle", "worst": "p90"}


@dataclass(frozen=True, eq=False)
class _Prepared:
    """What every scenario shares."""

    lines: pd.DataFrame  # normalised budget lines
    actual_ytd: pd.Series  # pence by line code, periods 1..p
    other: pd.DataFrame  # other_lines_forecast of other/income lines
    register: pd.DataFrame  # line codes filled in
    type_lines: dict[str, str]  # placement type → its placements line
    team_lines: dict[str, str]  # team → its workforce line
    type_codes: list[str]


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _prepare(inputs: EngineInputs) -> _Prepared:
    p = inputs.as_at_period
    raw = inputs.budget_lines.reset_index(drop=True)
    n = len(raw)

    def column(name: str) -> pd.Series:
        return raw[name] if name in raw.columns else pd.Series([None] * n, dtype=object)

    category = column("category").map(lambda v: (_text_or_none(v) or "").lower())
    method = [
        cat if cat in ("placements", "workforce") else normalise_method(m)
        for cat, m in zip(category, column("method"), strict=True)
    ]
    lines = pd.DataFrame(
        {
            "line_code": column("line_code").map(_text_or_none),
            "line_name": column("line_name").map(_text_or_none),
            "service_area": column("service_area").map(_text_or_none),
            "category": category,
            "method": method,
            "placement_type": column("placement_type").map(_text_or_none),
            "team": column("team").map(_text_or_none),
            "annual_budget": pd.to_numeric(column("annual_budget")).fillna(0).astype(np.int64),
            "budget_numbers": pd.to_numeric(column("budget_numbers"), errors="coerce").astype(np.float64),
            "profile": column("profile"),
        }
    )

    actuals = inputs.actuals
    periods = pd.to_numeric(actuals["period"], errors="coerce")
    used = actuals[periods.between(1, p)]  # periods after the as-at period are ignored
    actual_ytd = (
        pd.to_numeric(used["amount"]).astype(np.int64).groupby(used["line_code"].astype(str)).sum()
        if len(used)
        else pd.Series(dtype=np.int64)
    )

    others = lines[lines["category"].isin(["other", "income"])]
    other = other_lines_forecast(others, actual_ytd, p)

    type_lines: dict[str, str] = {}
    for code, cat, kind in zip(lines["line_code"], lines["category"], lines["placement_type"], strict=True):
        if cat == "placements" and kind is not None:
            type_lines.setdefault(kind, code)  # the first placements line of a type is its line
    team_lines = {
        team: code
        for code, cat, team in zip(lines["line_code"], lines["category"], lines["team"], strict=True)
        if cat == "workforce" and team is not None
    }

    register = inputs.placements.copy()
    if len(register):
        given = register["line_code"].map(_text_or_none)
        default = register["placement_type"].astype(str).map(type_lines)
        register["line_code"] = given.where(given.notna(), default)
    type_codes = list(
        dict.fromkeys(
            [str(c) for c in inputs.placement_types["code"]]
            + sorted({str(t) for t in register["placement_type"]} if len(register) else set())
            + sorted(type_lines)
        )
    )
    return _Prepared(
        lines=lines,
        actual_ytd=actual_ytd,
        other=other,
        register=register,
        type_lines=type_lines,
        team_lines=team_lines,
        type_codes=type_codes,
    )


def _ordered(scenarios: list[Scenario]) -> list[Scenario]:
    first = [s for name in SCENARIO_ORDER for s in scenarios if s.name == name]
    return first + [s for s in scenarios if s.name not in SCENARIO_ORDER]


def _line_methods(prepared: _Prepared, as_at_period: int) -> dict[str, str]:
    """How each line is forecast, for the savings rule. At p = 12 every other/income line is
    its actuals, which already show what was delivered, so no shortfall is added again."""
    methods: dict[str, str] = {}
    for code, method in zip(prepared.lines["line_code"], prepared.lines["method"], strict=True):
        if as_at_period == 12 and method in ("profile", "budget"):
            method = "run_rate"
        methods[str(code)] = method
    return methods


def run_engine(inputs: EngineInputs) -> EngineResult:
    """Forecast every scenario and every budget line of `inputs` (money in pence).

    Raises EngineInputError (message for a finance officer) when the inputs make a forecast
    impossible. Timings (seconds) by stage are returned with the result.
    """
    timings: dict[str, float] = {}
    clock = perf_counter()
    started = clock

    def lap(name: str) -> None:
        nonlocal clock
        now = perf_counter()
        timings[name] = timings.get(name, 0.0) + (now - clock)
        clock = now

    inputs.validate()
    lap("validate")
    year, p = inputs.year, int(inputs.as_at_period)
    prepared = _prepare(inputs)
    scenarios = _ordered(list(inputs.scenarios))
    middle = next(s for s in scenarios if s.name == "middle")
    resolved = [resolve_scenario(s, middle, prepared.type_codes) for s in scenarios]
    resolved_middle = next(s for s in resolved if s.name == "middle")
    line_methods = _line_methods(prepared, p)
    lap("prepare")

    base = prepare_workforce(inputs.workers, inputs.posts, year, p, teams=sorted(prepared.team_lines))
    lap("workforce")

    projections: dict[object, placements_module.PlacementProjection] = {}
    line_frames: list[pd.DataFrame] = []
    placement_frames: list[pd.DataFrame] = []
    workforce_frames: list[pd.DataFrame] = []
    savings_frames: list[pd.DataFrame] = []
    explained_frames: list[pd.DataFrame] = []
    model_frames: list[pd.DataFrame] = []

    for scenario in resolved:
        assumptions: Mapping[str, PlacementAssumption] = scenario.placements
        interval = SCENARIO_INTERVAL.get(scenario.name, "middle")
        statistical = any(a.demand_method == "statistical" for a in assumptions.values())
        key = (tuple(sorted(assumptions.items())), interval if statistical else "middle")
        projection = projections.get(key)
        if projection is None:  # scenarios with the same placement assumptions share one projection
            projection = placements_module.project_placements(
                prepared.register,
                inputs.placement_types,
                year,
                p,
                assumptions,
                interval=interval,
                calibration=inputs.calibration,
                high_cost_threshold=inputs.high_cost_threshold,
                type_lines=prepared.type_lines,
            )
            projections[key] = projection
        lap("placements")

        try:
            workforce = forecast_workforce(
                base,
                billable_factor=float(scenario.billable_factor if scenario.billable_factor is not None else 1.0),
                agency_targets=scenario.agency_targets,
                past_billable_factor=resolved_middle.billable_factor,
            )
        except WorkforceError as error:
            raise EngineInputError(f"Scenario {scenario.name}: {error}.") from error
        lap("workforce")

        try:
            delivery = savings_delivery(
                inputs.savings,
                year_label=year.label,
                delivery_rates=scenario.delivery_rates,
                line_methods=line_methods,
            )
        except SavingsError as error:
            raise EngineInputError(f"Scenario {scenario.name}: {error}.") from error
        adjustment = savings_adjustment_by_line(delivery)
        lap("savings")

        lines = _scenario_lines(prepared, scenario.name, projection, workforce.by_team, adjustment)
        line_frames.append(lines)
        placement_lines = lines[lines["category"] == "placements"]
        explained_frames.append(variance_explained(placement_lines, projection.by_line, scenario=scenario.name))
        placement_frames.append(projection.by_type_month.assign(scenario=scenario.name))
        workforce_frames.append(workforce.by_team_month.assign(scenario=scenario.name))
        savings_frames.append(delivery.assign(scenario=scenario.name))
        model_frames.append(projection.models_used.assign(scenario=scenario.name))
        lap("lines")

    def stacked(frames: list[pd.DataFrame], columns: tuple[str, ...] | None = None) -> pd.DataFrame:
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns or ()))
        ordered = ["scenario", *[c for c in frame.columns if c != "scenario"]]
        return frame[ordered]

    result = EngineResult(
        lines=stacked(line_frames, LINE_COLUMNS),
        placements=stacked(placement_frames),
        workforce=stacked(workforce_frames),
        savings=stacked(savings_frames),
        variance_explained=stacked(explained_frames, VARIANCE_EXPLAINED_COLUMNS),
        models_used=stacked(model_frames),
        engine_version=ENGINE_VERSION,
        timings=timings,
    )
    lap("assemble")
    timings["total"] = perf_counter() - started
    return result


def _scenario_lines(
    prepared: _Prepared,
    scenario: str,
    projection: placements_module.PlacementProjection,
    workforce_by_team: pd.DataFrame,
    adjustment: pd.DataFrame,
) -> pd.DataFrame:
    """One scenario's row per budget line (LINE_COLUMNS), money in pence."""
    lines = prepared.lines
    codes = lines["line_code"]
    category = lines["category"]
    actual = prepared.actual_ytd.reindex(codes).fillna(0).to_numpy(dtype=np.int64)

    by_line = projection.by_line.set_index("line_code")
    placement_committed = by_line["committed_remaining"].reindex(codes).fillna(0).to_numpy(dtype=np.int64)
    placement_change = by_line["projected_change"].reindex(codes).fillna(0).to_numpy(dtype=np.int64)

    by_team = workforce_by_team.set_index("team")
    teams = lines["team"].fillna("")
    team_committed = by_team["committed_remaining"].reindex(teams).fillna(0).to_numpy(dtype=np.int64)
    team_change = by_team["projected_change"].reindex(teams).fillna(0).to_numpy(dtype=np.int64)

    other = prepared.other.set_index("line_code")
    other_committed = other["committed_remaining"].reindex(codes).fillna(0).to_numpy(dtype=np.int64)

    is_placements = (category == "placements").to_numpy()
    is_workforce = (category == "workforce").to_numpy()
    committed = np.select([is_placements, is_workforce], [placement_committed, team_committed], other_committed)
    change = np.select([is_placements, is_workforce], [placement_change, team_change], 0).astype(np.int64)
    savings = adjustment.set_index("line_code")["savings_adjustment"].reindex(codes).fillna(0).to_numpy(dtype=np.int64)
    outturn = actual + committed + change + savings
    budget = lines["annual_budget"].to_numpy(dtype=np.int64)
    var = variance(outturn, budget)
    frame = pd.DataFrame(
        {
            "scenario": scenario,
            "line_code": codes.to_numpy(dtype=object),
            "line_name": lines["line_name"].to_numpy(dtype=object),
            "service_area": lines["service_area"].to_numpy(dtype=object),
            "category": category.to_numpy(dtype=object),
            "method": lines["method"].to_numpy(dtype=object),
            "placement_type": lines["placement_type"].to_numpy(dtype=object),
            "team": lines["team"].to_numpy(dtype=object),
            "annual_budget": budget,
            "budget_numbers": lines["budget_numbers"].to_numpy(dtype=np.float64),
            "actual_ytd": actual,
            "committed_remaining": committed.astype(np.int64),
            "projected_change": change,
            "savings_adjustment": savings,
            "forecast_outturn": outturn.astype(np.int64),
            "variance": var,
            "variance_pct": variance_pct(var, budget),
        },
        columns=list(LINE_COLUMNS),
    )
    return frame
