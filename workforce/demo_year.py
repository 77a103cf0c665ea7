"""The demo county's social work workforce as planned and as its year happened (seed_demo),
in plain Python: teams, posts and every permanent and agency worker, with their absences and
caseloads. workforce.demo stores it.

23 teams under the ten workforce budget lines of `forecasting.demo.DEMO_LINES` (sub-teams keep
their line's team code as `budget_team`, so the forecast sees exactly one line per team code).
Everything comes from one seeded random generator, drawn in a fixed order, so every run gives
the same workforce.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from forecasting.engine.calendar import FinancialYear as Calendar
from workforce.models import WorkerType


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
    DemoTeam(
        "FOST-R",
        "Fostering recruitment and assessment",
        "FOST",
        False,
        12,
        12,
        frontline_role="supervising social worker",
    ),
    DemoTeam(
        "FOST-S",
        "Fostering supervising social workers",
        "FOST",
        False,
        15,
        12,
        frontline_role="supervising social worker",
    ),
    DemoTeam(
        "IRO", "Independent reviewing officers", "IRO", False, 60, 17, frontline_role="independent reviewing officer"
    ),
)

# Budgeted cost a year per full-time post, pounds, salary at the top of the grade plus on-costs.
ROLE_COST = {
    "team manager": 76_000,
    "senior practitioner": 64_000,
    "social worker": 56_000,
    "supervising social worker": 55_000,
    "independent reviewing officer": 62_000,
    "family support worker": 37_000,
    "personal adviser": 38_000,
    "business support officer": 30_000,
}
SOCIAL_WORK_ROLES = {
    "team manager",
    "senior practitioner",
    "social worker",
    "supervising social worker",
    "independent reviewing officer",
}
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


def build_posts(rng: random.Random, budgets: dict[str, int]) -> list[DemoPost]:
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
            role = (
                team.support_role
                if (i % 3 != 2 or team.support_role == "personal adviser")
                else "business support officer"
            )
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


class _Year:
    """The demo year as it happens, step by step, from the one seeded generator: every draw is
    made in the same order on every run, which is what keeps the demo workforce the same."""

    def __init__(self, rng: random.Random, calendar: Calendar) -> None:
        self.rng = rng
        self.start, self.end = calendar.start, calendar.end
        # ASYEs start on the first Monday of September.
        self.september = _monday_on_or_after(date(calendar.start.year, 9, 1))
        self.workers: list[DemoWorker] = []
        self._employee = iter(range(40_001, 99_999))
        self._agency_no = iter(range(1_001, 9_999))

    def permanent(self, post: DemoPost, start: date, *, asye: bool = False, fte: Decimal | None = None) -> DemoWorker:
        rng = self.rng
        fte = (
            fte
            if fte is not None
            else (
                Decimal("1.00")
                if rng.random() > 0.08
                else rng.choice([Decimal("0.60"), Decimal("0.80"), Decimal("0.80")])
            )
        )
        fte = min(fte, post.fte)
        scale = 0.80 if asye else rng.uniform(0.95, 1.03)  # salary point within the grade
        cost = int(round(post.annual_cost / post.fte * fte * Decimal(str(scale)) / 100)) * 100
        worker = DemoWorker(
            f"E{next(self._employee)}",
            post.team,
            post,
            post.role,
            WorkerType.PERMANENT,
            fte,
            start,
            None,
            annual_cost=cost,
            asye=asye,
        )
        self.workers.append(worker)
        return worker

    def agency(
        self,
        team: DemoTeam,
        start: date,
        end: date | None,
        reason: str,
        post: DemoPost | None = None,
        role: str = "social worker",
    ) -> DemoWorker:
        # Agency charges run 20–50% above the permanent cost of the post (seed 002: 60–80% more
        # than permanent salaries before on-costs), a little more in the hard-to-retain teams.
        base = (ROLE_COST.get(role, 56_000) / 52) * self.rng.uniform(1.22, 1.45 if team.hard_to_retain else 1.35)
        rate = int(round(base / 5)) * 5 * 100
        worker = DemoWorker(
            f"AG{next(self._agency_no)}",
            team,
            post,
            role,
            WorkerType.AGENCY,
            Decimal("1.00"),
            start,
            end,
            weekly_rate=rate,
            reason=reason,
        )
        self.workers.append(worker)
        return worker

    def random_day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))


def generate(rng: random.Random, calendar: Calendar, posts: list[DemoPost]) -> list[DemoWorker]:
    """The year as it happened: every permanent and agency row, with absences and caseloads."""
    year = _Year(rng, calendar)
    vacant = _fill_posts(year, posts)
    asye_posts = _start_asyes(year, vacant)
    _cover_vacancies(year, vacant, asye_posts)
    _cover_asyes(year, asye_posts)
    # Leavers and absences are drawn from the permanent staff before anyone replaces a leaver.
    permanents = [w for w in year.workers if w.worker_type == WorkerType.PERMANENT and not w.asye]
    _leavers(year, permanents)
    _absences(year, permanents)
    _additional_capacity(year)
    _caseloads(year)
    return year.workers


def _fill_posts(year: _Year, posts: list[DemoPost]) -> list[DemoPost]:
    """Posts held at the start of the year (by someone who started years ago); returns the vacant
    ones: about 15%, more in the hard-to-retain teams."""
    vacant: list[DemoPost] = []
    for post in posts:
        social_work = post.role in SOCIAL_WORK_ROLES
        if post.team.hard_to_retain:
            chance = 0.25 if social_work else 0.08
        else:
            chance = 0.07 if social_work else 0.05
        if post.role == "team manager":
            chance = 0.05
        if year.rng.random() < chance:
            vacant.append(post)
            continue
        start = year.random_day(date(year.start.year - 12, 1, 1), year.start - timedelta(days=30))
        year.permanent(post, start)
    return vacant


def _start_asyes(year: _Year, vacant: list[DemoPost]) -> list[DemoPost]:
    """ASYEs start on the first Monday of September in vacant social worker posts; returns their posts."""
    asye_posts = [p for p in vacant if p.team.budget_team in ASYE_TEAMS and p.role == "social worker"]
    year.rng.shuffle(asye_posts)
    asye_posts = asye_posts[:14]
    for post in asye_posts:
        worker = year.permanent(post, year.september, asye=True, fte=Decimal("1.00"))
        worker.known_from = year.september - timedelta(days=120)  # recruited in the spring
    return asye_posts


def _cover_vacancies(year: _Year, vacant: list[DemoPost], asye_posts: list[DemoPost]) -> None:
    """Vacancy cover: most social work vacancies in hard-to-retain teams, fewer elsewhere."""
    rng = year.rng
    for post in vacant:
        if post.role not in SOCIAL_WORK_ROLES or post.role == "team manager":
            continue
        if rng.random() > (0.92 if post.team.hard_to_retain else 0.60):
            continue
        start = year.random_day(year.start - timedelta(days=400), year.start + timedelta(days=60))
        end: date | None
        if post in asye_posts:
            end = year.september - timedelta(days=3)  # the Friday before the ASYE starts
        else:
            end = (
                year.random_day(year.start + timedelta(days=150), year.end + timedelta(days=180))
                if rng.random() < 0.6
                else None
            )
        year.agency(post.team, start, end, "vacancy", post, role=post.role)


def _cover_asyes(year: _Year, asye_posts: list[DemoPost]) -> None:
    """ASYE cover in child protection: newly qualified workers cannot hold CP cases at first."""
    september = year.september
    for post in [p for p in asye_posts if p.team.budget_team in ASYE_COVER_TEAMS]:
        days = year.rng.choice([120, 150, 180])
        year.agency(post.team, september, september + timedelta(days=days - 1), "asye_cover")


def _leavers(year: _Year, permanents: list[DemoWorker]) -> None:
    """Leavers through the year (about 12%) and their replacements after a gap."""
    rng = year.rng
    for worker in permanents:
        if rng.random() < 0.11 and worker.post is not None:
            last = year.random_day(year.start + timedelta(days=20), year.end - timedelta(days=10))
            worker.end = last
            worker.notice_days = rng.choice([28, 30, 56, 84])
            gap = rng.randrange(45, 150)
            start = _first_weekday(last + timedelta(days=gap))
            if start <= year.end and rng.random() < 0.7:
                successor = year.permanent(worker.post, start, fte=worker.fte)
                successor.known_from = start - timedelta(days=rng.randrange(20, 60))
            elif worker.post.role in SOCIAL_WORK_ROLES and worker.team.hard_to_retain and rng.random() < 0.6:
                year.agency(worker.team, last + timedelta(days=1), None, "vacancy", worker.post, role=worker.post.role)


def _absences(year: _Year, permanents: list[DemoWorker]) -> None:
    """Absences of permanent staff, most of them covered by an agency worker in social work."""
    rng = year.rng
    kinds = [("maternity", 270, 0.45), ("long_term_sickness", 120, 0.45), ("suspension", 75, 0.10)]
    for worker in [w for w in permanents if w.end is None]:
        if rng.random() >= 0.08:
            continue
        kind, days, _ = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        first = year.random_day(year.start - timedelta(days=days // 2), year.end - timedelta(days=60))
        last = first + timedelta(days=int(days * rng.uniform(0.7, 1.3)))
        worker.absence = (kind, first, last)
        if worker.role in SOCIAL_WORK_ROLES and worker.role != "team manager" and rng.random() < 0.75:
            year.agency(worker.team, first + timedelta(days=rng.randrange(0, 21)), last, kind)


def _additional_capacity(year: _Year) -> None:
    """Additional capacity where caseloads run high (Nottinghamshire, paragraph 36)."""
    capacity_teams = [t for t in DEMO_TEAMS if t.budget_team in ("ASSESS", "CPN", "CPS")]
    for i in range(22):
        team = capacity_teams[i % len(capacity_teams)]
        start = year.random_day(year.start - timedelta(days=120), year.start + timedelta(days=200))
        days = year.rng.choice([91, 122, 182, 273])
        year.agency(team, start, start + timedelta(days=days - 1), "additional_capacity")


def _caseloads(year: _Year) -> None:
    """Caseloads: case holders sit around their team's manageable level, ASYEs well below it."""
    rng = year.rng
    for worker in year.workers:
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


