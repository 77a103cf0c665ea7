"""Scenario assumptions as the engine sees them (FORECAST.md, Scenarios).

A scenario is a named, shared set of assumptions. `best`, `middle` and `worst` always exist and
`middle` is the reported forecast. Where a scenario leaves a value unset (None) the middle
scenario's value is used; `resolve_scenario` does that merge so that the rest of the engine
only ever sees complete assumptions.

Units: money in integer pence, weekly rates per week, percentages as given by users (3.1 means
3.1%), delivery rates as fractions (0.5 means 50%).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

# The three scenarios every authority has, in the order reports show them; the middle one is
# the reported forecast (the one published and compared across periods).
SCENARIO_ORDER = ("best", "middle", "worst")
REPORTED_SCENARIO = "middle"
# The methods that forecast by themselves; `auto` takes, per type, the one the authority's own
# back-test chose (`ChosenDemand`), which may also be the combination.
FORECAST_METHODS = ("commitments", "net_change", "trend", "growth", "statistical", "flow")
DEMAND_METHODS = (*FORECAST_METHODS, "auto")
CHOSEN_METHODS = (*FORECAST_METHODS, "combined")
# Methods whose 10th and 90th percentiles are what best and worst mean even when a scenario
# names them itself; for any other method named by best or worst, the scenario's own path.
BANDED_METHODS = ("statistical", "auto")
SAVING_STATUSES = ("achieved", "on_track", "at_risk", "undeliverable", "absorbed")
DEFAULT_DELIVERY_RATES: Mapping[str, float] = {
    "achieved": 1.0,
    "on_track": 1.0,
    "at_risk": 0.5,
    "undeliverable": 0.0,
}
ALL_TYPES = "*"  # key of the assumption that applies to every placement type not named


@dataclass(frozen=True)
class PlacementAssumption:
    demand_method: str | None = None
    net_change: float | None = None  # change in month-end number by the end of March
    new_unit_cost: int | None = None  # pence per week for new placements
    fee_uplift_pct: float | None = None  # 3.1 means +3.1% on gross weekly cost
    fee_uplift_from: date | None = None
    # Set by `resolve_scenario`: best or worst names its own demand method for the type (other
    # than the statistical or `auto`, whose percentiles are the point), so it keeps that path
    # instead of taking the 10th or 90th percentile of the middle scenario's.
    own_path: bool = False

    def merged_over(self, base: PlacementAssumption) -> PlacementAssumption:
        """This assumption with unset values taken from `base`."""
        return PlacementAssumption(
            demand_method=self.demand_method if self.demand_method is not None else base.demand_method,
            net_change=self.net_change if self.net_change is not None else base.net_change,
            new_unit_cost=self.new_unit_cost if self.new_unit_cost is not None else base.new_unit_cost,
            fee_uplift_pct=self.fee_uplift_pct if self.fee_uplift_pct is not None else base.fee_uplift_pct,
            fee_uplift_from=self.fee_uplift_from if self.fee_uplift_from is not None else base.fee_uplift_from,
        )


@dataclass(frozen=True)
class ChosenDemand:
    """What the authority's own back-test says, per placement type: the method it chose for
    `auto` (one of CHOSEN_METHODS; a type not named uses no change, net_change with Δ = 0) with
    its interval, and the interval of every method it scored, for a scenario that names one.
    Intervals are (low, high) ratios of the middle path by horizon (months after the as-at
    date, 1..12), calibrated from the method's own back-test errors: the one calibration."""

    methods: Mapping[str, str] = field(default_factory=dict)
    intervals: Mapping[str, Mapping[int, tuple[float, float]]] = field(default_factory=dict)
    method_intervals: Mapping[str, Mapping[str, Mapping[int, tuple[float, float]]]] = field(default_factory=dict)
    # How the total is reported (FORECAST.md, Accuracy; docs/engine/demand.md): None for the sum
    # of each type's path, else the method every type in `total_types` is forecast by, added up,
    # to which those types' `auto` paths are scaled month by month.
    total_method: str | None = None
    total_types: tuple[str, ...] = ()

    def method_of(self, placement_type: str) -> str:
        return self.methods.get(placement_type, "net_change")

    def interval_of(self, placement_type: str, method: str) -> Mapping[int, tuple[float, float]] | None:
        """The ratios of ``method`` for the type (`auto`: of the method chosen), or None."""
        if method == "auto":
            return self.intervals.get(placement_type)
        return self.method_intervals.get(placement_type, {}).get(method)


@dataclass(frozen=True)
class Scenario:
    name: str
    # by finance placement type code; ALL_TYPES applies to types not named
    placements: Mapping[str, PlacementAssumption] = field(default_factory=dict)
    # agency FTE at the end of March by team code; key None = overall target
    agency_targets: Mapping[str | None, float] = field(default_factory=dict)
    billable_factor: float | None = None
    # savings delivery rate by status, as a fraction
    delivery_rates: Mapping[str, float] = field(default_factory=dict)

    def placement_assumption(self, placement_type: str) -> PlacementAssumption:
        own = self.placements.get(placement_type, PlacementAssumption())
        return own.merged_over(self.placements.get(ALL_TYPES, PlacementAssumption()))


def resolve_scenario(scenario: Scenario, middle: Scenario, placement_types: list[str]) -> Scenario:
    """Fill every unset value of `scenario` from `middle`, then from the engine defaults.

    The engine default demand method is `commitments`, the billable factor 1.0 and the delivery
    rates those of FORECAST.md. The result names every placement type explicitly.
    """
    default = PlacementAssumption(demand_method="commitments")
    placements = {}
    for code in placement_types:
        middle_value = middle.placement_assumption(code).merged_over(default)
        own = scenario.placement_assumption(code)
        own_path = scenario.name != middle.name and own.demand_method not in (None, *BANDED_METHODS)
        placements[code] = replace(own.merged_over(middle_value), own_path=own_path)
    targets = dict(middle.agency_targets)
    targets.update(scenario.agency_targets)
    rates = dict(DEFAULT_DELIVERY_RATES)
    rates.update(middle.delivery_rates)
    rates.update(scenario.delivery_rates)
    billable = scenario.billable_factor
    if billable is None:
        billable = middle.billable_factor if middle.billable_factor is not None else 1.0
    return replace(
        scenario,
        placements=placements,
        agency_targets=targets,
        billable_factor=billable,
        delivery_rates=rates,
    )


def scenario_rank(name: str) -> int:
    """Where a scenario stands in reports: best, middle, worst, then any other."""
    return SCENARIO_ORDER.index(name) if name in SCENARIO_ORDER else len(SCENARIO_ORDER)
