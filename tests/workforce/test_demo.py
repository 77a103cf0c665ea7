"""The demo county's workforce: realistic, deterministic, costed close to the budget, and
acceptable to the forecast engine."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from accounts.models import AuditEvent, Role
from forecasting.demo import DEMO_LINES, seed_budget_and_actuals
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.inputs import EngineInputs, input_problems
from forecasting.engine.scenarios import Scenario
from forecasting.engine.workforce import worker_costs
from workforce import kpis, selectors
from workforce.demo import DEMO_TEAMS, SOCIAL_WORK_ROLES, seed_demo_data
from workforce.models import Post, Team, Worker, WorkforceSnapshot

pytestmark = pytest.mark.django_db

YEAR = "2019/20"
PERIOD = 7  # as at 31 October 2019, after the September ASYE intake


@pytest.fixture
def demo(authority, finance_officer, placement_types):  # type: ignore[no-untyped-def]
    seed_budget_and_actuals(authority=authority, year_label=YEAR, as_at_period=PERIOD, user=finance_officer)
    seed_demo_data(authority=authority, year_label=YEAR, period=PERIOD, users={Role.FINANCE_OFFICER: finance_officer})
    return authority


def test_the_demo_has_over_20_teams_and_about_300_fte_of_social_work_posts(demo) -> None:  # type: ignore[no-untyped-def]
    assert Team.objects.filter(authority=demo).count() == len(DEMO_TEAMS) >= 20
    social_work = sum(float(p.fte) for p in Post.objects.filter(authority=demo, role__in=SOCIAL_WORK_ROLES))
    assert 270 <= social_work <= 330
    # Every team is paid from one of the ten demo workforce lines.
    codes = {line.team for line in DEMO_LINES if line.category == "workforce"}
    assert set(Team.objects.filter(authority=demo).values_list("budget_line__team_code", flat=True)) == codes


def test_each_lines_posts_cost_its_budget_and_the_year_costs_close_to_it(demo) -> None:  # type: ignore[no-untyped-def]
    posts = selectors.posts_frame(authority=demo).groupby("team")["annual_cost"].sum()
    workers = selectors.workers_frame(authority=demo)
    year_cost = worker_costs(workers, Calendar.from_label(YEAR)).groupby("team")["cost"].sum()
    for line in DEMO_LINES:
        if line.category != "workforce":
            continue
        assert posts[line.team] == line.budget_pounds * 100  # the establishment costs the budget exactly
        # What is known at P7 (staff in post, agency to their expected ends) costs within 12% of budget.
        assert abs(year_cost[line.team] / (line.budget_pounds * 100) - 1) < 0.12, line.team


def test_the_headline_kpis_look_like_a_county_under_pressure(demo) -> None:  # type: ignore[no-untyped-def]
    picture = kpis.picture_for_month(authority=demo, calendar=Calendar.from_label(YEAR), period=PERIOD)
    assert picture.snapshot is not None
    total = kpis.kpi_total(picture)
    assert 0.11 <= total["vacancy_rate"] <= 0.19
    agency = Worker.objects.filter(authority=demo, worker_type="agency", start_date__lte=date(2019, 10, 31))
    engaged = [w for w in agency if w.end_date is None or w.end_date >= date(2019, 10, 31)]
    assert 60 <= len(engaged) <= 80
    reasons = {w.agency_reason for w in engaged}
    assert {"vacancy", "additional_capacity", "asye_cover"} <= reasons
    assert total["agency_premium_weekly"] > 0
    assert 0.8 <= total["average_caseload"] / total["manageable_caseload"] <= 1.25


def test_asye_starters_arrive_in_september(demo) -> None:  # type: ignore[no-untyped-def]
    asyes = Worker.objects.filter(authority=demo, asye=True)
    assert 10 <= asyes.count() <= 20
    assert {w.start_date for w in asyes} == {date(2019, 9, 2)}  # the first Monday of September


def test_there_is_a_snapshot_for_each_month_to_date_and_everything_is_audited(demo) -> None:  # type: ignore[no-untyped-def]
    dates = list(WorkforceSnapshot.objects.filter(authority=demo).order_by("as_at").values_list("as_at", flat=True))
    assert dates == [Calendar.from_label(YEAR).month_end(p) for p in range(1, PERIOD + 1)]
    trend = kpis.trend_table(authority=demo)
    assert len(trend) == PERIOD and trend["asye_fte"].iloc[-1] > trend["asye_fte"].iloc[0]
    created = AuditEvent.objects.filter(authority=demo, action="workforce.demo").count()
    assert created == Team.objects.count() + Post.objects.count() + Worker.objects.count()


def test_the_demo_is_the_same_every_time(
    authority,
    other_authority,
    finance_officer,
    other_finance_officer,  # type: ignore[no-untyped-def]
    placement_types,
) -> None:
    for who, user in ((authority, finance_officer), (other_authority, other_finance_officer)):
        seed_budget_and_actuals(authority=who, year_label=YEAR, as_at_period=PERIOD, user=user)
        seed_demo_data(authority=who, year_label=YEAR, period=PERIOD, users={Role.FINANCE_OFFICER: user})
    first = selectors.workers_frame(authority=authority)
    second = selectors.workers_frame(authority=other_authority)
    assert first.equals(second)


def test_the_forecast_engine_accepts_the_demo_workforce(demo) -> None:  # type: ignore[no-untyped-def]
    lines = pd.DataFrame(
        [
            {
                "line_code": line.code,
                "line_name": line.name,
                "category": line.category,
                "team": line.team or None,
                "placement_type": line.placement_type,
                "annual_budget": line.budget_pounds * 100,
                "method": None,
            }
            for line in DEMO_LINES
        ]
    )
    inputs = EngineInputs(
        year=Calendar.from_label(YEAR),
        as_at_period=PERIOD,
        budget_lines=lines,
        scenarios=[Scenario(name=n) for n in ("best", "middle", "worst")],
        posts=selectors.posts_frame(authority=demo),
        workers=selectors.workers_frame(authority=demo),
    )
    problems = [p for p in input_problems(inputs) if "workforce" in p.lower() or "staff" in p.lower()]
    assert problems == []
    assert not np.any(selectors.workers_frame(authority=demo)["fte"] > 1.5)
