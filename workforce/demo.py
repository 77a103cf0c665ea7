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

Everything comes from one seeded random generator, so every run gives the same workforce.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Authority, Role, User
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.models import BudgetLine
from workforce.models import Post, SnapshotRow, Team, Worker, WorkerType
from workforce.services import audit_rows, post_state, snapshot_replace, team_state, worker_state


@dataclass(frozen=True)
class DemoTeam:
    code: str
    name: str
    budget_team: str  # the team code of the workforce line that pays for it
    hard_to_retain: bool
    manageable: int | None  # cases per worker; None where workers hold no caseload (MASH)
    social_work_posts: int
    frontline_role: str = "social worker"
    support_role: str = "family support worker"


DEMO_TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam("MASH-A", "MASH duty team A", "MASH", True, None, 10),
    DemoTeam("MASH-B", "MASH duty team B", "MASH", True, None, 10),
    DemoTeam("ASSESS-N", "Assessment North", "ASSESS", True, 15, 16),
    DemoTeam("ASSESS-S", "Assessment South", "ASSESS", True, 15, 16),
    DemoTeam("ASSESS-E", "Assessment East", "ASSESS", True, 15, 16),
    DemoTeam("ASSESS-W", "Assessment West", "ASSESS", True, 15, 16),
    DemoTeam("CPN-1", "Child protection North 1", "CPN", True, 20, 14),
    DemoTeam("CPN-2", "Child protection North 2", "CPN", True, 20, 14),
    DemoTeam("CPN-3", "Child protection North 3", "CPN", True, 20, 14),
    DemoTeam("CPS-1", "Child protection South 1", "CPS", True, 20, 14),
    DemoTeam("CPS-2", "Child protection South 2", "CPS", True, 20, 14),
    DemoTeam("CPS-3", "Child protection South 3", "CPS", True, 20, 14),
    DemoTeam("LAC-1", "Children in care 1", "LAC", False, 18, 12),
    DemoTeam("LAC-2", "Children in care 2", "LAC", False, 18, 12),
    DemoTeam("LAC-3", "Children in care 3", "LAC", False, 18, 12),
    DemoTeam("CWD-N", "Disabled children North", "CWD", True, 18, 11),
    DemoTeam("CWD-S", "Disabled children South", "CWD", True, 18, 11),
    DemoTeam("COURT", "Court team", "COURT", True, 15, 14),
    DemoTeam("PA-N", "Leaving care North", "PA", False, 25, 2, support_role="personal adviser"),
    DemoTeam("PA-S", "Leaving care South", "PA", False, 25, 2, support_role="personal adviser"),
    DemoTeam("FOST-R", "Fostering recruitment and assessment", "FOST", False, 12, 12,
             frontline_role="supervising social worker"),
    DemoTeam("FOST-S", "Fostering supervising social workers", "FOST", False, 15, 12,
             frontline_role="supervising social worker"),
    DemoTeam("IRO", "Independent reviewing officers", "IRO", False, 60, 17,
             frontline_role="independent reviewing officer"),
)

# Budgeted cost a year per full-time post, pounds, salary at the top of the grade plus on-costs.
ROLE_COST = {
    "team manager": 76_000, "senior practitioner": 64_000, "social worker": 56_000,
    "supervising social worker": 55_000, "independent reviewing officer": 62_000,
    "family support worker": 37_000, "personal adviser": 38_000, "business support officer": 30_000,
}
SOCIAL_WORK_ROLES = {"team manager", "senior practitioner", "social worker", "supervising social worker",
                     "independent reviewing officer"}
# Teams where ASYEs start in September, and where agency ASYE cover is engaged for them.
ASYE_TEAMS = ("ASSESS", "CPN", "CPS", "LAC")
ASYE_COVER_TEAMS = ("CPN", "CPS")


@dataclass
class DemoPost:
    team: DemoTeam
    ref: str
    role: str
    fte: Decimal
    annual_cost: int  # pence


