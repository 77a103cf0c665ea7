"""Writing a workforce file that has no problems: its teams, the current list of posts and
workers (when the file is the latest picture) and the snapshot of its date."""

from __future__ import annotations

from typing import Any

from accounts.models import Authority, User
from workforce.import_rows import WorkforcePayload
from workforce.models import Post, SnapshotRow, Team, Worker
from workforce.services import audit_rows, day_before, post_state, team_state, worker_state

# (object type, id, repr, before, after) for the audit trail
AuditChange = tuple[str, str, str, Any, Any]


def apply_teams(authority: Authority, user: User | None, payload: WorkforcePayload) -> dict[str, Team]:
    """The file's teams, created or changed as it describes them, by upper-case code."""
    changes = []
    out = {}
    for key, spec in payload.teams.items():
        team = spec.existing
        before = team_state(team) if team else None
        if team is None:
            assert spec.line is not None
            team = Team(authority=authority, code=spec.code, name=spec.name or spec.line.name, budget_line=spec.line)
        if spec.name is not None:
            team.name = spec.name
        if spec.hard_to_retain is not None:
            team.hard_to_retain = spec.hard_to_retain
        if spec.manageable_caseload is not None:
            team.manageable_caseload = spec.manageable_caseload
        if spec.line is not None:
            team.budget_line = spec.line
        after = team_state(team)
        if before != after:
            team.save()
            changes.append(("workforce.Team", str(team.pk), str(team), before, after))
        out[key] = team
    audit_rows(authority=authority, user=user, action="team.import", changes=changes)
    return out


def apply_current(
    authority: Authority,
    user: User | None,
    payload: WorkforcePayload,
    teams: dict[str, Team],
    source: str,
) -> dict[str, int]:
    """The current list as the file describes it: its posts and workers, and for the teams it
    describes, posts left out removed and workers left out ended."""
    counts = {
        "posts_created": 0,
        "posts_updated": 0,
        "posts_removed": 0,
        "workers_created": 0,
        "workers_updated": 0,
        "workers_ended": 0,
    }
    changes: list[AuditChange] = []
    posts = _apply_posts(authority, payload, teams, counts, changes)
    _apply_workers(authority, payload, teams, posts, counts, changes)
    audit_rows(
        authority=authority,
        user=user,
        action="workforce.import",
        changes=changes,
        reason=f"workforce file {source} as at {payload.as_at.isoformat()}",
    )
    return counts


def _apply_posts(
    authority: Authority,
    payload: WorkforcePayload,
    teams: dict[str, Team],
    counts: dict[str, int],
    changes: list[AuditChange],
) -> dict[str, Post]:
    """Every post kept after the import, by upper-case ref."""
    described = {t.pk for t in teams.values()}
    posts = {p.ref.upper(): p for p in Post.objects.filter(authority=authority).select_related("team__budget_line")}
    keep: set[str] = set()
    for r in payload.posts:
        post = posts.get(r.ref.upper())
        before = post_state(post) if post else None
        if post is None:
            post = Post(authority=authority, ref=r.ref)
        post.team, post.fte, post.annual_cost = teams[r.team.upper()], r.fte, r.annual_cost
        post.role = r.role or post.role
        after = post_state(post)
        if before != after:
            post.save()
            counts["posts_created" if before is None else "posts_updated"] += 1
            changes.append(("workforce.Post", str(post.pk), str(post), before, after))
        posts[r.ref.upper()] = post
        keep.add(r.ref.upper())
    for key, post in list(posts.items()):
        if post.team_id in described and key not in keep:
            changes.append(("workforce.Post", str(post.pk), str(post), post_state(post), None))
            post.delete()
            del posts[key]
            counts["posts_removed"] += 1
    return posts


