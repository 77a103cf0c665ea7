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
from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
import pandas as pd

from forecasting.engine.scenarios import REPORTED_SCENARIO, SCENARIO_ORDER

from . import placements as placements_module
from .inputs import EngineInputError, EngineInputs
from .other_lines import normalise_method, other_lines_forecast
from .outturn_ranges import outturn_ranges
from .result import LINE_COLUMNS, EngineResult
from .savings import SavingsError, savings_adjustment_by_line, savings_delivery
from .scenarios import BANDED_METHODS, PlacementAssumption, Scenario, resolve_scenario
from .variance import VARIANCE_EXPLAINED_COLUMNS, variance, variance_explained, variance_pct
from .workforce import WorkforceBase, WorkforceError, forecast_workforce, prepare_workforce

ENGINE_VERSION = "1.0.0"
# FORECAST.md, Scenarios: for cost, best = fewer children = the 10th percentile of the middle
# scenario's demand (its calibrated interval, or the statistical model's own band), worst = the
# 90th, unless the scenario names its own demand method for the type.
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
    memo: placements_module.RegisterMemo  # the register read once for every projection


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _prepare(inputs: EngineInputs) -> _Prepared:
    lines = _normalised_lines(inputs.budget_lines)
    actual_ytd = _actual_ytd(inputs.actuals, inputs.as_at_period)
    others = lines[lines["category"].isin(["other", "income"])]
    other = other_lines_forecast(others, actual_ytd, inputs.as_at_period)
    type_lines, team_lines = _type_and_team_lines(lines)
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
        memo=placements_module.RegisterMemo(register, inputs.placement_types),
    )


