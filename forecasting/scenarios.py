"""Scenario assumptions: the authority's stored rows <-> the engine's Scenario objects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import wording
from accounts.models import Authority
from forecasting.engine.scenarios import ALL_TYPES, PlacementAssumption
from forecasting.engine.scenarios import Scenario as EngineScenario
from forecasting.models import Scenario, ScenarioAssumption

DELIVERY_FIELDS = {
    "achieved": "delivery_achieved_pct",
    "on_track": "delivery_on_track_pct",
    "at_risk": "delivery_at_risk_pct",
    "undeliverable": "delivery_undeliverable_pct",
}
FILE_COLUMNS = (
    "scenario",
    "placement_type",
    "demand_method",
    "net_change",
    "new_unit_cost",
    "fee_uplift_pct",
    "fee_uplift_from",
    "agency_target_fte",
    "team",
    "billable_factor",
    *DELIVERY_FIELDS.values(),
)


def scenarios_ensure(*, authority: Authority) -> list[Scenario]:
    """best, middle and worst always exist for an authority."""
    descriptions = {
        "best": "Fewer children and lower costs than expected",
        "middle": "The reported forecast",
        "worst": "More children and higher costs than expected",
    }
    for name in Scenario.REQUIRED:
        Scenario.objects.get_or_create(authority=authority, name=name, defaults={"description": descriptions[name]})
    return list(Scenario.objects.filter(authority=authority))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def engine_scenarios(*, authority: Authority) -> list[EngineScenario]:
    """The authority's scenarios as the engine takes them (later rows override earlier ones)."""
    result = []
    rows_by_scenario: dict[int, list[ScenarioAssumption]] = {}
    for row in ScenarioAssumption.objects.filter(scenario__authority=authority).order_by("id"):
        rows_by_scenario.setdefault(row.scenario_id, []).append(row)
    for scenario in scenarios_ensure(authority=authority):
        placements: dict[str, PlacementAssumption] = {}
        targets: dict[str | None, float] = {}
        billable: float | None = None
        rates: dict[str, float] = {}
        for row in rows_by_scenario.get(scenario.pk, []):
            key = row.placement_type or ALL_TYPES
            own = PlacementAssumption(
                demand_method=row.demand_method or None,
                net_change=_float(row.net_change),
                new_unit_cost=row.new_unit_cost,
                fee_uplift_pct=_float(row.fee_uplift_pct),
                fee_uplift_from=row.fee_uplift_from,
            )
            if own != PlacementAssumption():
                placements[key] = own.merged_over(placements.get(key, PlacementAssumption()))
            if row.agency_target_fte is not None:
                targets[row.team or None] = float(row.agency_target_fte)
            if row.billable_factor is not None:
                billable = float(row.billable_factor)
            for status, field in DELIVERY_FIELDS.items():
                value = getattr(row, field)
                if value is not None:
                    rates[status] = float(value) / 100
        result.append(
            EngineScenario(
                name=scenario.name,
                placements=placements,
                agency_targets=targets,
                billable_factor=billable,
                delivery_rates=rates,
            )
        )
    return result


def scenario_rows(*, authority: Authority) -> list[dict[str, Any]]:
    """Every assumption row as the `scenarios` file writes it (for export and for run records)."""
    rows = []
    for row in ScenarioAssumption.objects.filter(scenario__authority=authority).select_related("scenario"):
        record: dict[str, Any] = {"scenario": row.scenario.name}
        for name in FILE_COLUMNS[1:]:
            value = getattr(row, name)
            if name == "new_unit_cost" and value is not None:
                value = f"{Decimal(value) / 100:.2f}"
            elif isinstance(value, Decimal):
                value = format(value.normalize(), "f")
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            record[name] = "" if value is None else value
        rows.append(record)
    return rows


SAVINGS_WORDS = {
    "delivery_achieved_pct": "Savings achieved delivered",
    "delivery_on_track_pct": "Savings on track delivered",
    "delivery_at_risk_pct": "Savings at risk delivered",
    "delivery_undeliverable_pct": "Savings undeliverable delivered",
}


def _value(row: Any, name: str) -> Any:
    value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
    return None if value in ("", None) else value


def _date_words(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return wording.date_text(value)
    try:
        return wording.date_text(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def assumption_words(row: Any, type_names: dict[str, str]) -> str:
    """One assumption row (a `scenarios` file row as recorded on a run, or a stored row) in the
    councils' words: "Independent fostering agency: fee uplift 2.5% from 1 October 2019",
    "Agency workers by March: 50", "Savings at risk delivered: 75.0%"."""
    parts: list[str] = []
    code = _value(row, "placement_type")
    applies = type_names.get(str(code), str(code)) if code else "Every placement type"
    method = _value(row, "demand_method")
    placement: list[str] = []
    net_change = _value(row, "net_change")
    if method and not (method == "net_change" and net_change is not None):
        placement.append(f"method: {ScenarioAssumption.DemandMethod(method).label.lower()}")
    if net_change is not None:
        placement.append(f"net change {wording.decimal_count(net_change)} by March")
    cost = _value(row, "new_unit_cost")
    if cost is not None:
        pence = cost if isinstance(cost, int) else round(Decimal(str(cost)) * 100)
        placement.append(f"new placements {wording.money(int(pence), 2)} a week")
    if _value(row, "fee_uplift_pct") is not None:
        start = _value(row, "fee_uplift_from")
        placement.append(
            f"fee uplift {wording.percent(_value(row, 'fee_uplift_pct'))}"
            + (f" from {_date_words(start)}" if start else "")
        )
    if placement:
        parts.append(f"{applies}: {'; '.join(placement)}")
    if _value(row, "agency_target_fte") is not None:
        team = _value(row, "team")
        who = f"Agency workers in team {team}" if team else "Agency workers"
        parts.append(f"{who} by March: {wording.decimal_count(_value(row, 'agency_target_fte'))}")
    if _value(row, "billable_factor") is not None:
        parts.append(
            f"Share of agency time billed: {wording.percent(Decimal(str(_value(row, 'billable_factor'))) * 100)}"
        )
    for name, words in SAVINGS_WORDS.items():
        if _value(row, name) is not None:
            parts.append(f"{words}: {wording.percent(_value(row, name))}")
    return "; ".join(parts)
