"""What importing a workforce file would change, as the preview lists it: the snapshot of its
date and, when the file is the latest picture, the teams, posts and workers of the current list."""

from __future__ import annotations

from accounts.models import Authority
from core.importing import Change, ImportPlan
from forecasting.engine.money import pounds_text
from workforce.import_rows import WorkerRow, WorkforcePayload
from workforce.models import Post, Worker, WorkerType, WorkforceSnapshot
from workforce.rules import fte_text
from workforce.services import day_before


def pounds(pence: int | None) -> str:
    return pounds_text(pence, 2)


def describe_changes(plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
    _snapshot_change(plan, authority, payload)
    if not payload.update_current:
        return
    for describe in CURRENT_LIST_CHANGES:
        describe(plan, authority, payload)


def _snapshot_change(plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
    as_at = payload.as_at
    snapshot = WorkforceSnapshot.objects.filter(authority=authority, as_at=as_at).first()
    rows = len(payload.posts) + len(payload.workers)
    plan.changes.append(
        Change(
            "update" if snapshot else "create",
            f"snapshot {as_at.isoformat()}",
            f"workforce snapshot as at {as_at.isoformat()}: rows of {len(payload.teams)} team(s) "
            + ("replaced" if snapshot else "recorded"),
            "",
            f"{rows} rows",
        )
    )


def _team_changes(plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
    for spec in payload.teams.values():
        if spec.existing is None:
            plan.changes.append(
                Change(
                    "create",
                    f"team {spec.code}",
                    f"new team {spec.code} {spec.name or ''} on line {spec.line.code if spec.line else ''}",
                )
            )
            continue
        changed = (
            (spec.name is not None and spec.name != spec.existing.name)
            or (spec.hard_to_retain is not None and spec.hard_to_retain != spec.existing.hard_to_retain)
            or (spec.manageable_caseload is not None and spec.manageable_caseload != spec.existing.manageable_caseload)
            or (spec.line is not None and spec.line.pk != spec.existing.budget_line_id)
        )
        plan.changes.append(Change("update" if changed else "unchanged", f"team {spec.code}", f"team {spec.code}"))


def _post_changes(plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
    """The file's posts, then the posts of the teams it describes that it leaves out (removed)."""
    teams = {s.code.upper() for s in payload.teams.values()}
    posts = {p.ref.upper(): p for p in Post.objects.filter(authority=authority).select_related("team")}
    for p in payload.posts:
        current = posts.get(p.ref.upper())
        after = f"{p.team}, {fte_text(p.fte)} FTE, {pounds(p.annual_cost)}"
        if current is None:
            plan.changes.append(Change("create", f"post {p.ref}", f"post {p.ref}", "", after))
        else:
            before = f"{current.team.code}, {fte_text(current.fte)} FTE, {pounds(current.annual_cost)}"
            action = "unchanged" if before == after else "update"
            plan.changes.append(Change(action, f"post {p.ref}", f"post {p.ref}", before, after))
    in_file = {p.ref.upper() for p in payload.posts}
    for key, current in posts.items():
        if current.team.code.upper() in teams and key not in in_file:
            plan.changes.append(
                Change(
                    "delete",
                    f"post {current.ref}",
                    f"post {current.ref} of team {current.team.code} is not in the file and is removed",
                    f"{fte_text(current.fte)} FTE",
                    "",
                )
            )


def _worker_changes(plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
    """The file's workers, then those of the teams it describes engaged on the as-at date that it
    leaves out: they have left (or, starting that day, are removed)."""
    as_at = payload.as_at
    teams = {s.code.upper() for s in payload.teams.values()}
    workers = {w.ref.upper(): w for w in Worker.objects.filter(authority=authority).select_related("team", "post")}
    for w in payload.workers:
        stored = workers.get(w.ref.upper())
        if stored is None:
            plan.changes.append(
                Change("create", f"worker {w.ref}", f"{w.worker_type} worker {w.ref} in {w.team}", "", worker_text(w))
            )
        else:
            before, after = stored_worker_text(stored), worker_text(w)
            action = "unchanged" if before == after else "update"
            plan.changes.append(Change(action, f"worker {w.ref}", f"worker {w.ref}", before, after))
    in_file = {w.ref.upper() for w in payload.workers}
    for key, stored in workers.items():
        if stored.team.code.upper() in teams and key not in in_file and stored.engaged_on(as_at):
            starts_that_day = stored.start_date >= as_at
            what = (
                "is removed (they started on the as-at date)"
                if starts_that_day
                else f"left: last day set to {day_before(as_at).isoformat()}"
            )
            plan.changes.append(
                Change(
                    "delete" if starts_that_day else "update",
                    f"worker {stored.ref}",
                    f"worker {stored.ref} of team {stored.team.code} is not in the file and {what}",
                    stored.end_date.isoformat() if stored.end_date else "no end date",
                    "" if starts_that_day else day_before(as_at).isoformat(),
                )
            )


# What the current list would gain, change and lose, in the order the preview lists it.
CURRENT_LIST_CHANGES = (_team_changes, _post_changes, _worker_changes)


def worker_text(w: WorkerRow) -> str:
    money = (
        pounds(w.annual_cost) + " a year"
        if w.worker_type == WorkerType.PERMANENT
        else (pounds(w.weekly_rate) + " a week")
    )
    parts = [w.team, w.worker_type, f"{fte_text(w.fte)} FTE", money, f"from {w.start_date.isoformat()}"]
    if w.post_ref:
        parts.append(f"post {w.post_ref}")
    if w.agency_reason:
        parts.append(w.agency_reason)
    if w.asye:
        parts.append("ASYE")
    if w.role:
        parts.append(w.role)
    if w.end_date:
        parts.append(f"to {w.end_date.isoformat()}")
    if w.absence:
        parts.append(w.absence)
    if w.caseload is not None:
        parts.append(f"{w.caseload} cases")
    return ", ".join(parts)


def stored_worker_text(w: Worker) -> str:
    return worker_text(
        WorkerRow(
            row=0,
            team=w.team.code,
            ref=w.ref,
            post_ref=w.post.ref if w.post else "",
            role=w.role,
            worker_type=w.worker_type,
            fte=w.fte,
            start_date=w.start_date,
            end_date=w.end_date,
            annual_cost=w.annual_cost,
            weekly_rate=w.weekly_rate,
            agency_reason=w.agency_reason,
            absence=w.absence,
            caseload=w.caseload,
            asye=w.asye,
        )
    )
