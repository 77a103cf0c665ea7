"""The demo county's social work workforce (seed_demo).

23 teams under the ten workforce budget lines of `forecasting.demo.DEMO_LINES` (sub-teams keep
their line's team code as `budget_team`, so the forecast sees exactly one line per team code).
About 300 FTE of social work posts (team managers, senior practitioners, social workers,
supervising social workers, IROs) plus the family support, personal adviser and business
support posts the lines also pay for; each line's posts cost exactly its budget.

The year is generated as it happened, then each month's snapshot shows what was known on its
last day, and the current list what was known at the end of the last period:

- posts vacant at the start of the year (about 15%, more in the hard-to-retain teams), most of
  the social work vacancies covered by agency workers;
- leavers through the year (about 12% a year) and replacements after a gap;
- newly qualified social workers (ASYE) starting in September in assessment, child protection
  and children in care teams, with agency ASYE cover in the child protection teams;
- maternity, long-term sickness and suspensions, mostly covered by agency workers;
- agency "additional capacity" in assessment and child protection, where caseloads run high;
- caseloads around each team's manageable level.

Everything comes from one seeded random generator, so every run gives the same workforce; the
generation is in workforce.demo_year, the storing here.
"""

from __future__ import annotations

import random
from datetime import date

from accounts.models import Authority, Role, User
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.models import BudgetLine
from workforce.demo_year import (
    DEMO_TEAMS,
    SOCIAL_WORK_ROLES,
    DemoPost,
    DemoWorker,
    absence_on,
    build_posts,
    caseload_on,
    end_known_on,
    generate,
    known_on,
)
from workforce.models import Post, SnapshotRow, Team, Worker
from workforce.services import audit_rows, post_state, snapshot_replace, team_state, worker_state

# The teams and roles stay importable from here, where the demo's tests read them.
__all__ = ["DEMO_TEAMS", "SOCIAL_WORK_ROLES", "seed_demo_data"]


