"""Workforce costs, the agency trajectory and KPIs (FORECAST.md, Workforce).

Every expected figure is worked out by hand in the comments, in pence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.workforce import (
    WorkforceError,
    agency_by_reason,
    committed_cost_by_month,
    forecast_workforce,
    prepare_workforce,
    team_agency_targets,
    worker_costs,
    workforce_kpis,
)

FY = FinancialYear.from_label("2019/20")


def worker(ref: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "worker_ref": ref,
        "team": "CP1",
        "post_ref": None,
        "worker_type": "permanent",
        "fte": 1.0,
        "start_date": pd.Timestamp("2015-01-05"),
        "end_date": pd.NaT,
        "annual_cost": 3_600_000,  # £36,000 a year
        "weekly_rate": 0,
        "agency_reason": None,
        "absence": None,
        "caseload": np.nan,
        "asye": False,
    }
    row.update(values)
    for key in ("start_date", "end_date"):
        row[key] = pd.Timestamp(row[key]) if row[key] is not None else pd.NaT
    return row


def agency(ref: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "worker_type": "agency",
        "annual_cost": 0,
        "weekly_rate": 100_000,
        "agency_reason": "vacancy",
    }
    base.update(values)
    return worker(ref, **base)


def workers_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def posts_frame(team: str, fte: float, annual_cost: int = 4_000_000, count: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_ref": [f"{team}-P{i}" for i in range(count)],
            "team": [team] * count,
            "fte": [fte / count] * count,
            "annual_cost": [annual_cost] * count,
        }
    )


def costs_by_period(frame: pd.DataFrame, ref: str) -> dict[int, int]:
    rows = frame[frame["worker_ref"] == ref]
    return dict(zip(rows["period"].astype(int), rows["cost"].astype(int), strict=True))


# --------------------------------------------------------------------------------------------
# monthly costs of worker rows


def test_a_workers_end_date_is_their_last_day_so_it_is_paid() -> None:
    # Ends 15 July 2019 (inclusive): July pays 15 of 31 days.
    # £36,000 / 12 = £3,000 a month; × 15/31 = £1,451.6129 → 145,161p.
    costs = costs_by_period(worker_costs(workers_frame([worker("W1", end_date="2019-07-15")]), FY), "W1")
    assert costs[1] == costs[2] == costs[3] == 300_000  # April–June: £3,000 each
    assert costs[4] == 145_161
    assert costs[5] == 0  # gone by August


def test_an_end_date_on_the_last_day_of_a_month_pays_the_whole_month() -> None:
    # Ends 31 July 2019 (inclusive) → all 31 July days: £3,000.00; nothing in August.
    costs = costs_by_period(worker_costs(workers_frame([worker("W1", end_date="2019-07-31")]), FY), "W1")
    assert costs[4] == 300_000
    assert costs[5] == 0


def test_a_worker_who_starts_part_way_through_a_month_is_paid_for_the_days_from_their_start() -> None:
    # Starts 10 May 2019: 10..31 May = 22 days of 31.
    # £3,000 × 22/31 = £2,129.0323 → 212,903p; April 0; June in full.
    costs = costs_by_period(worker_costs(workers_frame([worker("W1", start_date="2019-05-10")]), FY), "W1")
    assert costs[1] == 0
    assert costs[2] == 212_903
    assert costs[3] == 300_000


def test_an_absent_permanent_worker_keeps_costing_and_their_agency_cover_is_on_top() -> None:
    # A worker on maternity leave still costs £3,000 a month (absence does not stop the cost);
    # the agency worker covering at £1,050 a week costs £1,050 × 30/7 = £4,500.00 in June on top.
    frame = workers_frame(
        [
            worker("W1", absence="maternity"),
            agency("A1", weekly_rate=105_000, agency_reason="maternity", start_date="2019-06-01"),
        ]
    )
    costs = worker_costs(frame, FY)
    assert costs_by_period(costs, "W1")[3] == 300_000
    assert costs_by_period(costs, "A1")[3] == 450_000
    june = costs[costs["period"] == 3]["cost"].sum()
    assert june == 750_000  # £3,000 + £4,500


def test_agency_cost_is_the_weekly_rate_for_the_days_engaged_times_the_billable_factor() -> None:
    # £1,000 a week, all of August 2019 (31 days), billable factor 0.88:
    # £1,000 × 31/7 × 0.88 = £3,897.142857 → 389,714p.
    costs = worker_costs(workers_frame([agency("A1")]), FY, billable_factor=0.88)
    assert costs_by_period(costs, "A1")[5] == 389_714


def test_an_agency_workers_expected_end_date_is_inclusive_too() -> None:
    # Engaged to Wednesday 11 September 2019 inclusive = 11 days; £700 a week × 11/7 = £1,100.00.
    costs = worker_costs(workers_frame([agency("A1", weekly_rate=70_000, end_date="2019-09-11")]), FY)
    by_period = costs_by_period(costs, "A1")
    assert by_period[6] == 110_000
    assert by_period[7] == 0


# --------------------------------------------------------------------------------------------
# the KPIs


def dorset_workers() -> pd.DataFrame:
    # Dorset (seed 002, 7.2.2): 100 budgeted posts of which 38 are empty. The 62 filled posts are
    # held by permanent workers, 8 of whom are on sickness or maternity leave (their posts are
    # filled, not vacant: Outturn's vacancy rule). 51 agency workers.
    rows = [worker(f"P{i}") for i in range(54)]
    rows += [worker(f"S{i}", absence="long_term_sickness" if i < 5 else "maternity") for i in range(8)]
    rows += [agency(f"A{i}") for i in range(51)]
    return workers_frame(rows)


def test_dorsets_51_agency_against_38_vacancies_and_8_absent_is_5_above_establishment() -> None:
    # Budgeted 100 FTE; 62 permanent in post (54 at work + 8 absent) → vacancies = 100 − 62 = 38
    # empty posts. Cover needed = 38 vacancies + 8 absent = 46.
    # Above establishment = 51 agency − 46 = 5.
    kpis = workforce_kpis(dorset_workers(), posts_frame("CP1", 100.0, count=100), date(2016, 12, 31))
    row = kpis.iloc[0]
    assert row["vacancies"] == pytest.approx(38.0)
    assert row["absent_fte"] == pytest.approx(8.0)
    assert row["cover_needed"] == pytest.approx(46.0)
    assert row["agency_fte"] == pytest.approx(51.0)
    assert row["above_establishment"] == pytest.approx(5.0)


def test_a_post_held_by_a_worker_on_maternity_leave_is_filled_not_vacant() -> None:
    # Budget 2 FTE: W1 at work, W2 on maternity leave → 2 in post, 0 vacancies, 1 absent;
    # one agency worker covering the maternity leave is within establishment (cover needed 1).
    frame = workers_frame([worker("W1"), worker("W2", absence="maternity"), agency("A1", agency_reason="maternity")])
    row = workforce_kpis(frame, posts_frame("CP1", 2.0, count=2), date(2019, 7, 31)).iloc[0]
    assert row["vacancies"] == pytest.approx(0.0)
    assert row["absent_fte"] == pytest.approx(1.0)
    assert row["above_establishment"] == pytest.approx(0.0)


def test_the_vacancy_rate_is_vacant_over_budgeted_fte_and_the_agency_rate_is_over_permanent_plus_agency() -> None:
    # Vacancy rate = 38 / 100 = 0.38. Agency rate (DfE) = 51 / (62 in post + 51) = 51/113 = 0.451327.
    kpis = workforce_kpis(dorset_workers(), posts_frame("CP1", 100.0, count=100), date(2016, 12, 31))
    row = kpis.iloc[0]
    assert row["fte_in_post"] == pytest.approx(62.0)
    assert row["vacancy_rate"] == pytest.approx(0.38)
    assert row["agency_rate"] == pytest.approx(51 / 113)


def test_vacancies_are_floored_at_zero_per_team_before_they_are_added_up() -> None:
    # Team CP1: budget 3, 4 in post → −1 floored to 0. Team CP2: budget 2, 1 in post → 1.
    # Overall vacancies = 0 + 1 = 1 (not 5 − 5 = 0).
    frame = workers_frame([worker(f"X{i}") for i in range(4)] + [worker("Y1", team="CP2")])
    posts = pd.concat([posts_frame("CP1", 3.0), posts_frame("CP2", 2.0)])
    overall = workforce_kpis(frame, posts, date(2019, 7, 31), by="overall").iloc[0]
    assert overall["vacancies"] == pytest.approx(1.0)
    assert overall["vacancy_rate"] == pytest.approx(0.2)  # 1 / 5


def test_caseload_is_averaged_over_case_holding_fte_and_compared_with_the_manageable_level() -> None:
    # Team AS: two case holders, 1.0 FTE with 18 cases and 0.5 FTE with 9 → 27 / 1.5 = 18 per FTE,
    # against a manageable 15. An absent worker's caseload is not counted.
    frame = workers_frame(
        [
            worker("W1", team="AS", caseload=18.0),
            worker("W2", team="AS", fte=0.5, caseload=9.0),
            worker("W3", team="AS", caseload=40.0, absence="suspension"),
        ]
    )
    teams = pd.DataFrame(
        {"team": ["AS"], "team_name": ["Assessment"], "hard_to_retain": [True], "manageable_caseload": [15.0]}
    )
    row = workforce_kpis(frame, posts_frame("AS", 3.0), date(2019, 7, 31), teams=teams).iloc[0]
    assert row["average_caseload"] == pytest.approx(18.0)
    assert row["manageable_caseload"] == pytest.approx(15.0)


def test_the_agency_premium_compares_weekly_rates_with_the_budgeted_cost_of_the_same_fte() -> None:
    # Posts: 2 FTE budgeted at £41,600 each → £41,600 per FTE a year → £800 a week (÷ 52).
    # Agency: 1.0 FTE at £1,200 a week and 0.5 FTE at £650 → £1,850 a week for 1.5 FTE.
    # Same FTE at budgeted cost: 1.5 × £800 = £1,200 a week. Premium £650 a week = 54.17%.
    frame = workers_frame([agency("A1", weekly_rate=120_000), agency("A2", fte=0.5, weekly_rate=65_000)])
    posts = posts_frame("CP1", 2.0, annual_cost=4_160_000, count=2)
    row = workforce_kpis(frame, posts, date(2019, 7, 31)).iloc[0]
    assert row["agency_weekly_cost"] == pytest.approx(185_000)
    assert row["equivalent_weekly_cost"] == pytest.approx(120_000)
    assert row["agency_premium_weekly"] == pytest.approx(65_000)
    assert row["agency_premium_pct"] == pytest.approx(65_000 / 120_000 * 100)


def test_kpis_group_teams_into_hard_to_retain_and_the_rest() -> None:
    # CP1 (hard to retain): 1 permanent, 1 agency. LAC: 2 permanent. Agency rate hard to retain = 1/2.
    frame = workers_frame([worker("W1"), agency("A1"), worker("W2", team="LAC"), worker("W3", team="LAC")])
    teams = pd.DataFrame(
        {
            "team": ["CP1", "LAC"],
            "team_name": ["CP", "LAC"],
            "hard_to_retain": [True, False],
            "manageable_caseload": [20.0, 15.0],
        }
    )
    posts = pd.concat([posts_frame("CP1", 2.0), posts_frame("LAC", 2.0)])
    kpis = workforce_kpis(frame, posts, date(2019, 7, 31), teams=teams, by="hard_to_retain").set_index("group")
    assert kpis.loc["hard to retain", "agency_rate"] == pytest.approx(0.5)
    assert kpis.loc["other teams", "agency_rate"] == pytest.approx(0.0)


def test_agency_fte_is_counted_by_reason_on_a_date() -> None:
    frame = workers_frame(
        [
            agency("A1", agency_reason="vacancy"),
            agency("A2", agency_reason="vacancy", fte=0.5),
            agency("A3", agency_reason="maternity"),
            agency("A4", agency_reason="maternity", end_date="2019-07-30"),  # gone before 31 July
        ]
    )
    table = agency_by_reason(frame, date(2019, 7, 31)).set_index("agency_reason")
    assert table.loc["vacancy", "agency_fte"] == pytest.approx(1.5)
    assert table.loc["maternity", "agency_fte"] == pytest.approx(1.0)
    assert table.loc["maternity", "workers"] == 1


def test_the_monthly_cost_committed_to_the_year_end_starts_the_day_after_the_date() -> None:
    # On 15 August 2019: a permanent £36,000 worker costs £3,000 × 16/31 (16..31 August) =
    # £1,548.387 → 154,839p in August, then £3,000 a month September..March.
    table = committed_cost_by_month(workers_frame([worker("W1")]), FY, date(2019, 8, 15))
    assert list(table["period"]) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert table.iloc[0]["permanent_cost"] == 154_839
    assert table.iloc[1]["total_cost"] == 300_000


# --------------------------------------------------------------------------------------------
# the forecast and the agency trajectory


def test_an_overall_agency_target_is_shared_in_proportion_to_agency_fte_on_the_as_at_date() -> None:
    # Overall 30; team T3 has its own target 6, leaving 24 for T1 (12 FTE now) and T2 (4 FTE now):
    # T1 = 24 × 12/16 = 18, T2 = 24 × 4/16 = 6.
    targets = team_agency_targets({None: 30.0, "T3": 6.0}, {"T1": 12.0, "T2": 4.0, "T3": 9.0}, ["T1", "T2", "T3"])
    assert targets == {"T3": 6.0, "T1": 18.0, "T2": 6.0}


def nottinghamshire_workers() -> pd.DataFrame:
    # 77 agency social workers engaged on 31 July 2019, £1,000 a week each, no expected end.
    return workers_frame([agency(f"A{i}", start_date="2019-01-07") for i in range(77)])


def test_nottinghamshires_77_agency_falling_to_66_by_march_is_costed_with_the_n_hat_minus_c_rule() -> None:
    # P4 2019/20 (as at 31 July 2019), target 66 at the end of March, billable factor 0.9.
    # Month ends M_t = 77 − 11 × (t − 4)/8: Aug 75.625, Sep 74.25, …, Mar 66.
    # N̂(t) = (M_{t−1} + M_t)/2; C(t) = 77 (no end dates) → N̂ − C = −1.375 × (t − 4.5).
    # Projected change = (N̂ − C) × £1,000 × days in t / 7 × 0.9, rounded once per month:
    #   Aug −0.6875 × 100,000 × 31/7 × 0.9 = −274,017.857 → −274,018
    #   Sep −2.0625 × 100,000 × 30/7 × 0.9 = −795,535.714 → −795,536
    #   Oct −3.4375 × 100,000 × 31/7 × 0.9 = −1,370,089.286 → −1,370,089
    #   Nov −4.8125 × 100,000 × 30/7 × 0.9 = −1,856,250.000 → −1,856,250
    #   Dec −6.1875 × 100,000 × 31/7 × 0.9 = −2,466,160.714 → −2,466,161
    #   Jan −7.5625 × 100,000 × 31/7 × 0.9 = −3,014,196.429 → −3,014,196
    #   Feb −8.9375 × 100,000 × 29/7 × 0.9 = −3,332,410.714 → −3,332,411 (2020 is a leap year)
    #   Mar −10.3125 × 100,000 × 31/7 × 0.9 = −4,110,267.857 → −4,110,268
    #   Total −17,218,929p = −£172,189.29
    base = prepare_workforce(nottinghamshire_workers(), posts_frame("CP1", 60.0), FY, 4)
    result = forecast_workforce(base, billable_factor=0.9, agency_targets={"CP1": 66.0})
    team = result.by_team.set_index("team").loc["CP1"]
    assert team["projected_change"] == -17_218_929
    months = result.by_team_month.set_index("period")
    committed_aug = 77 * 398_571  # £1,000 × 31/7 × 0.9 = 398,571.43 → 398,571 per worker
    assert months.loc[5, "agency_cost"] == committed_aug - 274_018
    assert months.loc[12, "agency_fte"] == pytest.approx(66.0)
    assert months.loc[8, "agency_fte"] == pytest.approx(71.5)  # 77 − 11 × 4/8
    assert months.loc[4, "agency_fte"] == pytest.approx(77.0)  # actual at 31 July


def test_committed_workforce_cost_runs_agency_rows_to_their_expected_end() -> None:
    # As at P4 2019/20. Agency £700 a week ending 11 September 2019 (inclusive): August 31 days
    # = £3,100.00; September 11 days = £1,100.00 → committed 420,000p.
    # Permanent £36,000: August..March 8 × £3,000 = £24,000 → 2,400,000p. Total 2,820,000p.
    frame = workers_frame([agency("A1", weekly_rate=70_000, end_date="2019-09-11"), worker("W1")])
    base = prepare_workforce(frame, posts_frame("CP1", 2.0), FY, 4)
    result = forecast_workforce(base, billable_factor=1.0, agency_targets={})
    team = result.by_team.set_index("team").loc["CP1"]
    assert team["committed_remaining"] == 2_820_000
    assert team["projected_change"] == 0


def test_the_trajectory_is_priced_at_the_fte_weighted_average_rate_per_fte() -> None:
    # As at P11 2019/20 (29 February 2020): 1.0 FTE at £1,000 a week and 0.5 FTE at £650 a week
    # (£1,300 per FTE) → (£1,000 + £650) / 1.5 FTE = £1,100 per FTE.
    # Target 0.5 at the end of March: M_11 = 1.5, M_12 = 0.5 → N̂ = 1.0; C = 1.5 → N̂ − C = −0.5.
    # March: −0.5 × £1,100 × 31/7 = −£2,435.714 → −243,571p.
    frame = workers_frame([agency("A1"), agency("A2", fte=0.5, weekly_rate=65_000)])
    base = prepare_workforce(frame, posts_frame("CP1", 2.0), FY, 11)
    result = forecast_workforce(base, billable_factor=1.0, agency_targets={"CP1": 0.5})
    assert result.by_team.iloc[0]["projected_change"] == -243_571


def test_a_target_for_a_team_with_no_agency_anywhere_to_price_it_is_an_error() -> None:
    base = prepare_workforce(workers_frame([worker("W1")]), posts_frame("CP1", 2.0), FY, 4)
    with pytest.raises(WorkforceError, match="no agency worker is engaged on 2019-07-31"):
        forecast_workforce(base, billable_factor=1.0, agency_targets={"CP1": 3.0})


def test_vacancies_in_the_forecast_months_count_known_leavers_and_starters() -> None:
    # Budget 3 FTE. W1 leaves 30 September 2019 (inclusive), W2 in post (on maternity leave: still
    # filling the post), W3 starts 1 November.
    # End of August: 2 in post → 1 vacant. End of October: W2 only → 2. End of November: 1.
    frame = workers_frame(
        [worker("W1", end_date="2019-09-30"), worker("W2", absence="maternity"), worker("W3", start_date="2019-11-01")]
    )
    base = prepare_workforce(frame, posts_frame("CP1", 3.0), FY, 4)
    months = forecast_workforce(base, billable_factor=1.0, agency_targets={}).by_team_month.set_index("period")
    assert months.loc[5, "vacancies"] == pytest.approx(1.0)
    assert months.loc[7, "vacancies"] == pytest.approx(2.0)
    assert months.loc[8, "vacancies"] == pytest.approx(1.0)
    assert months.loc[8, "permanent_fte"] == pytest.approx(2.0)
