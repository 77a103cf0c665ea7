"""EngineInputs.validate refuses impossible inputs in words a finance officer can act on;
inputs_hash fingerprints a run."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.inputs import EngineInputError, inputs_hash
from forecasting.engine.scenarios import PlacementAssumption, Scenario
from tests.forecasting.engine.test_run import budget_line, tiny_authority


def problems_of(**overrides: object) -> str:
    with pytest.raises(EngineInputError) as caught:
        tiny_authority(**overrides).validate()
    return str(caught.value)


def test_the_tiny_authority_is_valid() -> None:
    tiny_authority().validate()


def test_no_budget_lines_is_refused() -> None:
    empty = tiny_authority().budget_lines.iloc[0:0]
    assert "There are no budget lines for 2019/20. Import the budget" in problems_of(budget_lines=empty)


def test_a_line_with_no_budget_no_actuals_and_no_drivers_is_refused() -> None:
    budget = pd.concat(
        [
            tiny_authority().budget_lines,
            pd.DataFrame([budget_line("OT-MISC", "other", 0, line_name="Sundries")]),
        ],
        ignore_index=True,
    )
    message = problems_of(budget_lines=budget)
    assert "Budget line OT-MISC (Sundries) has no budget, no actuals to period 4 and no drivers" in message


def test_a_placements_line_with_no_budget_but_children_placed_is_fine() -> None:
    budget = tiny_authority().budget_lines.copy()
    budget.loc[budget["line_code"] == "PL-RES", "annual_budget"] = 0
    actuals = tiny_authority().actuals
    tiny_authority(budget_lines=budget, actuals=actuals[actuals["line_code"] != "PL-RES"]).validate()


def test_a_negative_unit_cost_in_a_scenario_is_refused() -> None:
    scenarios = [
        *tiny_authority().scenarios[:2],
        Scenario("worst", placements={"fostering_ifa": PlacementAssumption(new_unit_cost=-100)}),
    ]
    message = problems_of(scenarios=scenarios)
    assert "Scenario worst gives a negative weekly cost for new fostering_ifa placements ((£1.00))" in message


@pytest.mark.parametrize("factor", [0.0, -0.5, 1.51])
def test_a_billable_factor_outside_0_to_1_point_5_is_refused(factor: float) -> None:
    scenarios = [*tiny_authority().scenarios[:2], Scenario("worst", billable_factor=factor)]
    message = problems_of(scenarios=scenarios)
    assert f"Scenario worst has a billable factor of {factor}; it must be more than 0 and at most 1.5" in message


def test_a_billable_factor_of_exactly_1_point_5_is_allowed() -> None:
    scenarios = [*tiny_authority().scenarios[:2], Scenario("worst", billable_factor=1.5)]
    tiny_authority(scenarios=scenarios).validate()


def test_a_run_without_a_middle_scenario_is_refused() -> None:
    scenarios = [s for s in tiny_authority().scenarios if s.name != "middle"]
    assert "Scenario middle is missing: best, middle and worst must always exist" in problems_of(scenarios=scenarios)


def test_best_and_worst_must_exist_too() -> None:
    scenarios = [s for s in tiny_authority().scenarios if s.name == "middle"]
    assert "Scenario best, worst are missing" in problems_of(scenarios=scenarios)


@pytest.mark.parametrize("period", [-1, 13])
def test_a_period_outside_0_to_12_is_refused(period: int) -> None:
    message = problems_of(as_at_period=period)
    assert f"Period {period} does not exist: forecast as at period 0 (budget setting) to 12" in message


def test_staff_of_a_team_without_a_workforce_line_are_refused() -> None:
    workers = tiny_authority().workers.copy()
    workers.loc[0, "team"] = "MASH"
    assert "Staff or posts of team(s) MASH have no workforce budget line" in problems_of(workers=workers)


def test_placements_of_a_type_without_a_placements_line_are_refused() -> None:
    register = tiny_authority().placements.copy()
    register.loc[0, "placement_type"] = "secure"
    assert "Placements of type secure have no placements budget line" in problems_of(placements=register)


def test_a_monthly_profile_that_does_not_add_up_to_the_budget_is_refused() -> None:
    budget = tiny_authority().budget_lines.copy()
    budget["profile"] = budget["profile"].astype(object)
    budget.at[3, "profile"] = (500_000,) * 12  # 12 × £5,000 = £60,000, the budget: fine
    tiny_authority(budget_lines=budget).validate()
    budget.at[3, "profile"] = (500_000,) * 11 + (500_001,)
    assert "OT-LEGAL's monthly profile adds up to £60,000.01 but its annual budget is £60,000.00" in problems_of(
        budget_lines=budget
    )


def test_every_problem_is_reported_at_once() -> None:
    scenarios = [Scenario("middle", billable_factor=2.0)]
    with pytest.raises(EngineInputError) as caught:
        tiny_authority(as_at_period=14, scenarios=scenarios).validate()
    assert len(caught.value.problems) == 3  # the period, best/worst missing, the billable factor


# --------------------------------------------------------------------------------------------
# the inputs hash


def test_the_hash_does_not_depend_on_the_order_of_rows_columns_or_scenarios() -> None:
    inputs = tiny_authority()
    shuffled = replace(
        inputs,
        placements=inputs.placements.iloc[::-1].reset_index(drop=True),
        actuals=inputs.actuals.sample(frac=1.0, random_state=3)[["amount", "period", "line_code"]],
        workers=inputs.workers.iloc[[2, 0, 1]],
        scenarios=list(reversed(inputs.scenarios)),
    )
    assert inputs_hash(shuffled) == inputs_hash(inputs)
    assert len(inputs_hash(inputs)) == 64


def test_one_penny_anywhere_changes_the_hash() -> None:
    inputs = tiny_authority()
    register = inputs.placements.copy()
    register.loc[0, "weekly_cost"] = register.loc[0, "weekly_cost"] + 1  # £700.00 → £700.01
    assert inputs_hash(replace(inputs, placements=register)) != inputs_hash(inputs)
    actuals = inputs.actuals.copy()
    actuals.loc[0, "amount"] = actuals.loc[0, "amount"] - 1
    assert inputs_hash(replace(inputs, actuals=actuals)) != inputs_hash(inputs)


def test_an_assumption_or_the_period_changes_the_hash() -> None:
    inputs = tiny_authority()
    scenarios = [*inputs.scenarios[:2], replace(inputs.scenarios[2], billable_factor=0.91)]
    assert inputs_hash(replace(inputs, scenarios=scenarios)) != inputs_hash(inputs)
    assert inputs_hash(replace(inputs, as_at_period=5)) != inputs_hash(inputs)


def test_blank_dates_and_blank_numbers_hash_the_same_however_they_are_written() -> None:
    inputs = tiny_authority()
    budget = inputs.budget_lines.copy()
    budget["budget_numbers"] = budget["budget_numbers"].astype(object).where(budget["budget_numbers"].notna(), None)
    assert inputs_hash(replace(inputs, budget_lines=budget)) == inputs_hash(inputs)
    assert np.isnan(inputs.budget_lines["budget_numbers"].iloc[2])
