"""The `workforce` import (DATA_FORMATS.md, Workforce): posts and workers as at a date.

What a file describes, and so what importing it replaces: the teams that appear in it, as they
stood on its as-at date.

- The snapshot of that date: the rows of those teams are replaced by the file's rows (other
  teams' rows of that date are kept).
- The current list, when the as-at date is on or after the latest snapshot (an older file only
  fills in history): teams, posts and workers are created or updated by code and reference;
  posts of those teams missing from the file are removed; workers of those teams engaged on the
  as-at date but missing from the file have left, so their last day becomes the day before.

Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import Authority, User
from core.importing import Change, Column, Importer, ImportPlan, RowReader, register
from core.parsing import parse_bool, parse_choice, parse_date, parse_decimal, parse_int, parse_money
from core.tabular import Table
from forecasting.engine.money import pence_to_pounds
from forecasting.models import BudgetLine
from workforce.models import Absence, AgencyReason, Post, SnapshotRow, Team, Worker, WorkerType, WorkforceSnapshot
from workforce.rules import (
    Holder,
    WorkerValues,
    annual_cost_problems,
    fte_problems,
    fte_text,
    overfilled,
    worker_problems,
)
from workforce.services import (
    audit_rows,
    day_before,
    post_state,
    snapshot_replace,
    team_state,
    worker_state,
)


def _pounds(pence: int | None) -> str:
    return "" if pence is None else f"£{pence_to_pounds(pence):,}"


def _fte(text: str) -> Decimal:
    value = parse_decimal(text)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"'{text}' has more than 2 decimal places; give FTE like 0.8")
    # Stored with 2 decimals: compare like with like so a re-import of "1" over 1.00 is unchanged.
    return value.quantize(Decimal("0.01")) if abs(value) < 1000 else value


@dataclass
class TeamSpec:
    code: str  # as the authority knows it (existing team's code, else as written)
    name: str | None = None
    hard_to_retain: bool | None = None
    manageable_caseload: int | None = None
    line: BudgetLine | None = None
    existing: Team | None = None
    first_row: int = 0


@dataclass
class PostRow:
    row: int
    team: str
    ref: str
    role: str
    fte: Decimal
    annual_cost: int


@dataclass
class WorkerRow:
    row: int
    team: str
    ref: str
    post_ref: str
    role: str
    worker_type: str
    fte: Decimal
    start_date: date
    end_date: date | None
    annual_cost: int | None
    weekly_rate: int | None
    agency_reason: str
    absence: str
    caseload: int | None
    asye: bool


@dataclass
class WorkforcePayload:
    as_at: date
    update_current: bool
    teams: dict[str, TeamSpec] = field(default_factory=dict)  # by upper-case code
    posts: list[PostRow] = field(default_factory=list)
    workers: list[WorkerRow] = field(default_factory=list)


def _as_at(plan: ImportPlan, table: Table, options: dict[str, Any]) -> date | None:
    """One as-at date for the file: --as-at (or the upload page's field) and/or an as_at column."""
    given: date | None = None
    if options.get("as_at"):
        try:
            given = parse_date(str(options["as_at"]))
        except ValueError as error:
            plan.error(None, "as_at", options["as_at"], f"the as-at date given for the import is not usable: {error}")
            return None
    if "as_at" in table.frame.columns:
        found: dict[date, int] = {}
        for row, text in zip(table.row_numbers, table.frame["as_at"], strict=True):
            if not str(text).strip():
                if given is None:
                    plan.error(row, "as_at", "", "is blank and no as-at date was given for the import")
                continue
            try:
                value = parse_date(str(text))
            except ValueError as error:
                plan.error(row, "as_at", text, str(error))
                continue
            if given is not None and value != given:
                plan.error(row, "as_at", text,
                           f"differs from the as-at date given for the import ({given.isoformat()})")
            found.setdefault(value, row)
        if given is None and len(found) > 1:
            dates = ", ".join(f"{d.isoformat()} (row {r})" for d, r in sorted(found.items()))
            plan.error(None, "as_at", "", f"the file holds several as-at dates ({dates}); import one date per file")
            return None
        if given is None and found:
            given = next(iter(found))
    if given is None and not plan.errors:
        plan.error(None, "as_at", "", "no as-at date: give --as-at 2019-07-31 (or the as-at field) or an as_at column")
    return given


@register
class WorkforceImporter(Importer):
    kind = "workforce"
    title = "Workforce: posts and workers as at a date"
    needs_as_at = True
    columns = (
        Column("record", True, "post or worker"), Column("team", True, "team code"), Column("team_name"),
        Column("hard_to_retain"), Column("ref", True, "post or worker reference"), Column("post_ref"),
        Column("role"), Column("fte", True), Column("annual_cost"), Column("worker_type"), Column("weekly_rate"),
        Column("agency_reason"), Column("absence"), Column("start_date"), Column("end_date"), Column("caseload"),
        Column("as_at"),
        # Optional additions (DATA_FORMATS.md allows new optional columns):
        Column("manageable_caseload", help="cases an experienced worker in the team can safely hold"),
        Column("line_code", help="the workforce budget line that pays for a new team"),
        Column("asye", help="newly qualified social worker in their ASYE year (Y/N)"),
    )

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        as_at = _as_at(plan, table, options)
        if as_at is None:
            return
        latest = (
            WorkforceSnapshot.objects.filter(authority=authority).order_by("-as_at").values_list("as_at", flat=True)
            .first()
        )
        payload = WorkforcePayload(as_at=as_at, update_current=latest is None or as_at >= latest)
        existing_teams = {
            t.code.upper(): t for t in Team.objects.filter(authority=authority).select_related("budget_line")
        }
        workforce_lines = list(BudgetLine.objects.filter(authority=authority, category=BudgetLine.Category.WORKFORCE))
        lines_by_code = {line.code.upper(): line for line in workforce_lines}
        lines_by_team = {line.team_code.upper(): line for line in workforce_lines if line.team_code}
        other_lines = set(
            BudgetLine.objects.filter(authority=authority).exclude(category=BudgetLine.Category.WORKFORCE)
            .values_list("code", flat=True)
        )
        reader = RowReader(table, plan)
        seen: dict[tuple[str, str], int] = {}
        for row, values in reader:
            errors_before = len(plan.errors)
            record = reader.cell(row, values, "record", lambda t: parse_choice(t, ("post", "worker")), required=True)
            team_text = reader.cell(row, values, "team", required=True)
            ref = reader.cell(row, values, "ref", required=True)
            fte = reader.cell(row, values, "fte", _fte, required=True)
            for column, message in fte_problems(fte):
                plan.error(row, column, values.get(column, ""), message)
            spec = self._team(plan, reader, row, values, team_text, existing_teams, lines_by_code, lines_by_team,
                              other_lines, payload) if team_text else None
            if ref and record:
                key = (record, ref.upper())
                if key in seen:
                    plan.error(row, "ref", ref, f"{record} {ref} appears twice in the file (also row {seen[key]})")
                else:
                    seen[key] = row
            if record == "post":
                cost = reader.cell(row, values, "annual_cost", parse_money, required=True)
                for column, message in annual_cost_problems(cost, fte):
                    plan.error(row, column, values.get(column, ""), message)
                if len(plan.errors) == errors_before and spec is not None:
                    payload.posts.append(PostRow(row, spec.code, ref, values.get("role", "").strip(), fte, cost))
            elif record == "worker":
                worker = self._worker(plan, reader, row, values, spec, ref, fte)
                if worker is not None and len(plan.errors) == errors_before:
                    payload.workers.append(worker)
        if not plan.ok:
            return
        self._check_posts(plan, authority, payload)
        if not plan.ok:
            return
        plan.payload = payload
        self._describe(plan, authority, payload)
        agency = [w for w in payload.workers if w.worker_type == WorkerType.AGENCY]
        plan.summary.update({
            "as_at": as_at.isoformat(), "teams": len(payload.teams), "posts": len(payload.posts),
            "workers": len(payload.workers), "agency_workers": len(agency),
            "updates_current_list": payload.update_current,
        })
        if not payload.update_current:
            plan.warn(None, "as_at", as_at.isoformat(),
                      f"a later snapshot ({latest.isoformat() if latest else ''}) exists, so this file only replaces "
                      "its own date's snapshot; the current workforce list is not changed")

    # ----------------------------------------------------------------------------------------

    def _team(
        self, plan: ImportPlan, reader: RowReader, row: int, values: dict[str, str], text: str,
        existing: dict[str, Team], lines_by_code: dict[str, BudgetLine], lines_by_team: dict[str, BudgetLine],
        other_lines: set[str], payload: WorkforcePayload,
    ) -> TeamSpec | None:
        key = text.strip().upper()
        name = reader.cell(row, values, "team_name")
        htr = reader.cell(row, values, "hard_to_retain", parse_bool)
        manageable = reader.cell(
            row, values, "manageable_caseload",
            lambda t: parse_int(t, low=1, high=100, what="a number of cases (1–100)"),
        )
        line_code = reader.cell(row, values, "line_code")
        spec = payload.teams.get(key)
        if spec is None:
            team = existing.get(key)
            spec = TeamSpec(code=team.code if team else text.strip(), existing=team, first_row=row)
            if line_code:
                line = lines_by_code.get(line_code.strip().upper())
                if line is None:
                    why = ("is not a workforce line" if line_code.strip() in other_lines
                           else "is not a budget line of this authority")
                    plan.error(row, "line_code", line_code, f"{why}; give the code of the workforce line that pays "
                               "for this team")
                    return None
                spec.line = line
            elif team is None:
                spec.line = lines_by_team.get(key)
                if spec.line is None:
                    plan.error(row, "team", text, "is not a known team: no team and no workforce budget line has this "
                               "team code; import the budget first, correct the code, or give the line_code of the "
                               "workforce line that pays for it")
                    return None
            payload.teams[key] = spec
        elif spec.line is None and spec.existing is None:
            return None  # already reported on the team's first row
        for column, value, current in (("team_name", name, "name"), ("hard_to_retain", htr, "hard_to_retain"),
                                       ("manageable_caseload", manageable, "manageable_caseload")):
            if value is None:
                continue
            before = getattr(spec, current)
            if before is not None and before != value:
                plan.error(row, column, values.get(column, ""),
                           f"differs from what row {spec.first_row} says for team {spec.code} ({before})")
            else:
                setattr(spec, current, value)
        return spec

    def _worker(
        self, plan: ImportPlan, reader: RowReader, row: int, values: dict[str, str], spec: TeamSpec | None,
        ref: str | None, fte: Decimal | None,
    ) -> WorkerRow | None:
        worker_type = reader.cell(row, values, "worker_type", lambda t: parse_choice(t, WorkerType.values),
                                  required=True)
        start = reader.cell(row, values, "start_date", parse_date, required=True)
        end = reader.cell(row, values, "end_date", parse_date)
        cost = reader.cell(row, values, "annual_cost", parse_money)
        rate = reader.cell(row, values, "weekly_rate", parse_money)
        reason = reader.cell(row, values, "agency_reason", lambda t: parse_choice(t, AgencyReason.values))
        absence = reader.cell(row, values, "absence", lambda t: parse_choice(t, Absence.values))
        caseload = reader.cell(row, values, "caseload", lambda t: parse_int(t, low=0, what="a number of cases"))
        asye = reader.cell(row, values, "asye", parse_bool)
        already = {p.column for p in plan.errors if p.row == row}
        entered = WorkerValues(worker_type, fte, start, end, cost, rate, reason, caseload)
        for column, message in worker_problems(entered):
            if column not in already:
                plan.error(row, column, values.get(column, ""), message)
        if worker_type == WorkerType.AGENCY and absence:
            plan.error(row, "absence", absence, "absences are recorded for permanent staff; an agency worker who is "
                       "away is not engaged")
        if worker_type == WorkerType.PERMANENT and rate is not None:
            plan.warn(row, "weekly_rate", values.get("weekly_rate", ""),
                      "a permanent worker is costed from their annual cost; the weekly rate was ignored")
        if worker_type == WorkerType.AGENCY and cost is not None:
            plan.warn(row, "annual_cost", values.get("annual_cost", ""), "an agency worker is costed from their weekly "
                      "rate; the annual cost was ignored")
        if spec is None or ref is None or fte is None or worker_type is None or start is None:
            return None
        agency = worker_type == WorkerType.AGENCY
        return WorkerRow(
            row=row, team=spec.code, ref=ref, post_ref=values.get("post_ref", "").strip(),
            role=values.get("role", "").strip(), worker_type=worker_type, fte=fte, start_date=start, end_date=end,
            annual_cost=None if agency else cost, weekly_rate=rate if agency else None,
            agency_reason=(reason or "") if agency else "", absence=absence or "", caseload=caseload,
            asye=bool(asye),
        )

    def _check_posts(self, plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
        """post_ref must name a post of the worker's own team; a post must not be over-filled."""
        file_posts = {p.ref.upper(): p for p in payload.posts}
        stored = {
            ref.upper(): (ref, team, fte)
            for ref, team, fte in Post.objects.filter(authority=authority).values_list("ref", "team__code", "fte")
        }
        holders: dict[str, list[tuple[Holder, WorkerRow]]] = {}
        for w in payload.workers:
            if not w.post_ref:
                continue
            key = w.post_ref.upper()
            if key in file_posts:
                post_team, post_fte = file_posts[key].team, file_posts[key].fte
            elif key in stored:
                _, post_team, post_fte = stored[key]
                if post_team.upper() in payload.teams and payload.update_current:
                    # The file describes that team, so a post it leaves out is being removed.
                    plan.error(w.row, "post_ref", w.post_ref, f"post {w.post_ref} of team {post_team} is not in the "
                               "file, and the file describes that team's posts; add the post row")
                    continue
            else:
                plan.error(w.row, "post_ref", w.post_ref, "is not a post in the file or already stored; add a post row "
                           "for it")
                continue
            if post_team.upper() != w.team.upper():
                plan.error(w.row, "post_ref", w.post_ref, f"post {w.post_ref} belongs to team {post_team}, not "
                           f"{w.team}; a worker fills a post of their own team")
                continue
            if w.worker_type == WorkerType.PERMANENT:
                holders.setdefault(key, []).append(
                    (Holder(f"{w.ref} (row {w.row})", w.fte, w.start_date, w.end_date), w)
                )
                file_posts.setdefault(key, PostRow(0, post_team, w.post_ref, "", post_fte, 0))
        for key, pairs in holders.items():
            post = file_posts[key]
            by_holder = {id(h): w for h, w in pairs}
            for holder, others in overfilled(post.fte, [h for h, _ in pairs]):
                w = by_holder[id(holder)]
                plan.error(
                    w.row, "post_ref", w.post_ref,
                    f"post {post.ref} is {fte_text(post.fte)} FTE but {w.ref} ({fte_text(w.fte)} FTE from "
                    f"{w.start_date.isoformat()}) "
                    f"overlaps {', '.join(o.label for o in others)} in it; two permanent workers cannot fill the same "
                    "FTE over the same dates",
                )

    # ----------------------------------------------------------------------------------------

    def _describe(self, plan: ImportPlan, authority: Authority, payload: WorkforcePayload) -> None:
        as_at = payload.as_at
        snapshot = WorkforceSnapshot.objects.filter(authority=authority, as_at=as_at).first()
        rows = len(payload.posts) + len(payload.workers)
        plan.changes.append(Change(
            "update" if snapshot else "create", f"snapshot {as_at.isoformat()}",
            f"workforce snapshot as at {as_at.isoformat()}: rows of {len(payload.teams)} team(s) "
            + ("replaced" if snapshot else "recorded"), "", f"{rows} rows",
        ))
        if not payload.update_current:
            return
        for spec in payload.teams.values():
            if spec.existing is None:
                plan.changes.append(Change("create", f"team {spec.code}", f"new team {spec.code} "
                                           f"{spec.name or ''} on line {spec.line.code if spec.line else ''}"))
            else:
                changed = (spec.name is not None and spec.name != spec.existing.name) or (
                    spec.hard_to_retain is not None and spec.hard_to_retain != spec.existing.hard_to_retain) or (
                    spec.manageable_caseload is not None
                    and spec.manageable_caseload != spec.existing.manageable_caseload) or (
                    spec.line is not None and spec.line.pk != spec.existing.budget_line_id)
                plan.changes.append(Change("update" if changed else "unchanged", f"team {spec.code}",
                                           f"team {spec.code}"))
        teams = {s.code.upper() for s in payload.teams.values()}
        posts = {
            p.ref.upper(): p for p in Post.objects.filter(authority=authority).select_related("team")
        }
        for p in payload.posts:
            current = posts.get(p.ref.upper())
            after = f"{p.team}, {fte_text(p.fte)} FTE, {_pounds(p.annual_cost)}"
            if current is None:
                plan.changes.append(Change("create", f"post {p.ref}", f"post {p.ref}", "", after))
            else:
                before = f"{current.team.code}, {fte_text(current.fte)} FTE, {_pounds(current.annual_cost)}"
                plan.changes.append(Change("unchanged" if before == after else "update", f"post {p.ref}",
                                           f"post {p.ref}", before, after))
        in_file = {p.ref.upper() for p in payload.posts}
        for key, current in posts.items():
            if current.team.code.upper() in teams and key not in in_file:
                plan.changes.append(Change("delete", f"post {current.ref}", f"post {current.ref} of team "
                                           f"{current.team.code} is not in the file and is removed",
                                           f"{fte_text(current.fte)} FTE", ""))
        workers = {
            w.ref.upper(): w for w in Worker.objects.filter(authority=authority).select_related("team", "post")
        }
        for w in payload.workers:
            stored = workers.get(w.ref.upper())
            if stored is None:
                plan.changes.append(Change("create", f"worker {w.ref}", f"{w.worker_type} worker {w.ref} in "
                                           f"{w.team}", "", _worker_text(w)))
            else:
                before = _stored_worker_text(stored)
                after = _worker_text(w)
                plan.changes.append(Change("unchanged" if before == after else "update", f"worker {w.ref}",
                                           f"worker {w.ref}", before, after))
        in_file_workers = {w.ref.upper() for w in payload.workers}
        for key, stored in workers.items():
            if stored.team.code.upper() in teams and key not in in_file_workers and stored.engaged_on(as_at):
                what = ("is removed (they started on the as-at date)" if stored.start_date >= as_at
                        else f"left: last day set to {day_before(as_at).isoformat()}")
                plan.changes.append(Change(
                    "delete" if stored.start_date >= as_at else "update", f"worker {stored.ref}",
                    f"worker {stored.ref} of team {stored.team.code} is not in the file and {what}",
                    stored.end_date.isoformat() if stored.end_date else "no end date",
                    "" if stored.start_date >= as_at else day_before(as_at).isoformat(),
                ))

    # ----------------------------------------------------------------------------------------

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        payload: WorkforcePayload = plan.payload
        result: dict[str, Any] = {"as_at": payload.as_at.isoformat()}
        teams = self._apply_teams(authority, user, payload) if payload.update_current else {
            t.code.upper(): t for t in Team.objects.filter(authority=authority).select_related("budget_line")
        }
        if payload.update_current:
            result.update(self._apply_current(authority, user, payload, teams, plan.source))
        rows = self._snapshot_rows(payload, teams)
        snapshot_replace(authority=authority, user=user, as_at=payload.as_at, rows=rows,
                         teams={s.code for s in payload.teams.values()}, source=plan.source)
        result["snapshot_rows"] = len(rows)
        return result

    def _apply_teams(self, authority: Authority, user: User | None, payload: WorkforcePayload) -> dict[str, Team]:
        changes = []
        out = {}
        for key, spec in payload.teams.items():
            team = spec.existing
            before = team_state(team) if team else None
            if team is None:
                assert spec.line is not None
                team = Team(authority=authority, code=spec.code, name=spec.name or spec.line.name,
                            budget_line=spec.line)
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

    def _apply_current(
        self, authority: Authority, user: User | None, payload: WorkforcePayload, teams: dict[str, Team], source: str,
    ) -> dict[str, int]:
        described = {t.pk for t in teams.values()}
        counts = {"posts_created": 0, "posts_updated": 0, "posts_removed": 0, "workers_created": 0,
                  "workers_updated": 0, "workers_ended": 0}
        changes: list[tuple[str, str, str, Any, Any]] = []
        # posts
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
        # workers
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
        for key, worker in workers.items():
            if worker.team_id in described and key not in seen and worker.engaged_on(payload.as_at):
                before = worker_state(worker)
                if worker.start_date >= payload.as_at:
                    changes.append(("workforce.Worker", str(worker.pk), str(worker), before, None))
                    worker.delete()
                else:
                    worker.end_date = day_before(payload.as_at)
                    worker.save(update_fields=["end_date", "updated_at"])
                    changes.append(("workforce.Worker", str(worker.pk), str(worker), before, worker_state(worker)))
                counts["workers_ended"] += 1
        audit_rows(authority=authority, user=user, action="workforce.import", changes=changes,
                   reason=f"workforce file {source} as at {payload.as_at.isoformat()}")
        return counts

    def _snapshot_rows(self, payload: WorkforcePayload, teams: dict[str, Team]) -> list[SnapshotRow]:
        """The file's rows as imported, with each team's attributes as they are after the import."""
        def team_fields(code: str) -> dict[str, Any]:
            spec = payload.teams[code.upper()]
            team = teams.get(code.upper())
            line = spec.line or (team.budget_line if team else None)
            return {
                "team": spec.code,
                "team_name": spec.name or (team.name if team else spec.code),
                "budget_team": (line.team_code if line and line.team_code else spec.code),
                "hard_to_retain": spec.hard_to_retain if spec.hard_to_retain is not None
                else bool(team and team.hard_to_retain),
                "manageable_caseload": spec.manageable_caseload if spec.manageable_caseload is not None
                else (team.manageable_caseload if team else None),
            }

        rows = [
            SnapshotRow(record=SnapshotRow.Record.POST, ref=p.ref, role=p.role, fte=p.fte, annual_cost=p.annual_cost,
                        **team_fields(p.team))
            for p in payload.posts
        ]
        rows += [
            SnapshotRow(
                record=SnapshotRow.Record.WORKER, ref=w.ref, post_ref=w.post_ref, role=w.role,
                worker_type=w.worker_type, fte=w.fte, annual_cost=w.annual_cost, weekly_rate=w.weekly_rate,
                agency_reason=w.agency_reason, absence=w.absence, start_date=w.start_date, end_date=w.end_date,
                caseload=w.caseload, asye=w.asye, **team_fields(w.team),
            )
            for w in payload.workers
        ]
        return rows


def _worker_text(w: WorkerRow) -> str:
    money = _pounds(w.annual_cost) + " a year" if w.worker_type == WorkerType.PERMANENT else (
        _pounds(w.weekly_rate) + " a week")
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


def _stored_worker_text(w: Worker) -> str:
    return _worker_text(WorkerRow(
        row=0, team=w.team.code, ref=w.ref, post_ref=w.post.ref if w.post else "", role=w.role,
        worker_type=w.worker_type, fte=w.fte,
        start_date=w.start_date, end_date=w.end_date, annual_cost=w.annual_cost, weekly_rate=w.weekly_rate,
        agency_reason=w.agency_reason, absence=w.absence, caseload=w.caseload, asye=w.asye,
    ))
