"""Writes for the workforce: teams, posts, workers, absences, agency engagements, snapshots.

Every change is audited (who, when, before, after). Services take keyword-only arguments and
check everything they are given against the authority, so a page cannot attach a worker to
another council's team or post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_bulk, audit_record
from accounts.models import Authority, User
from forecasting.models import BudgetLine
from workforce.models import Post, SnapshotRow, Team, Worker, WorkerType, WorkforceSnapshot
from workforce.rules import Holder, WorkerValues, fte_text, overfilled, worker_problems


class WorkforceChangeError(ValidationError):
    """A change that breaks a workforce rule; message_dict maps fields to messages."""


# --------------------------------------------------------------------------------------------
# states for the audit trail


def team_state(team: Team) -> dict[str, Any]:
    return {
        "code": team.code,
        "name": team.name,
        "budget_line": team.budget_line.code,
        "hard_to_retain": team.hard_to_retain,
        "manageable_caseload": team.manageable_caseload,
    }


def post_state(post: Post) -> dict[str, Any]:
    return {
        "ref": post.ref,
        "team": post.team.code,
        "role": post.role,
        "fte": str(post.fte),
        "annual_cost": post.annual_cost,
    }


def worker_state(worker: Worker) -> dict[str, Any]:
    return {
        "ref": worker.ref,
        "team": worker.team.code,
        "post": worker.post.ref if worker.post else None,
        "role": worker.role,
        "worker_type": worker.worker_type,
        "fte": str(worker.fte),
        "start_date": worker.start_date.isoformat() if worker.start_date else None,
        "end_date": worker.end_date.isoformat() if worker.end_date else None,
        "annual_cost": worker.annual_cost,
        "weekly_rate": worker.weekly_rate,
        "agency_reason": worker.agency_reason,
        "absence": worker.absence,
        "absence_since": worker.absence_since.isoformat() if worker.absence_since else None,
        "caseload": worker.caseload,
        "asye": worker.asye,
    }


def _locked(queryset: Any) -> Any:
    """Lock only the row being changed: a worker's post is an outer join, which PostgreSQL
    cannot lock, and the team or post need not be held still to change one worker."""
    return queryset.select_for_update(of=("self",))


# --------------------------------------------------------------------------------------------
# teams and posts


def _check_line(*, authority: Authority, line: BudgetLine) -> None:
    if line.authority_id != authority.pk or line.category != BudgetLine.Category.WORKFORCE:
        raise WorkforceChangeError({"budget_line": ["choose one of this council's workforce budget lines"]})


@transaction.atomic
def team_save(
    *,
    authority: Authority,
    user: User | None,
    code: str,
    name: str,
    budget_line: BudgetLine,
    hard_to_retain: bool = False,
    manageable_caseload: int | None = None,
    team: Team | None = None,
) -> Team:
    _check_line(authority=authority, line=budget_line)
    if team is None:
        team, before = Team(authority=authority), None
    else:
        team = _locked(Team.objects.select_related("budget_line")).get(pk=team.pk, authority=authority)
        before = team_state(team)
    team.code, team.name, team.budget_line = code.strip(), name.strip(), budget_line
    team.hard_to_retain, team.manageable_caseload = hard_to_retain, manageable_caseload
    team.full_clean()
    team.save()
    after = team_state(team)
    if before != after:
        audit_record(
            authority=authority,
            user=user,
            action="team.create" if before is None else "team.update",
            obj=team,
            before=before,
            after=after,
        )
    return team


@transaction.atomic
def post_save(
    *,
    authority: Authority,
    user: User | None,
    team: Team,
    ref: str,
    fte: Decimal,
    annual_cost: int,
    role: str = "",
    post: Post | None = None,
) -> Post:
    if team.authority_id != authority.pk:
        raise WorkforceChangeError({"team": ["choose one of this council's teams"]})
    if post is None:
        post, before = Post(authority=authority), None
    else:
        post = _locked(Post.objects.select_related("team")).get(pk=post.pk, authority=authority)
        before = post_state(post)
    post.team, post.ref, post.fte, post.annual_cost, post.role = team, ref.strip(), fte, annual_cost, role.strip()
    post.full_clean()
    post.save()
    after = post_state(post)
    if before != after:
        audit_record(
            authority=authority,
            user=user,
            action="post.create" if before is None else "post.update",
            obj=post,
            before=before,
            after=after,
        )
    return post


# --------------------------------------------------------------------------------------------
# workers


@dataclass
class WorkerData:
    """What a form gives for a worker (money in pence)."""

    ref: str
    team: Team
    worker_type: str
    fte: Decimal
    start_date: date
    end_date: date | None = None
    post: Post | None = None
    role: str = ""
    annual_cost: int | None = None
    weekly_rate: int | None = None
    agency_reason: str = ""
    caseload: int | None = None
    asye: bool = False


def _validate_worker(*, authority: Authority, worker: Worker) -> None:
    problems: dict[str, list[str]] = {}
    for column, message in worker_problems(
        WorkerValues(
            worker_type=worker.worker_type,
            fte=worker.fte,
            start_date=worker.start_date,
            end_date=worker.end_date,
            annual_cost=worker.annual_cost,
            weekly_rate=worker.weekly_rate,
            agency_reason=worker.agency_reason,
            caseload=worker.caseload,
        )
    ):
        problems.setdefault(column, []).append(message)
    if worker.team.authority_id != authority.pk:
        problems.setdefault("team", []).append("choose one of this council's teams")
    post = worker.post
    if post is not None:
        if post.authority_id != authority.pk:
            problems.setdefault("post", []).append("choose one of this council's posts")
        elif post.team_id != worker.team_id:
            problems.setdefault("post", []).append(
                f"post {post.ref} belongs to team {post.team.code}, not {worker.team.code}"
            )
        elif worker.worker_type == WorkerType.PERMANENT:
            holders = [
                Holder(w.ref, w.fte, w.start_date, w.end_date)
                for w in Worker.objects.filter(post=post, worker_type=WorkerType.PERMANENT).exclude(pk=worker.pk)
            ]
            me = Holder(worker.ref, worker.fte, worker.start_date, worker.end_date)
            clashes = [(h, others) for h, others in overfilled(post.fte, [*holders, me]) if h is me or me in others]
            if clashes:
                names = sorted(
                    {o.label for _, others in clashes for o in others} | {h.label for h, _ in clashes} - {worker.ref}
                )
                problems.setdefault("post", []).append(
                    f"post {post.ref} ({fte_text(post.fte)} FTE) is already filled by {', '.join(names)} "
                    "over these dates"
                )
    if problems:
        raise WorkforceChangeError(problems)


@transaction.atomic
def worker_add(*, authority: Authority, user: User | None, data: WorkerData) -> Worker:
    """A new permanent worker or agency engagement (FORECAST.md, Workforce)."""
    if Worker.objects.filter(authority=authority, ref=data.ref.strip()).exists():
        raise WorkforceChangeError({"ref": [f"a worker with reference {data.ref.strip()} already exists"]})
    worker = Worker(authority=authority)
    _assign(worker, data)
    _validate_worker(authority=authority, worker=worker)
    worker.full_clean()
    worker.save()
    action = "agency_engagement.create" if worker.is_agency else "worker.create"
    audit_record(authority=authority, user=user, action=action, obj=worker, after=worker_state(worker))
    return worker


def _assign(worker: Worker, data: WorkerData) -> None:
    worker.ref, worker.team, worker.post, worker.role = data.ref.strip(), data.team, data.post, data.role.strip()
    worker.worker_type, worker.fte = data.worker_type, data.fte
    worker.start_date, worker.end_date = data.start_date, data.end_date
    agency = data.worker_type == WorkerType.AGENCY
    # Keep only the rate that costs this kind of worker, so the record cannot say two things.
    worker.annual_cost = None if agency else data.annual_cost
    worker.weekly_rate = data.weekly_rate if agency else None
    worker.agency_reason = data.agency_reason if agency else ""
    worker.caseload, worker.asye = data.caseload, data.asye


@transaction.atomic
def worker_update(
    *, authority: Authority, user: User | None, worker: Worker, data: WorkerData, reason: str = ""
) -> Worker:
    worker = _locked(Worker.objects.select_related("team", "post")).get(pk=worker.pk, authority=authority)
    before = worker_state(worker)
    if data.ref.strip() != worker.ref and Worker.objects.filter(authority=authority, ref=data.ref.strip()).exists():
        raise WorkforceChangeError({"ref": [f"a worker with reference {data.ref.strip()} already exists"]})
    _assign(worker, data)
    _validate_worker(authority=authority, worker=worker)
    worker.full_clean()
    worker.save()
    after = worker_state(worker)
    if before != after:
        audit_record(
            authority=authority,
            user=user,
            action="worker.update",
            obj=worker,
            before=before,
            after=after,
            reason=reason,
        )
    return worker


@transaction.atomic
def worker_end(*, authority: Authority, user: User | None, worker: Worker, end_date: date, reason: str = "") -> Worker:
    """Record a worker's last day (inclusive) or an agency engagement's expected end."""
    worker = _locked(Worker.objects.select_related("team", "post")).get(pk=worker.pk, authority=authority)
    if end_date < worker.start_date:
        raise WorkforceChangeError(
            {
                "end_date": [
                    f"the last day ({end_date.isoformat()}) is before the start date ({worker.start_date.isoformat()})"
                ]
            }
        )
    before = worker_state(worker)
    worker.end_date = end_date
    worker.save(update_fields=["end_date", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="worker.end",
        obj=worker,
        before=before,
        after=worker_state(worker),
        reason=reason,
    )
    return worker


@transaction.atomic
def worker_absence_set(
    *,
    authority: Authority,
    user: User | None,
    worker: Worker,
    absence: str,
    since: date | None = None,
    reason: str = "",
) -> Worker:
    """Start (absence = maternity / long_term_sickness / suspension) or end (absence = "") an absence.

    An absence never stops a permanent worker's cost; it is the cover that agency workers fill.
    """
    worker = _locked(Worker.objects.select_related("team", "post")).get(pk=worker.pk, authority=authority)
    if worker.is_agency and absence:
        raise WorkforceChangeError(
            {"absence": ["absences are recorded for permanent staff; end the agency engagement"]}
        )
    before = worker_state(worker)
    worker.absence = absence
    worker.absence_since = since if absence else None
    worker.full_clean()
    worker.save(update_fields=["absence", "absence_since", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="worker.absence" if absence else "worker.return",
        obj=worker,
        before=before,
        after=worker_state(worker),
        reason=reason,
    )
    return worker


# --------------------------------------------------------------------------------------------
# snapshots


def _row_from_worker(worker: Worker, snapshot: WorkforceSnapshot) -> SnapshotRow:
    team = worker.team
    return SnapshotRow(
        snapshot=snapshot,
        record=SnapshotRow.Record.WORKER,
        team=team.code,
        team_name=team.name,
        budget_team=team.budget_team,
        hard_to_retain=team.hard_to_retain,
        manageable_caseload=team.manageable_caseload,
        ref=worker.ref,
        post_ref=worker.post.ref if worker.post else "",
        role=worker.role,
        worker_type=worker.worker_type,
        fte=worker.fte,
        annual_cost=worker.annual_cost,
        weekly_rate=worker.weekly_rate,
        agency_reason=worker.agency_reason,
        absence=worker.absence,
        start_date=worker.start_date,
        end_date=worker.end_date,
        caseload=worker.caseload,
        asye=worker.asye,
    )


def _row_from_post(post: Post, snapshot: WorkforceSnapshot) -> SnapshotRow:
    team = post.team
    return SnapshotRow(
        snapshot=snapshot,
        record=SnapshotRow.Record.POST,
        team=team.code,
        team_name=team.name,
        budget_team=team.budget_team,
        hard_to_retain=team.hard_to_retain,
        manageable_caseload=team.manageable_caseload,
        ref=post.ref,
        role=post.role,
        fte=post.fte,
        annual_cost=post.annual_cost,
    )


def snapshot_replace(
    *,
    authority: Authority,
    user: User | None,
    as_at: date,
    rows: list[SnapshotRow],
    teams: set[str],
    source: str,
) -> WorkforceSnapshot:
    """Replace the rows of `teams` in the snapshot of `as_at` with `rows` (creating it if needed).

    Rows of teams the source does not describe are kept: a file with only the assessment teams
    does not wipe the child protection teams from that month's picture.
    """
    snapshot, created = WorkforceSnapshot.objects.get_or_create(
        authority=authority, as_at=as_at, defaults={"source": source[:255], "created_by": user}
    )
    removed = 0 if created else snapshot.rows.filter(team__in=teams).delete()[0]
    if not created:
        snapshot.source = source[:255]
        snapshot.save(update_fields=["source", "updated_at"])
    for row in rows:
        row.snapshot = snapshot
    SnapshotRow.objects.bulk_create(rows, batch_size=2000)
    audit_record(
        authority=authority,
        user=user,
        action="workforce_snapshot.create" if created else "workforce_snapshot.replace",
        obj=snapshot,
        before=None if created else {"rows_replaced": removed},
        after={"as_at": as_at.isoformat(), "rows": len(rows), "teams": sorted(teams), "source": source},
    )
    return snapshot


@transaction.atomic
def snapshot_take(*, authority: Authority, user: User | None, as_at: date) -> WorkforceSnapshot:
    """Record today's list as the picture on `as_at`: every post, and every worker not gone by then.

    Workers whose last day is before `as_at` are left out (they had gone); future starters are
    kept, as an HR list would show them.
    """
    teams = set(Team.objects.filter(authority=authority).values_list("code", flat=True))
    rows = [
        _row_from_post(p, WorkforceSnapshot())
        for p in Post.objects.filter(authority=authority).select_related("team__budget_line")
    ]
    workers = Worker.objects.filter(authority=authority).select_related("team__budget_line", "post")
    rows += [_row_from_worker(w, WorkforceSnapshot()) for w in workers if w.end_date is None or w.end_date >= as_at]
    return snapshot_replace(
        authority=authority, user=user, as_at=as_at, rows=rows, teams=teams, source="taken from the workforce list"
    )


@transaction.atomic
def snapshot_delete(*, authority: Authority, user: User | None, snapshot: WorkforceSnapshot) -> None:
    snapshot = WorkforceSnapshot.objects.get(pk=snapshot.pk, authority=authority)
    count = snapshot.rows.count()
    audit_record(
        authority=authority,
        user=user,
        action="workforce_snapshot.delete",
        obj=snapshot,
        before={"as_at": snapshot.as_at.isoformat(), "rows": count, "source": snapshot.source},
    )
    snapshot.delete()


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def audit_rows(
    *,
    authority: Authority,
    user: User | None,
    action: str,
    changes: list[tuple[str, str, str, Any, Any]],
    reason: str = "",
) -> int:
    """Many changes at once (imports, demo data): (type, id, repr, before, after)."""
    return audit_bulk(authority=authority, user=user, action=action, changes=changes, reason=reason)
