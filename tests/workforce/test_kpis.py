"""Workforce KPIs from stored data, with every expected figure worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from forecasting.engine.calendar import FinancialYear as Calendar
from tests.workforce.conftest import GOOD, HEADER, errors, run_import
from workforce import kpis
from workforce.models import Team

pytestmark = pytest.mark.django_db

FY = Calendar.from_label("2019/20")


def dorset_file() -> str:
    """Dorset, December 2016 (seed 002, 7.2.2): 100 budgeted posts, 38 of them empty; the 62
    filled posts are held by permanent staff of whom 8 are on sickness (5) or maternity (3)
    leave; 51 agency workers."""
    rows = [f"post,CP,Care and protection,Y,P{i},,social worker,1,41600,,,,,,,\n" for i in range(100)]
    for i in range(62):
        absence = "long_term_sickness" if i < 5 else ("maternity" if i < 8 else "")
        rows.append(f"worker,CP,,,W{i},P{i},social worker,1,36000,permanent,,,{absence},2012-01-02,,\n")
    rows += [f"worker,CP,,,A{i},,social worker,1,,agency,1000,vacancy,,2016-06-01,,\n" for i in range(51)]
    return HEADER + "".join(rows)


def test_dorset_51_agency_against_38_vacancies_and_8_absent_is_5_above_establishment(
    authority, workforce_lines
) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run_import(authority, dorset_file(), as_at="2016-12-31")
    assert plan.ok, errors(plan)
    picture = kpis.picture_for_month(authority=authority, calendar=Calendar.from_label("2016/17"), period=9)
    assert picture.snapshot is not None and picture.on == date(2016, 12, 31)
    row = kpis.kpi_total(picture)
    # Vacancies = 100 budgeted − 62 permanent in post (absent or not) = 38; rate 38 / 100 = 38%.
    assert row["vacancies"] == pytest.approx(38.0)
    assert row["vacancy_rate"] == pytest.approx(0.38)
    # Cover needed = 38 vacancies + 8 absent = 46; above establishment = 51 − 46 = 5.
    assert row["absent_fte"] == pytest.approx(8.0)
    assert row["cover_needed"] == pytest.approx(46.0)
    assert row["above_establishment"] == pytest.approx(5.0)
    # Agency rate (DfE) = 51 / (62 in post + 51 agency) = 51 / 113 = 45.13%.
    assert row["agency_rate"] == pytest.approx(51 / 113)


def picture_of_good(authority):  # type: ignore[no-untyped-def]
    # The team's manageable caseload (20, child protection) as the file gives it on its first row;
    # the snapshot keeps the team's attributes as they were on its date.
    lines = GOOD.splitlines()
    text = "\n".join([lines[0] + ",manageable_caseload", lines[1] + ",20", *(x + "," for x in lines[2:])]) + "\n"
    plan, _ = run_import(authority, text)
    assert plan.ok, errors(plan)
    assert Team.objects.get(code="CP").manageable_caseload == 20
    return kpis.picture_for_month(authority=authority, calendar=FY, period=4)


def test_team_kpis_on_the_snapshot_date(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    picture = picture_of_good(authority)
    row = kpis.kpi_table(picture, by="team").set_index("group").loc["CP"]
    # 4 posts of 1.0 FTE; W1 at work and W2 on maternity leave hold P1 and P2 → 2 in post, 1 absent.
    assert row["budgeted_fte"] == pytest.approx(4.0)
    assert row["fte_in_post"] == pytest.approx(2.0)
    assert row["absent_fte"] == pytest.approx(1.0)
    # Vacancies 4 − 2 = 2 → vacancy rate 2/4 = 50%.
    assert row["vacancy_rate"] == pytest.approx(0.5)
    # Agency A1 1.0 + A2 0.5 = 1.5 FTE; agency rate 1.5 / (2 + 1.5) = 42.857%.
    assert row["agency_rate"] == pytest.approx(1.5 / 3.5)
    # Cover needed 2 + 1 = 3 ≥ 1.5 agency: none above establishment.
    assert row["above_establishment"] == pytest.approx(0.0)
    # Case holders at work: W1 18 cases (1.0), A1 16 (1.0), A2 8 (0.5) → 42 / 2.5 = 16.8 per FTE,
    # against the team's manageable 20. W2 (on leave) holds none.
    assert row["average_caseload"] == pytest.approx(16.8)
    assert row["manageable_caseload"] == pytest.approx(20.0)


def test_the_agency_premium_to_the_penny(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    row = kpis.kpi_total(picture_of_good(authority))
    # Agency weekly rates: £1,200 + £650 = £1,850 = 185,000p a week.
    # Same 1.5 FTE at the budgeted £41,600 per post FTE a year: £41,600 / 52 = £800 a week × 1.5
    # = £1,200 = 120,000p. Premium £650 a week = 65,000p = 54.17%; × 52 = £33,800 a year.
    assert row["agency_weekly_cost"] == 185_000
    assert row["equivalent_weekly_cost"] == 120_000
    assert row["agency_premium_weekly"] == 65_000
    assert row["agency_premium_pct"] == pytest.approx(65_000 / 120_000 * 100)
    assert row["agency_premium_annual"] == 3_380_000


def test_the_cost_committed_to_the_year_end_to_the_penny(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    picture = picture_of_good(authority)
    table = kpis.committed_table(picture, FY).set_index("month")
    # From 1 August 2019. Permanent: W1 and W2 at £36,000 = £3,000 a month each → 600,000p a
    # month, 8 months = 4,800,000p (W2's maternity leave does not stop her cost).
    # A1 £1,200 a week to 31 December inclusive: 31-day months £1,200 × 31/7 = £5,314.2857 →
    # 531,429p (Aug, Oct, Dec); 30-day months £5,142.857 → 514,286p (Sep, Nov); 0 from January.
    # A2 £650 a week, no end: 31 days → 287,857p; 30 days → 278,571p; February 2020 (29 days) →
    # £2,692.857 → 269,286p.
    assert table.loc["2019-08", "total_cost"] == 600_000 + 531_429 + 287_857  # 1,419,286
    assert table.loc["2019-12", "agency_cost"] == 531_429 + 287_857
    assert table.loc["2020-01", "agency_cost"] == 287_857  # A1 has gone
    assert table.loc["2020-02", "agency_cost"] == 269_286
    # A1: 3 × 531,429 + 2 × 514,286 = 2,622,859. A2: 5 × 287,857 + 2 × 278,571 + 269,286 = 2,265,713.
    assert int(table["agency_cost"].sum()) == 2_622_859 + 2_265_713
    assert int(table["permanent_cost"].sum()) == 4_800_000
    assert int(table["total_cost"].sum()) == 9_688_572  # £96,885.72


def test_kpis_group_into_hard_to_retain_teams_and_the_rest(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    text = GOOD + (
        "post,AS,Assessment East,N,AP1,,social worker,1,41600,,,,,,,\n"
        "post,AS,Assessment East,N,AP2,,social worker,1,41600,,,,,,,\n"
        "worker,AS,,,AW1,AP1,social worker,1,36000,permanent,,,,2018-01-01,,14\n"
    )
    plan, _ = run_import(authority, text)
    assert plan.ok, errors(plan)
    picture = kpis.picture_for_month(authority=authority, calendar=FY, period=4)
    table = kpis.kpi_table(picture, by="hard_to_retain").set_index("group")
    # Hard to retain (CP): vacancy rate 2/4. Other teams (AS): 1 vacancy of 2 = 50%, no agency.
    assert table.loc["hard to retain", "vacancies"] == pytest.approx(2.0)
    assert table.loc["other teams", "vacancy_rate"] == pytest.approx(0.5)
    assert table.loc["other teams", "agency_rate"] == pytest.approx(0.0)
    overall = kpis.kpi_total(picture)
    assert overall["vacancy_rate"] == pytest.approx(3 / 6)


def test_agency_by_reason_by_month_with_the_average(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    run_import(authority, GOOD)
    table = kpis.reasons_by_month(authority=authority, calendar=FY, upto=4).set_index("month")
    # April and May have no snapshot: read from the list on 30 April (none engaged) and 31 May
    # (A1 from 1 May: maternity 1.0). June (A2 from 3 June: vacancy 0.5). July: the snapshot.
    assert table.loc["2019-04", "total"] == pytest.approx(0.0)
    assert table.loc["2019-05", "maternity"] == pytest.approx(1.0)
    assert table.loc["2019-07", "vacancy"] == pytest.approx(0.5)
    # Average over the four months: maternity (0 + 1 + 1 + 1)/4 = 0.75; vacancy (0 + 0 + 0.5 + 0.5)/4 = 0.25.
    assert table.loc["Average", "maternity"] == pytest.approx(0.75)
    assert table.loc["Average", "vacancy"] == pytest.approx(0.25)
    assert table.loc["Average", "total"] == pytest.approx(1.0)


def test_a_month_without_a_snapshot_is_read_from_the_current_list_on_its_last_day(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    run_import(authority, GOOD)
    picture = kpis.picture_for_month(authority=authority, calendar=FY, period=9)
    assert picture.snapshot is None and picture.on == date(2019, 12, 31)
    assert "current workforce list" in picture.source
