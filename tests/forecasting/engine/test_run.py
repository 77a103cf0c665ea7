"""run_engine over a tiny authority, every figure worked out by hand (FORECAST.md).

The authority, 2019/20 as at period 4 (31 July 2019; 8 months left: Aug 31, Sep 30, Oct 31,
Nov 30, Dec 31, Jan 31, Feb 29 (leap year), Mar 31 = 244 days):

- PL-IFA, independent fostering, budget £52,000 for 1.5 children; ledger £29,000 to July.
  Child A, £700 a week (£100 a day) since 1 January 2018, no end: Aug..Mar 244 × £100 = £24,400.
  Child B, £700 a week from 1 April 2019, end date 1 September 2019 (exclusive, so 31 August
  is the last night): August 31 × £100 = £3,100. Committed £27,500.
- PL-RES, external residential, budget £120,000 for 1 child; ledger £50,000 to July.
  Child C, £3,500 a week less £700 health = £2,800 net (£400 a day), born 15 January 2002, so
  the placement ends on the 18th birthday, 15 January 2020 (exclusive): Aug..Dec 153 days +
  14 days of January = 167 × £400 = £66,800 committed.
- WF-CP, team CP, budget £100,000; ledger £32,000 to July.
  W1 permanent £36,000 (£3,000 a month): 8 × £3,000 = £24,000.
  W2 permanent £42,000 (£3,500 a month), last day 15 November 2019: Aug..Oct £10,500 +
  November £3,500 × 15/30 = £1,750 → £12,250.
  A1 agency £980 a week (£140 a day) × billable factor.
- OT-LEGAL, other, profile, budget £60,000; ledger £18,000 → + £60,000 × 8/12 = £40,000.
- INC-HEALTH, income, run_rate, budget −£120,000; ledger −£30,000 (and −£9,999.99 in period 5,
  after the as-at period, which is ignored) → + (−£30,000 / 4) × 8 = −£60,000 → −£90,000.
- Savings: S1 on OT-LEGAL (profile), at risk, planned £10,000, no forecast given;
  S2 on PL-IFA (a driver line), on track, planned £20,000, forecast delivery £15,000.
- Scenarios: middle commitments for every type, billable factor 0.9; best billable 0.85 and at
  risk savings delivered in full; worst +2 IFA children by March at £800 a week, agency in team
  CP down to 0 by March, at risk savings not delivered.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.inputs import EngineInputError, EngineInputs
from forecasting.engine.result import EXPORT_COLUMNS, to_export_frames
from forecasting.engine.run import ENGINE_VERSION, run_engine
from forecasting.engine.scenarios import PlacementAssumption, Scenario

FY = FinancialYear.from_label("2019/20")
T = pd.Timestamp


def budget_line(code: str, category: str, budget: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "line_code": code,
        "line_name": code.title(),
        "service_area": "Children's Services",
        "category": category,
        "placement_type": None,
        "team": None,
        "method": None,
        "annual_budget": budget,
        "budget_numbers": np.nan,
        "profile": None,
    }
    row.update(values)
    return row


def placement(
    ref: str, child: str, dob: str, kind: str, start: str, end: str | None, weekly: int, health: int = 0
) -> dict[str, Any]:
    return {
        "placement_ref": ref,
        "child_ref": child,
        "child_dob": T(dob),
        "placement_type": kind,
        "start_date": T(start),
        "end_date": T(end) if end else pd.NaT,
        "planned_end_date": pd.NaT,
        "weekly_cost": weekly,
        "health_contribution": health,
        "education_contribution": 0,
        "uasc": False,
        "line_code": None,
    }


def worker(ref: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "worker_ref": ref,
        "team": "CP",
        "post_ref": None,
        "worker_type": "permanent",
        "fte": 1.0,
        "start_date": T("2015-01-05"),
        "end_date": pd.NaT,
        "annual_cost": 0,
        "weekly_rate": 0,
        "agency_reason": None,
        "absence": None,
        "caseload": np.nan,
        "asye": False,
    }
    row.update(values)
    return row


def tiny_authority(**overrides: Any) -> EngineInputs:
    budget = pd.DataFrame(
        [
            budget_line("PL-IFA", "placements", 5_200_000, placement_type="fostering_ifa", budget_numbers=1.5),
            budget_line("PL-RES", "placements", 12_000_000, placement_type="residential_external", budget_numbers=1.0),
            budget_line("WF-CP", "workforce", 10_000_000, team="CP"),
            budget_line("OT-LEGAL", "other", 6_000_000, method="profile"),
            budget_line("INC-HEALTH", "income", -12_000_000, method="run_rate"),
        ]
    )
    ledger = {
        "PL-IFA": 725_000,
        "PL-RES": 1_250_000,
        "WF-CP": 800_000,
        "OT-LEGAL": 450_000,
        "INC-HEALTH": -750_000,
    }
    actuals = pd.DataFrame(
        [(code, period, amount) for code, amount in ledger.items() for period in range(1, 5)]
        + [("INC-HEALTH", 5, -999_999)],
        columns=["line_code", "period", "amount"],
    )
    register = pd.DataFrame(
        [
            placement("P1", "A", "2010-05-01", "fostering_ifa", "2018-01-01", None, 70_000),
            placement("P2", "B", "2011-05-01", "fostering_ifa", "2019-04-01", "2019-09-01", 70_000),
            placement("P3", "C", "2002-01-15", "residential_external", "2017-06-01", None, 350_000, health=70_000),
        ]
    )
    types = pd.DataFrame({"code": ["fostering_ifa", "residential_external"], "continues_after_18": [False, False]})
    posts = pd.DataFrame(
        {
            "post_ref": ["CP1", "CP2", "CP3"],
            "team": ["CP"] * 3,
            "fte": [1.0] * 3,
            "annual_cost": [4_000_000] * 3,
        }
    )
    workers = pd.DataFrame(
        [
            worker("W1", annual_cost=3_600_000),
            worker("W2", annual_cost=4_200_000, end_date=T("2019-11-15")),
            worker("A1", worker_type="agency", weekly_rate=98_000, agency_reason="vacancy"),
        ]
    )
    savings = pd.DataFrame(
        [
            {
                "ref": "S1",
                "title": "Legal spend",
                "line_code": "OT-LEGAL",
                "status": "at_risk",
                "rag": "amber",
                "programme": None,
                "planned": 1_000_000,
                "forecast_delivery": pd.NA,
            },
            {
                "ref": "S2",
                "title": "Fewer IFA",
                "line_code": "PL-IFA",
                "status": "on_track",
                "rag": "green",
                "programme": None,
                "planned": 2_000_000,
                "forecast_delivery": 1_500_000,
            },
        ]
    )
    scenarios = [
        Scenario("middle", placements={"*": PlacementAssumption(demand_method="commitments")}, billable_factor=0.9),
        Scenario("best", billable_factor=0.85, delivery_rates={"at_risk": 1.0}),
        Scenario(
            "worst",
            placements={
                "fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=2, new_unit_cost=80_000)
            },
            agency_targets={"CP": 0.0},
            delivery_rates={"at_risk": 0.0},
        ),
    ]
    values: dict[str, Any] = {
        "year": FY,
        "as_at_period": 4,
        "budget_lines": budget,
        "actuals": actuals,
        "placements": register,
        "placement_types": types,
        "posts": posts,
        "workers": workers,
        "savings": savings,
        "scenarios": scenarios,
    }
    values.update(overrides)
    return EngineInputs(**values)


@pytest.fixture(scope="module")
def result() -> Any:
    return run_engine(tiny_authority())


def line(result: Any, scenario: str, code: str) -> pd.Series:
    lines = result.lines
    return lines[(lines["scenario"] == scenario) & (lines["line_code"] == code)].iloc[0]


def test_the_middle_headline_outturn_is_the_sum_of_the_hand_computed_lines(result: Any) -> None:
    # PL-IFA   £29,000 + £27,500                                       = £56,500.00
    # PL-RES   £50,000 + £66,800                                       = £116,800.00
    # WF-CP    £32,000 + £24,000 + £12,250 + agency 244 × £140 × 0.9 (£126 a day, £30,744)
    #                                                                  = £98,994.00
    # OT-LEGAL £18,000 + £40,000 + shortfall (£10,000 − 50% = £5,000)  = £63,000.00
    # INC      −£30,000 − £60,000                                      = −£90,000.00
    # Total £245,294.00 against budget £212,000.00 → variance +£33,294.00.
    headline = result.headline().set_index("scenario")
    assert headline.loc["middle", "forecast_outturn"] == 24_529_400
    assert headline.loc["middle", "annual_budget"] == 21_200_000
    assert headline.loc["middle", "variance"] == 3_329_400


def test_the_best_headline_outturn_has_cheaper_agency_and_every_at_risk_saving_delivered(result: Any) -> None:
    # Middle £245,294.00 − agency at 0.85 instead of 0.9 (244 × £140 × 0.05 = £1,708.00)
    # − the S1 shortfall (£5,000.00, now 0) = £238,586.00.
    headline = result.headline().set_index("scenario")
    assert headline.loc["best", "forecast_outturn"] == 23_858_600
    assert line(result, "best", "WF-CP")["committed_remaining"] == 2_400_000 + 1_225_000 + 2_903_600


def test_the_worst_headline_outturn_adds_ifa_growth_removes_agency_and_loses_the_at_risk_saving(
    result: Any,
) -> None:
    # IFA net change +2: M_t = 2 + (t − 4)/4, N̂ = 2 + (t − 4.5)/4, C = 2 in August then 1.
    # (N̂ − C) × £800 × days / 7:  Aug 0.125 × 31 → 44,285.71 → 44,286; Sep 1.375 × 30 → 471,429;
    # Oct 1.625 × 31 → 575,714; Nov 1.875 × 30 → 642,857; Dec 2.125 × 31 → 752,857;
    # Jan 2.375 × 31 → 841,429; Feb 2.625 × 29 → 870,000; Mar 2.875 × 31 → 1,018,571;
    # total 5,217,143p.
    # Agency 1 → 0 FTE: N̂ − C = −(t − 4.5)/8; × £980 × days/7 × 0.9 = −1,575p × (t − 4.5) × days:
    # −24,412.5 → −24,413; −70,875; −122,062.5 → −122,063; −165,375; −219,712.5 → −219,713;
    # −268,537.5 → −268,538; −296,887.5 → −296,888; −366,187.5 → −366,188; total −1,534,053p.
    # S1 shortfall £10,000 (0% delivered), £5,000 more than middle.
    # 24,529,400 + 5,217,143 − 1,534,053 + 500,000 = 28,712,490p = £287,124.90.
    assert line(result, "worst", "PL-IFA")["projected_change"] == 5_217_143
    assert line(result, "worst", "WF-CP")["projected_change"] == -1_534_053
    headline = result.headline().set_index("scenario")
    assert headline.loc["worst", "forecast_outturn"] == 28_712_490


def test_every_line_shows_how_its_outturn_is_made_up(result: Any) -> None:
    ifa = line(result, "middle", "PL-IFA")
    assert (ifa["actual_ytd"], ifa["committed_remaining"], ifa["projected_change"]) == (
        2_900_000,
        2_750_000,
        0,
    )
    res = line(result, "middle", "PL-RES")
    assert res["committed_remaining"] == 6_680_000  # ends on the 18th birthday, 15 January 2020
    legal = line(result, "middle", "OT-LEGAL")
    assert (legal["committed_remaining"], legal["savings_adjustment"], legal["forecast_outturn"]) == (
        4_000_000,
        500_000,
        6_300_000,
    )
    income = line(result, "middle", "INC-HEALTH")
    assert income["actual_ytd"] == -3_000_000  # period 5 is after the as-at period: ignored
    assert income["forecast_outturn"] == -9_000_000
    for _, row in result.lines.iterrows():
        parts = row["actual_ytd"] + row["committed_remaining"] + row["projected_change"] + row["savings_adjustment"]
        assert row["forecast_outturn"] == parts
        assert row["variance"] == row["forecast_outturn"] - row["annual_budget"]


def test_a_shortfall_on_a_driver_line_is_reported_but_not_added_again(result: Any) -> None:
    savings = result.savings[result.savings["scenario"] == "middle"].set_index("ref")
    assert savings.loc["S2", "shortfall"] == 500_000
    assert not savings.loc["S2", "added_to_outturn"]
    assert line(result, "middle", "PL-IFA")["savings_adjustment"] == 0
    assert savings.loc["S1", "added_to_outturn"]


def test_income_under_recovered_is_a_positive_variance_on_the_income_line(result: Any) -> None:
    # −£90,000 − (−£120,000) = +£30,000, 25.00% of |−£120,000|.
    income = line(result, "middle", "INC-HEALTH")
    assert income["variance"] == 3_000_000
    assert income["variance_pct"] == pytest.approx(25.0)


def test_variance_explained_splits_the_ifa_line_into_volume_price_and_other(result: Any) -> None:
    # Child-days 2019/20: A 366, B 153 (1 April – 31 August) = 519 → FYE 519/364 = 1.425824.
    # Register cost £51,900 (519 × £100). u = 5,200,000 / (1.5 × 52) = 66,666.67p a week.
    # Volume = (519/364 − 1.5) × 5,200,000 / 1.5 = −257,142.86p = −£2,571.43 → −£2,571.
    # Price = 5,190,000 − 5,200,000 × (519/364)/1.5 = 247,142.86p = £2,471.43 → £2,471.
    # Other = 450,000 + 257,100 − 247,100 = 460,000 (ledger £56,500 above register £51,900).
    explained = result.variance_explained
    row = explained[(explained["scenario"] == "middle") & (explained["line_code"] == "PL-IFA")].iloc[0]
    assert (row["volume"], row["price"], row["other"], row["variance"]) == (
        -257_100,
        247_100,
        460_000,
        450_000,
    )
    # All of it is children already placed: the register's 519 child-days and £51,900.
    assert row["placed_fye_number"] == pytest.approx(519 / 364)
    assert (row["placed_net_cost"], row["forecast_placement_cost"]) == (5_190_000, 5_190_000)


def test_the_workforce_table_shows_each_month_of_the_team(result: Any) -> None:
    # Worst, March 2020: permanent W1 £3,000 (W2 has left); agency committed 31 × £126 = £3,906
    # less the trajectory's −£3,661.88 = £244.12; agency FTE on the line is 0 at the end of March.
    table = result.workforce
    march = table[(table["scenario"] == "worst") & (table["period"] == 12)].iloc[0]
    assert march["permanent_cost"] == 300_000
    assert march["agency_cost"] == 390_600 - 366_188
    assert march["agency_fte"] == pytest.approx(0.0)
    assert march["vacancies"] == pytest.approx(2.0)  # 3 budgeted − W1


def test_every_scenario_and_every_line_is_computed_and_the_version_is_recorded(result: Any) -> None:
    assert len(result.lines) == 3 * 5
    assert list(dict.fromkeys(result.lines["scenario"])) == ["best", "middle", "worst"]
    assert result.engine_version == ENGINE_VERSION
    assert result.timings["total"] > 0
    assert set(result.models_used["scenario"]) == {"best", "middle", "worst"}


def test_the_export_tables_have_the_documented_columns_and_exact_pounds(result: Any) -> None:
    frames = to_export_frames(result)
    for table, columns in EXPORT_COLUMNS.items():
        assert tuple(frames[table].columns) == columns
    lines = frames["lines"]
    worst_ifa = lines[(lines["scenario"] == "worst") & (lines["line_code"] == "PL-IFA")].iloc[0]
    assert worst_ifa["forecast_outturn"] == Decimal("108671.43")
    assert worst_ifa["variance_pct"] == Decimal("108.98")  # 5,667,143 / 5,200,000 = 108.983%
    placements = frames["placements"]
    assert placements.iloc[0]["month"] == "2019-04"
    assert str(frames["savings"].iloc[0]["planned"]) == "10000.00"


def test_a_zero_budget_line_exports_a_blank_variance_percentage() -> None:
    inputs = tiny_authority()
    budget = inputs.budget_lines.copy()
    budget.loc[budget["line_code"] == "OT-LEGAL", "annual_budget"] = 0
    frames = to_export_frames(run_engine(tiny_authority(budget_lines=budget)))
    legal = frames["lines"][frames["lines"]["line_code"] == "OT-LEGAL"]
    assert legal["variance_pct"].isna().all()


def test_a_placement_with_its_own_line_code_is_costed_to_that_line() -> None:
    # Two IFA lines: the first is the type's line; child B is coded to PL-IFA-UASC.
    inputs = tiny_authority()
    budget = pd.concat(
        [
            inputs.budget_lines,
            pd.DataFrame([budget_line("PL-IFA-UASC", "placements", 1_000_000, placement_type="fostering_ifa")]),
        ],
        ignore_index=True,
    )
    register = inputs.placements.copy()
    register.loc[register["placement_ref"] == "P2", "line_code"] = "PL-IFA-UASC"
    result = run_engine(tiny_authority(budget_lines=budget, placements=register))
    assert line(result, "middle", "PL-IFA-UASC")["committed_remaining"] == 310_000  # B's August
    assert line(result, "middle", "PL-IFA")["committed_remaining"] == 2_440_000  # A only


def test_an_agency_target_with_no_agency_worker_to_price_it_is_an_input_error() -> None:
    # Worst wants 2 agency FTE in team CP by March, but nobody is engaged to give a weekly rate.
    inputs = tiny_authority()
    workers = inputs.workers[inputs.workers["worker_type"] == "permanent"]
    scenarios = [s for s in inputs.scenarios if s.name != "worst"] + [Scenario("worst", agency_targets={"CP": 2.0})]
    with pytest.raises(EngineInputError, match="Scenario worst: team CP has an agency target"):
        run_engine(tiny_authority(workers=workers, scenarios=scenarios))


def test_a_target_of_zero_for_a_team_with_no_agency_costs_nothing() -> None:
    inputs = tiny_authority()
    workers = inputs.workers[inputs.workers["worker_type"] == "permanent"]
    result = run_engine(tiny_authority(workers=workers))
    assert line(result, "worst", "WF-CP")["projected_change"] == 0


def test_the_large_synthetic_county_is_the_same_for_the_same_seed_and_runs_every_line() -> None:
    from forecasting.engine.inputs import inputs_hash
    from forecasting.engine.synthetic import large_county_inputs

    inputs = large_county_inputs(seed=1)
    assert inputs_hash(inputs) == inputs_hash(large_county_inputs(seed=1))
    assert inputs_hash(inputs) != inputs_hash(large_county_inputs(seed=2))
    assert (len(inputs.placements), len(inputs.budget_lines), len(inputs.workers), len(inputs.savings)) == (
        20_000,
        300,
        600,
        60,
    )
    result = run_engine(inputs)
    assert len(result.lines) == 3 * 300
    assert (
        result.lines["forecast_outturn"]
        == result.lines[["actual_ytd", "committed_remaining", "projected_change", "savings_adjustment"]].sum(axis=1)
    ).all()
