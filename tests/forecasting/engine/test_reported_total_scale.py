"""The total a run reports, scaled where the back-test chose to: each `auto` type's path times
f = T / S month by month, T every scaled type forecast by one method and added up, S their own
paths added up (docs/engine/placements.md, "The total a run reports"). Worked by hand; pence."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import project_placements
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption
from tests.forecasting.engine.conftest import placement, register

FY = FinancialYear(2019)
BOTH = ("fostering_ifa", "residential_external")


def _register() -> pd.DataFrame:
    # fostering: a new open placement on the 1st of every month from April 2018 (16 on 31 July
    # 2019); residential: four children placed on 1 April 2018, still there
    fostering = [placement(str(i), f"{2018 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}-01") for i in range(16)]
    residential = [placement(f"R{i}", "2018-04-01", placement_type="residential_external") for i in range(4)]
    return register([*fostering, *residential])


def _row(projection: object, code: str, period: int) -> pd.Series:
    frame = projection.by_type_month  # type: ignore[attr-defined]
    return frame[(frame["placement_type"] == code) & (frame["period"] == period)].iloc[0]


def _assumptions(residential: str = "auto") -> dict[str, PlacementAssumption]:
    return {
        "fostering_ifa": PlacementAssumption(demand_method="auto", new_unit_cost=70_000),
        "residential_external": PlacementAssumption(demand_method=residential, new_unit_cost=70_000),
    }


def _chosen(total_method: str | None) -> ChosenDemand:
    return ChosenDemand(
        methods={"fostering_ifa": "trend", "residential_external": "net_change"},
        total_method=total_method,
        total_types=BOTH if total_method else (),
    )


def test_the_types_paths_are_scaled_to_every_type_forecast_by_one_method(types: pd.DataFrame) -> None:
    unscaled = project_placements(_register(), types, FY, 4, _assumptions(), chosen=_chosen(None))
    scaled = project_placements(_register(), types, FY, 4, _assumptions(), chosen=_chosen("net_change"))
    # unscaled: fostering trend M_5 = 17, (16.5 − 16) × £700 × 31/7 = £1,550; residential stays at 4
    assert _row(unscaled, "fostering_ifa", 5)["projected_change"] == 155_000
    assert _row(unscaled, "residential_external", 5)["projected_change"] == 0
    # August: S = 17 + 4 = 21, T (no change for both) = 16 + 4 = 20, f = 20/21
    fostering, residential = _row(scaled, "fostering_ifa", 5), _row(scaled, "residential_external", 5)
    assert fostering["month_end_number"] == pytest.approx(17 * 20 / 21)
    assert residential["month_end_number"] == pytest.approx(4 * 20 / 21)
    assert fostering["month_end_number"] + residential["month_end_number"] == pytest.approx(20.0)
    # fostering N̂ = (16 + 16.190476)/2 = 16.095238: 0.095238 × £3,100 = £295.24
    assert fostering["projected_change"] == 29_524
    # residential N̂ = (4 + 3.809524)/2 = 3.904762 against C = 4: −£295.24
    assert residential["projected_change"] == -29_524
    # September: S = 18 + 4 = 22, f = 20/22; fostering M_6 = 18 × 20/22 = 16.363636
    assert _row(scaled, "fostering_ifa", 6)["month_end_number"] == pytest.approx(18 * 20 / 22)


def test_a_type_the_scenario_names_is_neither_scaled_nor_counted(types: pd.DataFrame) -> None:
    scaled = project_placements(
        _register(), types, FY, 4, _assumptions(residential="commitments"), chosen=_chosen("net_change")
    )
    # only fostering is `auto`: S = 17, T = 16, f = 16/17, so M_5 = 16 and N̂ = 16: no change
    assert _row(scaled, "fostering_ifa", 5)["month_end_number"] == pytest.approx(16.0)
    assert _row(scaled, "fostering_ifa", 5)["projected_change"] == 0
    assert _row(scaled, "residential_external", 5)["month_end_number"] == pytest.approx(4.0)


def test_best_and_worst_move_the_scaled_path_by_the_types_ratios(types: pd.DataFrame) -> None:
    chosen = ChosenDemand(
        methods={"fostering_ifa": "trend", "residential_external": "net_change"},
        intervals={"fostering_ifa": {1: (0.8, 1.25)}},
        total_method="net_change",
        total_types=BOTH,
    )
    best = project_placements(_register(), types, FY, 4, _assumptions(), interval="p10", chosen=chosen)
    # the scaled M_5 = 17 × 20/21 = 16.190476, times 0.8 = 12.952381
    assert _row(best, "fostering_ifa", 5)["month_end_number"] == pytest.approx(17 * 20 / 21 * 0.8)