@dataclass
class DemoWorker:
    ref: str
    team: DemoTeam
    post: DemoPost | None
    role: str
    worker_type: str
    fte: Decimal
    start: date
    end: date | None
    annual_cost: int | None = None
    weekly_rate: int | None = None
    reason: str = ""
    asye: bool = False
    absence: tuple[str, date, date] | None = None  # (kind, first day, last day)
    caseload: int | None = None
    notice_days: int = 30  # how long before their last day a leaver's end date is known
    known_from: date | None = None  # a starter appears in the HR list from this day
    case_noise: list[int] = field(default_factory=list)


def _first_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _build_posts(rng: random.Random, budgets: dict[str, int]) -> list[DemoPost]:
    """Posts per team; the support posts of each line make its posts cost exactly its budget."""
    posts: list[DemoPost] = []
    counter: dict[str, int] = {}

    def add(team: DemoTeam, role: str, fte: Decimal, cost: int) -> DemoPost:
        counter[team.code] = counter.get(team.code, 0) + 1
        post = DemoPost(team, f"{team.code}-P{counter[team.code]:03d}", role, fte, cost)
        posts.append(post)
        return post

    for budget_team, budget in budgets.items():
        teams = [t for t in DEMO_TEAMS if t.budget_team == budget_team]
        spent = 0
        for team in teams:
            roles = ["team manager"] + ["senior practitioner"] * (2 if team.social_work_posts >= 8 else 1)
            roles += [team.frontline_role] * (team.social_work_posts - len(roles))
            for role in roles:
                cost = ROLE_COST[role] * 100
                add(team, role, Decimal("1.00"), cost)
                spent += cost
        remaining = budget - spent
        if remaining < 0:
            raise ValueError(f"the demo social work posts of {budget_team} cost more than its budget")
        # Support posts round-robin over the line's teams until the budget is used up; the last
        # post takes what is left (part-time), so the line's posts cost exactly its budget.
        i = 0
        while remaining > 0:
            team = teams[i % len(teams)]
            role = team.support_role if (i % 3 != 2 or team.support_role == "personal adviser") \
                else "business support officer"
            cost = ROLE_COST[role] * 100
            if remaining >= cost:
                add(team, role, Decimal("1.00"), cost)
                remaining -= cost
            else:
                fte = (Decimal(remaining) / Decimal(cost)).quantize(Decimal("0.01"))
                if fte >= Decimal("0.30"):
                    add(team, role, fte, remaining)
                else:  # too small for a post: the last post's budget absorbs it
                    posts[-1].annual_cost += remaining
                remaining = 0
            i += 1
    return posts


