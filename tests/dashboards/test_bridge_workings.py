"""The variance bridge reconciles with the placement KPI page and says how (issue 12, point 5).

The small county of tests/forecasting/engine/test_run.py, 2019/20 as at period 4 (31 July 2019),
middle scenario (commitments: no new placements), two placement types and three children:

- PL-IFA, independent fostering: budget £52,000 for 1.5 children, so £52,000 ÷ 1.5 ÷ 52 =
  £666.67 a week. Child A at £100 a day all year (366 days, 2019/20 has 29 February) and child B
  from 1 April to 31 August (153 days): 519 child-days = 519 ÷ 7 = 74.14 child-weeks, FYE 519 ÷ 364
  = 1.43 children. Cost 519 × £100 = £51,900, so £51,900 ÷ 74.142857 weeks = £700.00 a week.
  Volume = (1.425824 − 1.5) × £52,000 ÷ 1.5 = −£2,571.43 → −£2,571.
  Price = £51,900 − 1.425824 × £52,000 ÷ 1.5 = £2,471.43 → +£2,471.
  Outturn: ledger £29,000 + committed £27,500 = £56,500 (saving S2 on this driver line is not
  added again); variance +£4,500; other = £4,500 + £2,571 − £2,471 = £4,600, the ledger's £29,000
  to July against the register's 244 child-days (A and B, April to July) × £100 = £24,400.
- PL-RES, external residential: budget £120,000 for 1 child, £120,000 ÷ 52 = £2,307.69 a week.
  Child C at £3,500 a week gross less £700 health = £2,800 net (£400 a day) until the 18th
  birthday, 15 January 2020: 1 April to 14 January = 30 + 31 + 30 + 31 + 153 + 14 = 289 days,
  FYE 289 ÷ 364 = 0.79; net cost 289 × £400 = £115,600, so £2,800.00 a week net.
  Volume = (0.793956 − 1) × £120,000 = −£24,725.27 → −£24,725.
  Price = £115,600 − 0.793956 × £120,000 = £115,600 − £95,274.73 = £20,325.27 → +£20,325.
  Outturn: ledger £50,000 + committed £66,800 = £116,800; variance −£3,200;
  other = −£3,200 + £24,725 − £20,325 = £1,200 (the ledger's £50,000 to July against the
  register's 122 days × £400 = £48,800).

The KPI page's FYE numbers (1.43, 0.79) and average weekly net costs (£700.00, £2,800.00) for the
same register and year are the figures the bridge quotes for the children already placed; its
average weekly (gross) cost for residential is £3,500.00, which is why the page now shows the net
one beside it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from dashboards.bridge_workings import line_sentences, workings_chart
from forecasting.engine.calendar import FinancialYear
from forecasting.engine.run import run_engine
from placements.kpis import kpi_tables, weekly_pence
from tests.forecasting.engine.test_run import tiny_authority


@pytest.fixture(scope="module")
def county() -> Any:
    inputs = tiny_authority()
    return inputs, run_engine(inputs)


def _explained(result: Any, code: str) -> dict[str, Any]:
    table = result.variance_explained
    row = table[(table["scenario"] == "middle") & (table["line_code"] == code)]
    return row.iloc[0].to_dict()


def test_the_steps_of_each_line_are_whole_pounds_and_add_up_to_its_variance(county: Any) -> None:
    _inputs, result = county
    ifa, res = _explained(result, "PL-IFA"), _explained(result, "PL-RES")
    assert (ifa["volume"], ifa["price"], ifa["other"], ifa["variance"]) == (-257_100, 247_100, 460_000, 450_000)
    assert (res["volume"], res["price"], res["other"], res["variance"]) == (-2_472_500, 2_032_500, 120_000, -320_000)
    assert res["forecast_placement_cost"] == res["placed_net_cost"] == 11_560_000
    assert res["placed_fye_number"] == pytest.approx(289 / 364)


def test_the_words_give_every_figure_of_the_residential_line(county: Any) -> None:
    _inputs, result = county
    assert line_sentences(_explained(result, "PL-RES")) == [
        "Budget £120,000 for 1.00 children (full-year equivalent), £2,307.69 a week each (£120,000 ÷ 1.00 ÷ 52).",
        "Forecast 0.79 children (full-year equivalent) at an average of £2,800.00 a week net of contributions, "
        "£115,600 for the year: 0.79 children already placed at £2,800.00 a week (£115,600; the FYE number and "
        "average weekly net cost that the placement KPI page shows for the register as it stood at the as-at "
        "date) and no change forecast beyond them.",
        "Volume (£24,725): 0.21 fewer children than budgeted × 52 weeks × the budgeted £2,307.69 a week.",
        "Price +£20,325: the average weekly cost of £2,800.00 is £492.31 above the budgeted £2,307.69, "
        "× 41.3 child-weeks (0.79 × 52).",
        "Other +£1,200: the rest of the variance, chiefly the forecast outturn of £116,800 (actual spend in the "
        "ledger to date, then the forecast) less the forecast placement cost of £115,600 (from the register), "
        "with any savings on the line.",
        "Volume + price + other = (£24,725) + £20,325 + £1,200 = (£3,200), the line's variance "
        "(forecast outturn £116,800 − budget £120,000).",
    ]


def test_the_words_of_the_fostering_line_add_up(county: Any) -> None:
    _inputs, result = county
    words = line_sentences(_explained(result, "PL-IFA"))
    assert words[0].startswith("Budget £52,000 for 1.50 children (full-year equivalent), £666.67 a week each")
    assert words[1].startswith("Forecast 1.43 children (full-year equivalent) at an average of £700.00 a week")
    assert words[2] == "Volume (£2,571): 0.07 fewer children than budgeted × 52 weeks × the budgeted £666.67 a week."
    assert words[3].startswith("Price +£2,471: the average weekly cost of £700.00 is £33.33 above the budgeted £666.67")
    assert words[5].startswith("Volume + price + other = (£2,571) + £2,471 + £4,600 = £4,500")


def test_the_children_already_placed_are_the_kpi_pages_figures(county: Any) -> None:
    inputs, result = county
    kpis = kpi_tables(inputs.placements, inputs.placement_types, year=FinancialYear(2019)).summary
    by_type = kpis.set_index("placement_type")
    for code, kind in (("PL-IFA", "fostering_ifa"), ("PL-RES", "residential_external")):
        row = _explained(result, code)
        placed_weekly = row["placed_net_cost"] / (row["placed_fye_number"] * 52)
        assert by_type.loc[kind, "fye_number"] == pytest.approx(row["placed_fye_number"])
        assert weekly_pence(by_type.loc[kind, "avg_weekly_net_cost"]) == weekly_pence(placed_weekly)
    # Residential: £2,800.00 net a week, and £3,500.00 gross (the KPI page shows both).
    assert weekly_pence(by_type.loc["residential_external", "avg_weekly_net_cost"]) == 280_000
    assert weekly_pence(by_type.loc["residential_external", "avg_weekly_cost"]) == 350_000


def test_the_workings_table_carries_the_same_figures(county: Any) -> None:
    inputs, result = county
    explained = result.variance_explained[result.variance_explained["scenario"] == "middle"]
    lines = pd.DataFrame({"line_code": ["PL-IFA", "PL-RES"], "line_name": ["Independent fostering", "Residential"]})
    [chart] = workings_chart(lines, explained)
    rows = {r["line"]: r for r in chart["table"]["rows"]}
    assert rows["Residential"]["budget_unit_cost"] == 230_769  # £2,307.69
    assert rows["Residential"]["forecast_unit_cost"] == 280_000
    assert rows["Residential"]["forecast_fye_number"] == 0.79
    assert (rows["Residential"]["volume"], rows["Residential"]["price"], rows["Residential"]["other"]) == (
        -2_472_500,
        2_032_500,
        120_000,
    )
    assert [w["line"] for w in chart["workings"]] == ["Independent fostering", "Residential"]


def test_new_placements_forecast_beyond_those_placed_are_named() -> None:
    # Budget £52,000 for 1 child (£1,000 a week); 0.5 children placed costing £26,000 (£1,000 a
    # week) and the forecast adds 0.5 more at £1,200 a week (£31,200): F = 1.00, cost £57,200,
    # c = £57,200 ÷ 52 = £1,100 a week. Volume £0; price (£1,100 − £1,000) × 52 = +£5,200;
    # outturn £57,200, so other £0.
    row = {
        "budget": 5_200_000,
        "forecast": 5_720_000,
        "variance": 520_000,
        "volume": 0,
        "price": 520_000,
        "other": 0,
        "budget_numbers": 1.0,
        "forecast_fye_number": 1.0,
        "budget_unit_cost": 100_000.0,
        "forecast_unit_cost": 110_000.0,
        "forecast_placement_cost": 5_720_000,
        "placed_fye_number": 0.5,
        "placed_net_cost": 2_600_000,
    }
    words = line_sentences(row)
    assert words[1].endswith("and 0.50 more children forecast beyond them (+£31,200).")
    assert words[3] == (
        "Price +£5,200: the average weekly cost of £1,100.00 is £100.00 above the budgeted £1,000.00, "
        "× 52 child-weeks (1.00 × 52)."
    )
    assert words[5] == (
        "Volume + price + other = £0 + £5,200 + £0 = £5,200, the line's variance "
        "(forecast outturn £57,200 − budget £52,000)."
    )