def seed_demo_data(*, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
    """Teams, posts, workers and a snapshot for each month of the year to `period`."""
    user = users.get(Role.FINANCE_OFFICER)
    calendar = Calendar.from_label(year_label)
    lines = {
        line.team_code: line
        for line in BudgetLine.objects.filter(authority=authority, category=BudgetLine.Category.WORKFORCE)
    }
    rng = random.Random(f"outturn-demo-workforce-{year_label}")
    posts = build_posts(rng, _line_budgets(lines, year_label))
    workers = generate(rng, calendar, posts)
    _seed_current_list(authority, user, lines, posts, workers, calendar=calendar, period=period)
    # One snapshot per month of the year to date, as the list stood on each month's last day.
    for month in range(1, period + 1):
        day = calendar.month_end(month)
        snapshot_replace(
            authority=authority,
            user=user,
            as_at=day,
            rows=_snapshot_rows(posts, workers, month, day),
            teams={t.code for t in DEMO_TEAMS},
            source="demo data",
        )


def _line_budgets(lines: dict[str, BudgetLine], year_label: str) -> dict[str, int]:
    """The year's budget of each demo team's workforce line (pence), by the line's team code."""
    budgets = {}
    for spec in DEMO_TEAMS:
        line = lines.get(spec.budget_team)
        if line is None:
            raise ValueError(f"the demo budget has no workforce line with team code {spec.budget_team}")
        budget = line.budgets.filter(year__label=year_label).values_list("amount", flat=True).first()
        budgets[spec.budget_team] = int(budget or 0)
    return budgets


def _seed_current_list(
    authority: Authority,
    user: User | None,
    lines: dict[str, BudgetLine],
    posts: list[DemoPost],
    workers: list[DemoWorker],
    *,
    calendar: Calendar,
    period: int,
) -> None:
    """The current list: what was known at the end of the last period, audited as demo data."""
    as_at = calendar.as_at_date(period)
    teams = {}
    for spec in DEMO_TEAMS:
        teams[spec.code] = Team.objects.create(
            authority=authority,
            code=spec.code,
            name=spec.name,
            budget_line=lines[spec.budget_team],
            hard_to_retain=spec.hard_to_retain,
            manageable_caseload=spec.manageable,
        )
    post_objects = Post.objects.bulk_create(
        [
            Post(
                authority=authority,
                team=teams[p.team.code],
                ref=p.ref,
                role=p.role,
                fte=p.fte,
                annual_cost=p.annual_cost,
            )
            for p in posts
        ]
    )
    by_ref = {p.ref: p for p in post_objects}
    current = []
    for w in workers:
        left_this_year = w.end is not None and calendar.start <= w.end < as_at
        if not (known_on(w, as_at) or left_this_year):
            continue  # not known yet on the as-at date (a later starter or leaver)
        current.append(_current_worker(authority, w, teams[w.team.code], by_ref, as_at=as_at, period=period))
    Worker.objects.bulk_create(current, batch_size=1000)
    changes = [("workforce.Team", str(t.pk), str(t), None, team_state(t)) for t in teams.values()]
    changes += [("workforce.Post", str(p.pk), p.ref, None, post_state(p)) for p in post_objects]
    saved = Worker.objects.filter(authority=authority).select_related("team", "post")
    changes += [("workforce.Worker", str(w.pk), w.ref, None, worker_state(w)) for w in saved]
    audit_rows(
        authority=authority, user=user, action="workforce.demo", changes=changes, reason="the demo county's workforce"
    )


def _current_worker(
    authority: Authority, w: DemoWorker, team: Team, posts: dict[str, Post], *, as_at: date, period: int
) -> Worker:
    """A worker's record in the current list, as known on the as-at date."""
    absence = absence_on(w, as_at)
    return Worker(
        authority=authority,
        team=team,
        post=posts[w.post.ref] if w.post else None,
        ref=w.ref,
        role=w.role,
        worker_type=w.worker_type,
        fte=w.fte,
        start_date=w.start,
        end_date=end_known_on(w, as_at),
        annual_cost=w.annual_cost,
        weekly_rate=w.weekly_rate,
        agency_reason=w.reason,
        absence=absence[0] if absence else "",
        absence_since=absence[1] if absence else None,
        caseload=caseload_on(w, period, as_at),
        asye=w.asye,
    )


def _snapshot_rows(posts: list[DemoPost], workers: list[DemoWorker], month: int, day: date) -> list[SnapshotRow]:
    """The list as it stood on `day`, the last day of period `month`: every post, and every
    worker known then."""
    rows = [
        SnapshotRow(
            record=SnapshotRow.Record.POST,
            team=p.team.code,
            team_name=p.team.name,
            budget_team=p.team.budget_team,
            hard_to_retain=p.team.hard_to_retain,
            manageable_caseload=p.team.manageable,
            ref=p.ref,
            role=p.role,
            fte=p.fte,
            annual_cost=p.annual_cost,
        )
        for p in posts
    ]
    for w in workers:
        if not known_on(w, day):
            continue
        absence = absence_on(w, day)
        rows.append(
            SnapshotRow(
                record=SnapshotRow.Record.WORKER,
                team=w.team.code,
                team_name=w.team.name,
                budget_team=w.team.budget_team,
                hard_to_retain=w.team.hard_to_retain,
                manageable_caseload=w.team.manageable,
                ref=w.ref,
                post_ref=w.post.ref if w.post else "",
                role=w.role,
                worker_type=w.worker_type,
                fte=w.fte,
                annual_cost=w.annual_cost,
                weekly_rate=w.weekly_rate,
                agency_reason=w.reason,
                absence=absence[0] if absence else "",
                start_date=w.start,
                end_date=end_known_on(w, day),
                caseload=caseload_on(w, month, day),
                asye=w.asye,
            )
        )
    return rows