def _apply_workers(
    authority: Authority,
    payload: WorkforcePayload,
    teams: dict[str, Team],
    posts: dict[str, Post],
    counts: dict[str, int],
    changes: list[AuditChange],
) -> None:
    workers = {w.ref.upper(): w for w in Worker.objects.filter(authority=authority).select_related("team", "post")}
    seen: set[str] = set()
    for wr in payload.workers:
        worker = workers.get(wr.ref.upper())
        before = worker_state(worker) if worker else None
        if worker is None:
            worker = Worker(authority=authority, ref=wr.ref)
        worker.team = teams[wr.team.upper()]
        worker.post = posts.get(wr.post_ref.upper()) if wr.post_ref else None
        worker.role = wr.role or worker.role
        worker.worker_type, worker.fte = wr.worker_type, wr.fte
        worker.start_date, worker.end_date = wr.start_date, wr.end_date
        worker.annual_cost, worker.weekly_rate = wr.annual_cost, wr.weekly_rate
        worker.agency_reason = wr.agency_reason
        if wr.absence != worker.absence:
            worker.absence_since = payload.as_at if wr.absence else None
        worker.absence, worker.caseload, worker.asye = wr.absence, wr.caseload, wr.asye
        after = worker_state(worker)
        if before != after:
            worker.save()
            counts["workers_created" if before is None else "workers_updated"] += 1
            changes.append(("workforce.Worker", str(worker.pk), str(worker), before, after))
        seen.add(wr.ref.upper())
    described = {t.pk for t in teams.values()}
    left_out = [w for key, w in workers.items() if w.team_id in described and key not in seen]
    _end_workers_left_out(payload, left_out, counts, changes)


def _end_workers_left_out(
    payload: WorkforcePayload, workers: list[Worker], counts: dict[str, int], changes: list[AuditChange]
) -> None:
    """A worker of a described team engaged on the as-at date but not in the file has left: their
    last day is the day before (one who starts that day never started, and is removed)."""
    for worker in workers:
        if not worker.engaged_on(payload.as_at):
            continue
        before = worker_state(worker)
        if worker.start_date >= payload.as_at:
            changes.append(("workforce.Worker", str(worker.pk), str(worker), before, None))
            worker.delete()
        else:
            worker.end_date = day_before(payload.as_at)
            worker.save(update_fields=["end_date", "updated_at"])
            changes.append(("workforce.Worker", str(worker.pk), str(worker), before, worker_state(worker)))
        counts["workers_ended"] += 1


def snapshot_rows(payload: WorkforcePayload, teams: dict[str, Team]) -> list[SnapshotRow]:
    """The file's rows as imported, with each team's attributes as they are after the import."""

    def team_fields(code: str) -> dict[str, Any]:
        spec = payload.teams[code.upper()]
        team = teams.get(code.upper())
        line = spec.line or (team.budget_line if team else None)
        return {
            "team": spec.code,
            "team_name": spec.name or (team.name if team else spec.code),
            "budget_team": (line.team_code if line and line.team_code else spec.code),
            "hard_to_retain": spec.hard_to_retain
            if spec.hard_to_retain is not None
            else bool(team and team.hard_to_retain),
            "manageable_caseload": spec.manageable_caseload
            if spec.manageable_caseload is not None
            else (team.manageable_caseload if team else None),
        }

    rows = [
        SnapshotRow(
            record=SnapshotRow.Record.POST,
            ref=p.ref,
            role=p.role,
            fte=p.fte,
            annual_cost=p.annual_cost,
            **team_fields(p.team),
        )
        for p in payload.posts
    ]
    rows += [
        SnapshotRow(
            record=SnapshotRow.Record.WORKER,
            ref=w.ref,
            post_ref=w.post_ref,
            role=w.role,
            worker_type=w.worker_type,
            fte=w.fte,
            annual_cost=w.annual_cost,
            weekly_rate=w.weekly_rate,
            agency_reason=w.agency_reason,
            absence=w.absence,
            start_date=w.start_date,
            end_date=w.end_date,
            caseload=w.caseload,
            asye=w.asye,
            **team_fields(w.team),
        )
        for w in payload.workers
    ]
    return rows
