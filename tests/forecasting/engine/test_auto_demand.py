"""The `auto` demand method: each type forecast by the method the authority's own back-test
chose, best and worst by the calibrated interval ratios. Figures worked out by hand from
FORECAST.md (Placements); money in pence."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import project_placements
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption
from tests.forecasting.engine.conftest import placement, register

FY = FinancialYear(2019)
AUTO = {"fostering_ifa": PlacementAssumption(demand_method="auto", new_unit_cost=70_000)}


def _one_a_month() -> pd.DataFrame:
    # a new open placement on the 1st of every month from April 2018: 16 children on 31 July 2019
    return register([placement(str(i), f"{2018 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}-01") for i in range(16)])


def _row(projection: object, period: int) -> pd.Series:
    frame = projection.by_type_month  # type: ignore[attr-defined]
    return frame[(frame["placement_type"] == "fostering_ifa") & (frame["period"] == period)].iloc[0]


def test_auto_uses_the_chosen_method_and_the_ratios_drive_best_and_worst(types: pd.DataFrame) -> None:
    chosen = ChosenDemand(methods={"fostering_ifa": "trend"}, intervals={"fostering_ifa": {1: (0.8, 1.25)}})
    middle = project_placements(_one_a_month(), types, FY, 4, AUTO, chosen=chosen)
    best = project_placements(_one_a_month(), types, FY, 4, AUTO, interval="p10", chosen=chosen)
    worst = project_placements(_one_a_month(), types, FY, 4, AUTO, interval="p90", chosen=chosen)
    # trend: 1 a month → M_5 = 17, N̂(Aug) = (16 + 17)/2 = 16.5; (16.5 − 16) × £700 × 31/7 = £1,550
    assert _row(middle, 5)["projected_change"] == 155_000
    assert _row(middle, 5)["number_p10"] == pytest.approx(13.6)  # 17 × 0.8
    assert _row(middle, 5)["number_p90"] == pytest.approx(21.25)  # 17 × 1.25
    # best: M_5 = 13.6, N̂ = (16 + 13.6)/2 = 14.8; (14.8 − 16) × £3,100 = −£3,720.00
    assert _row(best, 5)["average_number"] == pytest.approx(14.8)
    assert _row(best, 5)["projected_change"] == -372_000
    # worst: M_5 = 21.25, N̂ = 18.625; 2.625 × £3,100 = £8,137.50
    assert _row(worst, 5)["projected_change"] == 813_750
    # no ratios for September: best keeps the middle path (M_6 = 18)
    assert _row(best, 6)["month_end_number"] == pytest.approx(18.0)
    used = middle.models_used.set_index("placement_type").loc["fostering_ifa"]
    assert used["demand_method"] == "auto" and used["chosen_method"] == "trend"


def test_auto_without_a_back_test_is_no_change_whatever_the_scenario_says(types: pd.DataFrame) -> None:
    reg = register(
        [placement("A", "2019-06-01", weekly=70_000), placement("B", "2019-06-01", "2020-03-16", weekly=70_000)]
    )
    assumptions = {"fostering_ifa": PlacementAssumption(demand_method="auto", net_change=5)}
    projection = project_placements(reg, types, FY, 11, assumptions)
    # as net_change Δ = 0: N̂(Mar) = 2, C = 46/31, (2 − 46/31) × £700 × 31/7 = £1,600.00
    assert _row(projection, 12)["projected_change"] == 160_000
    assert projection.models_used.set_index("placement_type").loc["fostering_ifa", "chosen_method"] == "net_change"


def test_auto_chosen_combination_is_the_mean_of_no_change_flow_and_statistical(types: pd.DataFrame) -> None:
    chosen = ChosenDemand(methods={"fostering_ifa": "combined"})
    projection = project_placements(_one_a_month(), types, FY, 4, AUTO, chosen=chosen)
    # no change 16, flow 17 (1 entry a month, no exits), statistical: 16 months is too few for a
    # seasonal model, so the mean of 1..16 = 8.5. M_5 = (16 + 17 + 8.5)/3 = 13.8333;
    # N̂ = (16 + 13.8333)/2 = 14.91667; (14.91667 − 16) × £3,100 = −£3,358.33
    assert _row(projection, 5)["month_end_number"] == pytest.approx(41.5 / 3)
    assert _row(projection, 5)["projected_change"] == -335_833
    assert projection.models_used.set_index("placement_type").loc["fostering_ifa", "model"] == "Combination"


def test_auto_chosen_commitments_moves_the_committed_numbers_by_the_ratios(types: pd.DataFrame) -> None:
    reg = register(
        [placement("A", "2019-06-01", weekly=70_000), placement("B", "2019-06-01", "2020-03-16", weekly=70_000)]
    )
    chosen = ChosenDemand(methods={"fostering_ifa": "commitments"}, intervals={"fostering_ifa": {1: (0.5, 1.5)}})
    assumptions = {"fostering_ifa": PlacementAssumption(demand_method="auto")}
    middle = project_placements(reg, types, FY, 11, assumptions, chosen=chosen)
    best = project_placements(reg, types, FY, 11, assumptions, interval="p10", chosen=chosen)
    worst = project_placements(reg, types, FY, 11, assumptions, interval="p90", chosen=chosen)
    # C(Mar) = 46/31: the middle is exactly the committed cost
    assert _row(middle, 12)["projected_change"] == 0
    # best N̂ = 46/31 × 0.5 = 23/31: (23/31 − 46/31) × £700 × 31/7 = −£2,300.00; worst +£2,300.00
    assert _row(best, 12)["projected_change"] == -230_000
    assert _row(worst, 12)["projected_change"] == 230_000
