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

Reading the rows is in import_rows, the checks across rows in import_checks, the preview in
import_changes and the writing in import_apply.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Authority, User
from core.importing import Column, Importer, ImportPlan, register
from core.tabular import Table
from workforce.import_apply import apply_current, apply_teams, snapshot_rows
from workforce.import_changes import describe_changes
from workforce.import_checks import check_post_holders
from workforce.import_rows import Known, WorkforcePayload, file_as_at, read_rows
from workforce.models import Team, WorkerType, WorkforceSnapshot
from workforce.services import snapshot_replace


@register
class WorkforceImporter(Importer):
    kind = "workforce"
    title = "Workforce: posts and workers as at a date"
    needs_as_at = True
    columns = (
        Column("record", True, "post or worker"),
        Column("team", True, "team code"),
        Column("team_name"),
        Column("hard_to_retain"),
        Column("ref", True, "post or worker reference"),
        Column("post_ref"),
        Column("role"),
        Column("fte", True),
        Column("annual_cost"),
        Column("worker_type"),
        Column("weekly_rate"),
        Column("agency_reason"),
        Column("absence"),
        Column("start_date"),
        Column("end_date"),
        Column("caseload"),
        Column("as_at"),
        # Optional additions (DATA_FORMATS.md allows new optional columns):
        Column("manageable_caseload", help="cases an experienced worker in the team can safely hold"),
        Column("line_code", help="the workforce budget line that pays for a new team"),
        Column("asye", help="newly qualified social worker in their ASYE year (Y/N)"),
    )

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        as_at = file_as_at(plan, table, options)
        if as_at is None:
            return
        latest = (
            WorkforceSnapshot.objects.filter(authority=authority)
            .order_by("-as_at")
            .values_list("as_at", flat=True)
            .first()
        )
        payload = WorkforcePayload(as_at=as_at, update_current=latest is None or as_at >= latest)
        read_rows(plan, table, payload, Known.of(authority))
        if not plan.ok:
            return
        check_post_holders(plan, authority, payload)
        if not plan.ok:
            return
        plan.payload = payload
        describe_changes(plan, authority, payload)
        plan.summary.update(
            {
                "as_at": as_at.isoformat(),
                "teams": len(payload.teams),
                "posts": len(payload.posts),
                "workers": len(payload.workers),
                "agency_workers": sum(1 for w in payload.workers if w.worker_type == WorkerType.AGENCY),
                "updates_current_list": payload.update_current,
            }
        )
        if not payload.update_current:
            plan.warn(
                None,
                "as_at",
                as_at.isoformat(),
                f"a later snapshot ({latest.isoformat() if latest else ''}) exists, so this file only replaces "
                "its own date's snapshot; the current workforce list is not changed",
            )

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        payload: WorkforcePayload = plan.payload
        result: dict[str, Any] = {"as_at": payload.as_at.isoformat()}
        if payload.update_current:
            teams = apply_teams(authority, user, payload)
            result.update(apply_current(authority, user, payload, teams, plan.source))
        else:
            teams = {t.code.upper(): t for t in Team.objects.filter(authority=authority).select_related("budget_line")}
        rows = snapshot_rows(payload, teams)
        snapshot_replace(
            authority=authority,
            user=user,
            as_at=payload.as_at,
            rows=rows,
            teams={s.code for s in payload.teams.values()},
            source=plan.source,
        )
        result["snapshot_rows"] = len(rows)
        return result