def _normalised_lines(budget_lines: pd.DataFrame) -> pd.DataFrame:
    """The budget lines with every column present, text trimmed and the method of each line:
    placements and workforce lines are forecast from their drivers."""
    raw = budget_lines.reset_index(drop=True)
    n = len(raw)

    def column(name: str) -> pd.Series:
        return raw[name] if name in raw.columns else pd.Series([None] * n, dtype=object)

    category = column("category").map(lambda v: (_text_or_none(v) or "").lower())
    method = [
        cat if cat in ("placements", "workforce") else normalise_method(m)
        for cat, m in zip(category, column("method"), strict=True)
    ]
    return pd.DataFrame(
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


def _actual_ytd(actuals: pd.DataFrame, as_at_period: int) -> pd.Series:
    """Ledger actuals of periods 1..p by line code, pence."""
    periods = pd.to_numeric(actuals["period"], errors="coerce")
    used = actuals[periods.between(1, as_at_period)]  # periods after the as-at period are ignored
    return (
        pd.to_numeric(used["amount"]).astype(np.int64).groupby(used["line_code"].astype(str)).sum()
        if len(used)
        else pd.Series(dtype=np.int64)
    )


def _type_and_team_lines(lines: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Placement type → its placements line, and team → its workforce line."""
    type_lines: dict[str, str] = {}
    for code, cat, kind in zip(lines["line_code"], lines["category"], lines["placement_type"], strict=True):
        if cat == "placements" and kind is not None:
            type_lines.setdefault(kind, code)  # the first placements line of a type is its line
    team_lines = {
        team: code
        for code, cat, team in zip(lines["line_code"], lines["category"], lines["team"], strict=True)
        if cat == "workforce" and team is not None
    }
    return type_lines, team_lines


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
    watch = _Stopwatch()
    inputs.validate()
    watch.lap("validate")
    p = int(inputs.as_at_period)
    prepared = _prepare(inputs)
    scenarios = _ordered(list(inputs.scenarios))
    middle = next(s for s in scenarios if s.name == REPORTED_SCENARIO)
    resolved = [resolve_scenario(s, middle, prepared.type_codes) for s in scenarios]
    run = _Run(
        inputs=inputs,
        prepared=prepared,
        resolved_middle=next(s for s in resolved if s.name == REPORTED_SCENARIO),
        line_methods=_line_methods(prepared, p),
    )
    watch.lap("prepare")
    base = prepare_workforce(inputs.workers, inputs.posts, inputs.year, p, teams=sorted(prepared.team_lines))
    watch.lap("workforce")
    frames = [_forecast_scenario(run, scenario, base, watch) for scenario in resolved]
    reported = next(f for f, s in zip(frames, resolved, strict=True) if s.name == REPORTED_SCENARIO)
    ranges = _outturn_ranges(run, reported)
    watch.lap("placements")
    result = EngineResult(
        lines=_stacked([f.lines for f in frames], LINE_COLUMNS),
        placements=_stacked([f.placements for f in frames]),
        workforce=_stacked([f.workforce for f in frames]),
        savings=_stacked([f.savings for f in frames]),
        variance_explained=_stacked([f.variance_explained for f in frames], VARIANCE_EXPLAINED_COLUMNS),
        models_used=_stacked([f.models_used for f in frames]),
        engine_version=ENGINE_VERSION,
        outturn_ranges=ranges,
        timings=watch.timings,
    )
    watch.lap("assemble")
    watch.stop()
    return result


class _Stopwatch:
    """Seconds spent in each stage of a run, added up over the scenarios."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._started = self._clock = perf_counter()

    def lap(self, stage: str) -> None:
        now = perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._clock)
        self._clock = now

    def stop(self) -> None:
        self.timings["total"] = perf_counter() - self._started


@dataclass(eq=False)
class _Run:
    """What the scenarios of one run share, and the placement projections already made."""

    inputs: EngineInputs
    prepared: _Prepared
    resolved_middle: Scenario
    line_methods: dict[str, str]
    projections: dict[object, placements_module.PlacementProjection] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _ScenarioFrames:
    """One scenario's share of each frame of the result."""

    lines: pd.DataFrame
    placements: pd.DataFrame
    workforce: pd.DataFrame
    savings: pd.DataFrame
    variance_explained: pd.DataFrame
    models_used: pd.DataFrame


def _forecast_scenario(run: _Run, scenario: Scenario, base: WorkforceBase, watch: _Stopwatch) -> _ScenarioFrames:
    """Placements, workforce, savings and the lines of one (resolved) scenario."""
    projection = _placement_projection(run, scenario)
    watch.lap("placements")
    try:
        workforce = forecast_workforce(
            base,
            billable_factor=float(scenario.billable_factor if scenario.billable_factor is not None else 1.0),
            agency_targets=scenario.agency_targets,
            past_billable_factor=run.resolved_middle.billable_factor,
        )
    except WorkforceError as error:
        raise EngineInputError(f"Scenario {scenario.name}: {error}.") from error
    watch.lap("workforce")
    try:
        delivery = savings_delivery(
            run.inputs.savings,
            year_label=run.inputs.year.label,
            delivery_rates=scenario.delivery_rates,
            line_methods=run.line_methods,
        )
    except SavingsError as error:
        raise EngineInputError(f"Scenario {scenario.name}: {error}.") from error
    adjustment = savings_adjustment_by_line(delivery)
    watch.lap("savings")
    lines = _scenario_lines(run.prepared, scenario.name, projection, workforce.by_team, adjustment)
    placement_lines = lines[lines["category"] == "placements"]
    frames = _ScenarioFrames(
        lines=lines,
        placements=projection.by_type_month.assign(scenario=scenario.name),
        workforce=workforce.by_team_month.assign(scenario=scenario.name),
        savings=delivery.assign(scenario=scenario.name),
        variance_explained=variance_explained(placement_lines, projection.by_line, scenario=scenario.name),
        models_used=projection.models_used.assign(scenario=scenario.name),
    )
    watch.lap("lines")
    return frames


def _outturn_ranges(run: _Run, reported: _ScenarioFrames) -> pd.DataFrame:
    """The reported scenario's likely range by placements line and for the department: its
    projection again with the p10 and the p90 paths, every other assumption unchanged."""
    middle = run.resolved_middle
    return outturn_ranges(
        reported.lines,
        scenario=middle.name,
        middle_by_line=_placement_projection(run, middle).by_line,
        p10_by_line=_placement_projection(run, middle, interval="p10").by_line,
        p90_by_line=_placement_projection(run, middle, interval="p90").by_line,
    )


def _placement_projection(
    run: _Run, scenario: Scenario, *, interval: str | None = None
) -> placements_module.PlacementProjection:
    """The scenario's placement projection (with the scenario's interval unless `interval` is
    given); scenarios with the same placement assumptions (and, for the statistical and auto
    methods, the same interval) share one."""
    assumptions: Mapping[str, PlacementAssumption] = scenario.placements
    interval = interval or SCENARIO_INTERVAL.get(scenario.name, "middle")
    banded = run.inputs.chosen_demand is not None or any(
        a.demand_method in BANDED_METHODS for a in assumptions.values()
    )
    key = (tuple(sorted(assumptions.items())), interval if banded else "middle")
    projection = run.projections.get(key)
    if projection is None:
        inputs = run.inputs
        projection = placements_module.project_placements(
            run.prepared.register,
            inputs.placement_types,
            inputs.year,
            int(inputs.as_at_period),
            assumptions,
            interval=interval,
            chosen=inputs.chosen_demand,
            history_from=inputs.history_from,
            high_cost_threshold=inputs.high_cost_threshold,
            type_lines=run.prepared.type_lines,
            memo=run.prepared.memo,
        )
        run.projections[key] = projection
    return projection


def _stacked(frames: list[pd.DataFrame], columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The scenarios' frames one under the other, `scenario` first."""
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns or ()))
    ordered = ["scenario", *[c for c in frame.columns if c != "scenario"]]
    return frame[ordered]


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
