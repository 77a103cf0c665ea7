"""The medium-term forecast of one authority: reads the register, budget lines, savings profiles
and scenario settings, and hands them to the Django-free calculation (``demand.mtfp``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from accounts.models import Authority
from benchmarks import selectors as benchmark_selectors
from forecast_runs.demand.mtfp import (
    SCENARIOS,
    Blend,
    MtfpSettings,
    NumberPath,
    OtherLine,
    PlacementsLine,
    forecast_numbers,
    mtfp_table,
    plan_years,
)
from forecast_runs.demand.series import placement_series
from forecasting.engine.calendar import parse_year_label
from forecasting.engine.money import round_pence
from forecasting.models import BudgetLine, FinancialYear
from forecasting.scenarios import engine_scenarios
from placements.selectors import history_start, placement_register_frame, placement_types_frame
from savings.selectors import savings_frame


def published_31_march_numbers(authority: Authority) -> Mapping[int, int] | None:
    """The authority's published numbers of children looked after at 31 March (year -> number)
    from DfE's release, through its LA number; None when it has no link or no published year
    (the forecast then uses the register alone)."""
    return benchmark_selectors.published_31_march_numbers(authority) or None


@dataclass(frozen=True, eq=False)
class AuthorityMtfp:
    year: FinancialYear
    as_at: date
    paths: dict[str, NumberPath]
    settings: MtfpSettings
    table: pd.DataFrame
    service_areas: dict[str, str]
    blend: Blend | None  # None: the authority has no published 31 March numbers

    @property
    def used_published(self) -> bool:
        return self.blend is not None and self.blend.weight > 0


def as_at_of(year: FinancialYear) -> date:
    """The end of the latest period that is no longer open (the start of the year if none)."""
    closed = year.periods.exclude(status="open").order_by("-number").first()
    as_at: date = year.calendar.as_at_date(closed.number if closed else 0)
    return as_at


def authority_mtfp(*, authority: Authority, year: FinancialYear) -> AuthorityMtfp:
    as_at = as_at_of(year)
    first_year = parse_year_label(year.label)
    register = placement_register_frame(authority=authority)
    types = placement_types_frame()
    start = history_start(authority=authority, as_at=as_at).day
    history_from = start or (pd.Timestamp(register["start_date"].min()).date() if len(register) else as_at)
    numbers = placement_series(register, types, as_at=as_at, history_from=history_from, horizon=1)
    published = published_31_march_numbers(authority)
    forecast = forecast_numbers(numbers, first_year=first_year, published=published)
    paths = forecast.paths
    lines = [
        PlacementsLine(code, name, type_code)
        for code, name, type_code in BudgetLine.objects.filter(
            authority=authority, category="placements", placement_type__isnull=False
        )
        .order_by("code")
        .values_list("code", "name", "placement_type__code")
    ]
    areas = dict(
        BudgetLine.objects.filter(authority=authority, category="placements").values_list("code", "service_area__name")
    )
    weekly, shares = current_costs(register, as_at)
    savings = savings_by_year(authority, first_year)
    settings = MtfpSettings(
        first_year=first_year,
        weekly_costs=weekly,
        lines=lines,
        line_shares=shares,
        inflation=scenario_inflation(authority, list(weekly)),
        savings=savings,
        other_lines=other_lines_with_savings(authority, lines, savings),
    )
    table = mtfp_table(paths, settings)
    return AuthorityMtfp(year, as_at, paths, settings, table, areas, forecast.blend)


def current_costs(register: pd.DataFrame, as_at: date) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Average weekly net cost (pence, rounded once) of each type's placements open on
    ``as_at``, and each type's weekly net cost by line (for splitting a type across lines)."""
    if register.empty:
        return {}, {}
    day = pd.Timestamp(as_at)
    open_now = register[(register["start_date"] <= day) & (register["end_date"].isna() | (register["end_date"] > day))]
    net = open_now["weekly_cost"] - open_now["health_contribution"] - open_now["education_contribution"]
    frame = pd.DataFrame(
        {"type": open_now["placement_type"], "line": open_now["line_code"].fillna(""), "net": net.astype(np.int64)}
    )
    weekly = {str(t): round_pence(float(v)) for t, v in frame.groupby("type")["net"].mean().items()}
    shares: dict[str, dict[str, int]] = {}
    for (t, line), v in frame.groupby(["type", "line"])["net"].sum().items():
        if line:
            shares.setdefault(str(t), {})[str(line)] = int(v)
    return weekly, shares


def scenario_inflation(authority: Authority, types: list[str]) -> dict[str, dict[str, float]]:
    """Each scenario's fee uplift per type (% a year) where the authority has set one."""
    out: dict[str, dict[str, float]] = {}
    for scenario in engine_scenarios(authority=authority):
        if scenario.name not in SCENARIOS:
            continue
        for t in types:
            pct = scenario.placement_assumption(t).fee_uplift_pct
            if pct is not None:
                out.setdefault(scenario.name, {})[t] = float(pct)
    return out


def other_lines_with_savings(
    authority: Authority, lines: list[PlacementsLine], savings: dict[str, dict[str, int]]
) -> list[OtherLine]:
    """The authority's lines that are not placements lines (of a type) but have savings planned
    in a year of the plan, by code."""
    placements = {line.code for line in lines}
    codes = sorted({code for by_line in savings.values() for code, v in by_line.items() if v} - placements)
    names = dict(BudgetLine.objects.filter(authority=authority, code__in=codes).values_list("code", "name"))
    return [OtherLine(code, names.get(code, code)) for code in codes]


def savings_by_year(authority: Authority, first_year: int) -> dict[str, dict[str, int]]:
    """Planned savings (pence) by year of the plan and line, from each saving's current profile."""
    out: dict[str, dict[str, int]] = {}
    for label, _, _ in plan_years(first_year):
        frame = savings_frame(authority=authority, year_label=label)
        frame = frame[frame["line_code"].notna() & (frame["status"] != "absorbed")]
        out[label] = {str(k): int(v) for k, v in frame.groupby("line_code")["planned"].sum().items()}
    return out