def known_on(worker: DemoWorker, day: date) -> bool:
    """In the HR list on `day`: started (or a known starter) and not yet gone."""
    if worker.end is not None and worker.end < day:
        return False
    known_from = worker.known_from or worker.start
    return min(known_from, worker.start) <= day


def end_known_on(worker: DemoWorker, day: date) -> date | None:
    """A permanent leaver's last day is known once they have given notice; agency ends always."""
    if worker.end is None:
        return None
    if worker.worker_type == WorkerType.AGENCY:
        return worker.end
    return worker.end if worker.end - timedelta(days=worker.notice_days) <= day else None


def absence_on(worker: DemoWorker, day: date) -> tuple[str, date] | None:
    if worker.absence is None:
        return None
    kind, first, last = worker.absence
    return (kind, first) if first <= day <= last else None


def caseload_on(worker: DemoWorker, period: int, day: date) -> int | None:
    if worker.caseload is None or absence_on(worker, day) or worker.start > day:
        return None
    months = max(0, (day.year - worker.start.year) * 12 + day.month - worker.start.month)
    # A new starter builds up their caseload over their first three months.
    ramp = min(1.0, (months + 1) / 3) if worker.start.year >= day.year - 1 else 1.0
    return max(0, round(worker.caseload * ramp) + worker.case_noise[period - 1])
