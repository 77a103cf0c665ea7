"""The headline part: the department by scenario, services and lines, the scenarios chart."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from dashboards.document.headline import RunFacts, department, headlines, meta, models_table, scenarios_chart, services
from forecasting.engine.calendar import FinancialYear as Calendar


def _line(scenario: str, code: str, service: str, budget: int, outturn: int, actual: int = 0) -> dict[str, object]:
    return {
        "scenario": scenario,
        "line_code": code,
        "line_name": f"Line {code}",
        "service_area": service,
        "category": "placements" if code.startswith("CIC") else "other",
        "annual_budget": budget,
        "actual_ytd": actual,
        "committed_remaining": 0,
        "projected_change": outturn - budget,
        "savings_adjustment": 0,
        "forecast_outturn": outturn,
        "variance": outturn - budget,
    }


def _lines() -> pd.DataFrame:
    rows = []
    for scenario, uplift in (("worst", 30_000), ("stretch", 5_000), ("middle", 10_000), ("best", 0)):
        rows += [
            _line(scenario, "LEG-EXT", "Legal", 200_000, 190_000, actual=80_000),
            _line(scenario, "CIC-RES-EXT", "Children in Care", 1_000_000, 1_100_000 + uplift, actual=400_000),
            _line(scenario, "CIC-FOS-IFA", "Children in Care", 500_000, 480_000, actual=150_000),
        ]
    return pd.DataFrame(rows)


def test_headlines_list_best_middle_worst_then_other_scenarios_with_their_totals() -> None:
    heads = headlines(_lines())
    assert [h["scenario"] for h in heads] == ["best", "middle", "worst", "stretch"]
    middle = department(heads, "middle")
    # Budget 200,000 + 1,000,000 + 500,000 = 1,700,000p; outturn 190,000 + 1,110,000 + 480,000 =
    # 1,780,000p; variance 80,000p = 80,000 / 1,700,000 = 4.705…% → 4.71%.
    assert middle == {
        "scenario": "middle",
        "budget": 1_700_000,
        "actual_ytd": 630_000,
        "outturn": 1_780_000,
        "variance": 80_000,
        "variance_pct": 4.71,
    }
    assert headlines(pd.DataFrame()) == []
    assert department(heads, "nonsense") is None


def test_services_total_their_lines_in_name_and_code_order() -> None:
    found = services(_lines(), "middle", line_types={"CIC-RES-EXT": "residential_external"}, line_teams={})
    assert [s["name"] for s in found] == ["Children in Care", "Legal"]
    care = found[0]
    assert [line["line_code"] for line in care["lines"]] == ["CIC-FOS-IFA", "CIC-RES-EXT"]
    # 500,000 + 1,000,000 = 1,500,000p budget; 480,000 + 1,110,000 = 1,590,000p outturn;
    # variance 90,000p = 6.00% of the budget.
    assert (care["budget"], care["outturn"], care["variance"], care["variance_pct"]) == (
        1_500_000,
        1_590_000,
        90_000,
        6.0,
    )
    residential = care["lines"][1]
    assert residential["placement_type"] == "residential_external" and residential["team"] is None
    # 110,000 over a budget of 1,000,000: 11.00%.
    assert residential["variance_pct"] == 11.0


def test_the_scenarios_chart_marks_the_reported_scenario_and_says_each_outturn() -> None:
    (chart,) = scenarios_chart(headlines(_lines()))
    rows = chart["table"]["rows"]
    assert [r["scenario_label"] for r in rows] == ["Best", "Middle (reported)", "Worst", "Stretch"]
    assert chart["summary"].startswith(
        "Forecast outturn by scenario against a budget of £17,000: Best £17,700 (an overspend of £700); "
        "Middle £17,800 (an overspend of £800);"
    )
    assert scenarios_chart([]) == []


def test_meta_says_when_the_forecast_is_as_at() -> None:
    facts = RunFacts(
        run_id=7,
        authority="Shireford County Council",
        year="2019/20",
        period=4,
        calendar=Calendar(2019),
        engine_version="1",
        inputs_hash="abc",
        finished_at=datetime(2019, 8, 5, 9, 0),
        made_from={},
        assumptions={},
    )
    found = meta(facts, "worst")
    assert (found["as_at"], found["as_at_text"], found["month"]) == ("2019-07-31", "31 July 2019", "Jul 2019")
    assert meta(RunFacts(**{**facts.__dict__, "period": 0}), "middle")["month"] == "before April"


def test_the_models_table_names_types_and_methods_in_words_and_what_auto_chose() -> None:
    # Secure is on commitments with no new-placement cost: nothing to say, so left out.
    models_used = pd.DataFrame(
        {
            "placement_type": ["fostering_ifa", "residential_external", "secure"],
            "demand_method": ["auto", "statistical", "commitments"],
            "chosen_method": ["flow", "", ""],
            "model": ["n/a", "AutoETS", "n/a"],
            "history_months": [60, 60, 0],
            "unit_cost_new": [95_000, 520_000, 0],
        }
    )
    rows = models_table(
        models_used,
        type_names={"fostering_ifa": "Independent fostering agency", "residential_external": "External residential"},
        method_words={"auto": "Chosen by our own back-test", "statistical": "Statistical model"},
        chosen_words={"flow": "entries and exits"},
    )
    assert [r["placement_type"] for r in rows] == ["Independent fostering agency", "External residential"]
    assert [r["demand_method"] for r in rows] == ["Chosen by our own back-test: entries and exits", "Statistical model"]


def _ranges(low: int, high: int, scenario: str = "middle") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "scenario": scenario,
                "level": "line",
                "line_code": "CIC-RES-EXT",
                "outturn_p10": 1,
                "outturn": 2,
                "outturn_p90": 3,
            },
            {
                "scenario": scenario,
                "level": "department",
                "line_code": None,
                "outturn_p10": low,
                "outturn": 13_040_000_000,
                "outturn_p90": high,
            },
        ]
    )


def test_the_department_says_its_likely_range_in_millions_with_one_decimal() -> None:
    heads = headlines(_lines())
    # £128,949,999.99 rounds half up to £128.9m; £132,550,000.00 to £132.6m
    found = department(heads, "middle", _ranges(12_894_999_999, 13_255_000_000))
    assert found is not None
    assert found["likely_range"] == "likely between £128.9m and £132.6m"
    assert found["outturn"] == 1_780_000  # the existing amounts are as they were
    assert department(heads, "middle") == next(h for h in heads if h["scenario"] == "middle")


def test_a_range_of_nothing_or_of_another_scenario_says_nothing() -> None:
    heads = headlines(_lines())
    assert department(heads, "middle", _ranges(13_040_000_000, 13_040_000_000))["likely_range"] == ""  # type: ignore[index]
    assert department(heads, "worst", _ranges(1, 2))["likely_range"] == ""  # type: ignore[index]
    assert department(heads, "middle", pd.DataFrame())["likely_range"] == ""  # type: ignore[index]


def test_two_ends_that_read_the_same_in_millions_are_written_in_whole_pounds() -> None:
    found = department(headlines(_lines()), "middle", _ranges(13_040_000_000, 13_040_500_000))
    assert found is not None and found["likely_range"] == "likely between £130,400,000 and £130,405,000"
