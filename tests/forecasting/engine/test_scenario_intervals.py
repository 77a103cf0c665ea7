"""Best and worst default to the calibrated interval of the middle scenario's demand, for every
method (FORECAST.md, Scenarios and Accuracy), unless they name a demand method of their own."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import project_placements
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption, Scenario, resolve_scenario
from tests.forecasting.engine.conftest import register_from_path

FY = FinancialYear(2019)


def test_best_and_worst_take_the_middle_path_only_when_they_name_their_own_method() -> None:
    middle = Scenario("middle", {"*": PlacementAssumption(demand_method="trend")})
    best = Scenario(
        "best",
        {
            "fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=-5),
            "secure": PlacementAssumption(demand_method="statistical"),
        },
    )
    types = ["adoption", "fostering_ifa", "secure"]
    resolved = resolve_scenario(best, middle, types).placements
    assert resolved["adoption"].demand_method == "trend" and not resolved["adoption"].own_path  # inherited
    assert resolved["fostering_ifa"].own_path  # its own net change: its own path
    assert not resolved["secure"].own_path  # the statistical method's percentiles are the point
    assert not any(a.own_path for a in resolve_scenario(middle, middle, types).placements.values())


def _ifa(projection: object) -> pd.DataFrame:
    frame = projection.by_type_month  # type: ignore[attr-defined]
    return frame[(frame["placement_type"] == "fostering_ifa") & (frame["period"] > 4)]


def test_every_method_takes_the_calibrated_ratios_of_its_own_back_test(types: pd.DataFrame) -> None:
    # 24 months rising by one child a month, 20 to 43: trend goes on to 44, 45, ... from August
    reg = register_from_path(list(range(20, 44)), date(2017, 8, 1))
    trend = {"fostering_ifa": PlacementAssumption(demand_method="trend", new_unit_cost=70_000)}
    chosen = ChosenDemand(method_intervals={"fostering_ifa": {"trend": {h: (0.8, 1.25) for h in range(1, 13)}}})
    middle = _ifa(project_placements(reg, types, FY, 4, trend, chosen=chosen))
    worst = _ifa(project_placements(reg, types, FY, 4, trend, interval="p90", chosen=chosen))
    assert middle["month_end_number"].tolist()[:3] == pytest.approx([44, 45, 46])
    assert middle["number_p10"].tolist() == pytest.approx((0.8 * middle["month_end_number"]).tolist())
    # worst: 1.25 times the trend: 55, 56.25, 57.5 ...
    assert worst["month_end_number"].tolist()[:3] == pytest.approx([55, 56.25, 57.5])
    assert worst["projected_change"].sum() > middle["projected_change"].sum()
    # the same method named by the worst scenario itself keeps its own path
    own = {"fostering_ifa": PlacementAssumption(demand_method="trend", new_unit_cost=70_000, own_path=True)}
    kept = _ifa(project_placements(reg, types, FY, 4, own, interval="p90", chosen=chosen))
    assert kept["month_end_number"].tolist() == pytest.approx(middle["month_end_number"].tolist())
    # without a back-test a trend has no interval, and worst is the middle path
    plain = _ifa(project_placements(reg, types, FY, 4, trend, interval="p90"))
    assert plain["month_end_number"].tolist() == pytest.approx(middle["month_end_number"].tolist())
    assert np.isnan(plain["number_p90"].to_numpy(dtype=float)).all()