def _generate(rng: random.Random, calendar: Calendar, posts: list[DemoPost]) -> list[DemoWorker]:
    """The year as it happened: every permanent and agency row, with absences and caseloads."""
    year_start, year_end = calendar.start, calendar.end
    workers: list[DemoWorker] = []
    employee = iter(range(40_001, 99_999))
    agency_no = iter(range(1_001, 9_999))

    def permanent(post: DemoPost, start: date, *, asye: bool = False, fte: Decimal | None = None) -> DemoWorker:
        fte = fte if fte is not None else (Decimal("1.00") if rng.random() > 0.08 else rng.choice(
            [Decimal("0.60"), Decimal("0.80"), Decimal("0.80")]))
        fte = min(fte, post.fte)
        scale = 0.80 if asye else rng.uniform(0.95, 1.03)  # salary point within the grade
        cost = int(round(post.annual_cost / post.fte * fte * Decimal(str(scale)) / 100)) * 100
        worker = DemoWorker(f"E{next(employee)}", post.team, post, post.role, WorkerType.PERMANENT, fte, start, None,
                            annual_cost=cost, asye=asye)
        workers.append(worker)
        return worker

    def agency(team: DemoTeam, start: date, end: date | None, reason: str, post: DemoPost | None = None,
               role: str = "social worker") -> DemoWorker:
        # Agency charges run 20–50% above the permanent cost of the post (seed 002: 60–80% more
        # than permanent salaries before on-costs), a little more in the hard-to-retain teams.
        base = (ROLE_COST.get(role, 56_000) / 52) * rng.uniform(1.22, 1.45 if team.hard_to_retain else 1.35)
        rate = int(round(base / 5)) * 5 * 100
        worker = DemoWorker(f"AG{next(agency_no)}", team, post, role, WorkerType.AGENCY, Decimal("1.00"), start,
                            end, weekly_rate=rate, reason=reason)
        workers.append(worker)
        return worker

    def random_day(first: date, last: date) -> date:
        return first + timedelta(days=rng.randrange((last - first).days + 1))

    vacant: list[DemoPost] = []
    for post in posts:
        social_work = post.role in SOCIAL_WORK_ROLES
        if post.team.hard_to_retain:
            chance = 0.25 if social_work else 0.08
        else:
            chance = 0.07 if social_work else 0.05
        if post.role == "team manager":
            chance = 0.05
        if rng.random() < chance:
            vacant.append(post)
            continue
        start = random_day(date(year_start.year - 12, 1, 1), year_start - timedelta(days=30))
        permanent(post, start)

    # ASYEs start on the first Monday of September in vacant social worker posts.
    september = _monday_on_or_after(date(year_start.year, 9, 1))
    asye_posts = [p for p in vacant if p.team.budget_team in ASYE_TEAMS and p.role == "social worker"]
    rng.shuffle(asye_posts)
    asye_posts = asye_posts[:14]
    for post in asye_posts:
        worker = permanent(post, september, asye=True, fte=Decimal("1.00"))
        worker.known_from = september - timedelta(days=120)  # recruited in the spring

    # Vacancy cover: most social work vacancies in hard-to-retain teams, fewer elsewhere.
    for post in vacant:
        if post.role not in SOCIAL_WORK_ROLES or post.role == "team manager":
            continue
        if rng.random() > (0.92 if post.team.hard_to_retain else 0.60):
            continue
        start = random_day(year_start - timedelta(days=400), year_start + timedelta(days=60))
        end: date | None
        if post in asye_posts:
            end = september - timedelta(days=3)  # the Friday before the ASYE starts
        else:
            end = random_day(year_start + timedelta(days=150), year_end + timedelta(days=180)) \
                if rng.random() < 0.6 else None
        agency(post.team, start, end, "vacancy", post, role=post.role)

    # ASYE cover in child protection: newly qualified workers cannot hold CP cases at first.
    cp_asyes = [p for p in asye_posts if p.team.budget_team in ASYE_COVER_TEAMS]
    for post in cp_asyes:
        agency(post.team, september, september + timedelta(days=rng.choice([120, 150, 180]) - 1), "asye_cover")

    # Leavers through the year and their replacements after a gap.
    permanents = [w for w in workers if w.worker_type == WorkerType.PERMANENT and not w.asye]
    for worker in permanents:
        if rng.random() < 0.11 and worker.post is not None:
            last = random_day(year_start + timedelta(days=20), year_end - timedelta(days=10))
            worker.end = last
            worker.notice_days = rng.choice([28, 30, 56, 84])
            gap = rng.randrange(45, 150)
            start = _first_weekday(last + timedelta(days=gap))
            if start <= year_end and rng.random() < 0.7:
                successor = permanent(worker.post, start, fte=worker.fte)
                successor.known_from = start - timedelta(days=rng.randrange(20, 60))
            elif worker.post.role in SOCIAL_WORK_ROLES and worker.team.hard_to_retain and rng.random() < 0.6:
                agency(worker.team, last + timedelta(days=1), None, "vacancy", worker.post, role=worker.post.role)

    # Absences of permanent staff, most of them covered by an agency worker in social work.
    kinds = [("maternity", 270, 0.45), ("long_term_sickness", 120, 0.45), ("suspension", 75, 0.10)]
    for worker in [w for w in permanents if w.end is None]:
        if rng.random() >= 0.08:
            continue
        kind, days, _ = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        first = random_day(year_start - timedelta(days=days // 2), year_end - timedelta(days=60))
        last = first + timedelta(days=int(days * rng.uniform(0.7, 1.3)))
        worker.absence = (kind, first, last)
        if worker.role in SOCIAL_WORK_ROLES and worker.role != "team manager" and rng.random() < 0.75:
            agency(worker.team, first + timedelta(days=rng.randrange(0, 21)), last, kind)

    # Additional capacity where caseloads run high (Nottinghamshire, paragraph 36).
    capacity_teams = [t for t in DEMO_TEAMS if t.budget_team in ("ASSESS", "CPN", "CPS")]
    for i in range(22):
        team = capacity_teams[i % len(capacity_teams)]
        start = random_day(year_start - timedelta(days=120), year_start + timedelta(days=200))
        agency(team, start, start + timedelta(days=rng.choice([91, 122, 182, 273]) - 1), "additional_capacity")

    # Caseloads: case holders sit around their team's manageable level, ASYEs well below it.
    for worker in workers:
        manageable = worker.team.manageable
        # Team managers, family support workers and business support hold no caseload of their own.
        if manageable is None or worker.role in ("team manager", "family support worker", "business support officer"):
            continue
        if worker.asye:
            level = manageable * 0.6
        elif worker.role == "senior practitioner":
            level = manageable * 0.85
        else:
            level = manageable * (1.08 if worker.team.hard_to_retain else 0.97)
        worker.caseload = max(2, round(rng.gauss(level, max(1.5, manageable * 0.12))))
        worker.case_noise = [round(rng.gauss(0, max(1.0, manageable * 0.06))) for _ in range(12)]
    return workers


def _known_on(worker: DemoWorker, day: date) -> bool:
    """In the HR list on `day`: started (or a known starter) and not yet gone."""
    if worker.end is not None and worker.end < day:
        return False
    known_from = worker.known_from or worker.start
    return min(known_from, worker.start) <= day


def _end_known_on(worker: DemoWorker, day: date) -> date | None:
    """A permanent leaver's last day is known once they have given notice; agency ends always."""
    if worker.end is None:
        return None
    if worker.worker_type == WorkerType.AGENCY:
        return worker.end
    return worker.end if worker.end - timedelta(days=worker.notice_days) <= day else None


def _absence_on(worker: DemoWorker, day: date) -> tuple[str, date] | None:
    if worker.absence is None:
        return None
    kind, first, last = worker.absence
    return (kind, first) if first <= day <= last else None


def _caseload_on(worker: DemoWorker, period: int, day: date) -> int | None:
    if worker.caseload is None or _absence_on(worker, day) or worker.start > day:
        return None
    months = max(0, (day.year - worker.start.year) * 12 + day.month - worker.start.month)
    # A new starter builds up their caseload over their first three months.
    ramp = min(1.0, (months + 1) / 3) if worker.start.year >= day.year - 1 else 1.0
    return max(0, round(worker.caseload * ramp) + worker.case_noise[period - 1])


def seed_demo_data(*, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
    """Teams, posts, workers and a snapshot for each month of the year to `period`."""
    user = users.get(Role.FINANCE_OFFICER)
    calendar = Calendar.from_label(year_label)
    lines = {
        line.team_code: line
        for line in BudgetLine.objects.filter(authority=authority, category=BudgetLine.Category.WORKFORCE)
    }
    budgets = {}
    for spec in DEMO_TEAMS:
        line = lines.get(spec.budget_team)
        if line is None:
            raise ValueError(f"the demo budget has no workforce line with team code {spec.budget_team}")
        budget = line.budgets.filter(year__label=year_label).values_list("amount", flat=True).first()
        budgets[spec.budget_team] = int(budget or 0)
    rng = random.Random(f"outturn-demo-workforce-{year_label}")
    posts = _build_posts(rng, budgets)
    workers = _generate(rng, calendar, posts)
    as_at = calendar.as_at_date(period)

    # The current list: what was known at the end of the last period.
    teams = {}
    for spec in DEMO_TEAMS:
        teams[spec.code] = Team.objects.create(
            authority=authority, code=spec.code, name=spec.name, budget_line=lines[spec.budget_team],
            hard_to_retain=spec.hard_to_retain, manageable_caseload=spec.manageable,
        )
    post_objects = Post.objects.bulk_create([
        Post(authority=authority, team=teams[p.team.code], ref=p.ref, role=p.role, fte=p.fte, annual_cost=p.annual_cost)
        for p in posts
    ])
    by_ref = {p.ref: p for p in post_objects}
    current = []
    for w in workers:
        left_this_year = w.end is not None and calendar.start <= w.end < as_at
        if not (_known_on(w, as_at) or left_this_year):
            continue  # not known yet on the as-at date (a later starter or leaver)
        absence = _absence_on(w, as_at)
        current.append(Worker(
            authority=authority, team=teams[w.team.code], post=by_ref[w.post.ref] if w.post else None, ref=w.ref,
            role=w.role, worker_type=w.worker_type, fte=w.fte, start_date=w.start, end_date=_end_known_on(w, as_at),
            annual_cost=w.annual_cost, weekly_rate=w.weekly_rate, agency_reason=w.reason,
            absence=absence[0] if absence else "", absence_since=absence[1] if absence else None,
            caseload=_caseload_on(w, period, as_at), asye=w.asye,
        ))
    Worker.objects.bulk_create(current, batch_size=1000)
    changes = [("workforce.Team", str(t.pk), str(t), None, team_state(t)) for t in teams.values()]
    changes += [("workforce.Post", str(p.pk), p.ref, None, post_state(p)) for p in post_objects]
    saved = Worker.objects.filter(authority=authority).select_related("team", "post")
    changes += [("workforce.Worker", str(w.pk), w.ref, None, worker_state(w)) for w in saved]
    audit_rows(authority=authority, user=user, action="workforce.demo", changes=changes,
               reason="demo workforce (seed_demo)")

    # One snapshot per month of the year to date, as the list stood on each month's last day.
    for month in range(1, period + 1):
        day = calendar.month_end(month)
        rows = [
            SnapshotRow(record=SnapshotRow.Record.POST, team=p.team.code, team_name=p.team.name,
                        budget_team=p.team.budget_team, hard_to_retain=p.team.hard_to_retain,
                        manageable_caseload=p.team.manageable, ref=p.ref, role=p.role, fte=p.fte,
                        annual_cost=p.annual_cost)
            for p in posts
        ]
        for w in workers:
            if not _known_on(w, day):
                continue
            absence = _absence_on(w, day)
            rows.append(SnapshotRow(
                record=SnapshotRow.Record.WORKER, team=w.team.code, team_name=w.team.name,
                budget_team=w.team.budget_team, hard_to_retain=w.team.hard_to_retain,
                manageable_caseload=w.team.manageable, ref=w.ref, post_ref=w.post.ref if w.post else "",
                role=w.role, worker_type=w.worker_type, fte=w.fte, annual_cost=w.annual_cost,
                weekly_rate=w.weekly_rate, agency_reason=w.reason, absence=absence[0] if absence else "",
                start_date=w.start, end_date=_end_known_on(w, day), caseload=_caseload_on(w, month, day),
                asye=w.asye,
            ))
        snapshot_replace(authority=authority, user=user, as_at=day, rows=rows,
                         teams={t.code for t in DEMO_TEAMS}, source="demo data")
