"""The tables of the workforce pages as frames, for their CSV and XLSX downloads: built from what
the selectors return, in the page's order, money in pence (kpis.export_frame turns it to pounds)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.utils import timezone

from accounts.models import AuditEvent
from workforce.models import SnapshotRow
from workforce.selectors import TeamStaff

TEAM_COLUMNS = [
    "team",
    "team_name",
    "budget_line",
    "hard_to_retain",
    "manageable_caseload",
    "budgeted_fte",
    "budgeted_cost",
    "fte_in_post",
    "absent_fte",
    "vacancies",
    "agency_fte",
]
POST_COLUMNS = ["post_ref", "role", "fte", "annual_cost", "held_by"]
STAFF_COLUMNS = [
    "worker_ref",
    "role",
    "worker_type",
    "fte",
    "post_ref",
    "start_date",
    "end_date",
    "annual_cost",
    "weekly_rate",
    "agency_reason",
    "absence",
    "caseload",
    "asye",
]
HISTORY_COLUMNS = [
    "as_at",
    "team",
    "post_ref",
    "worker_type",
    "fte",
    "annual_cost",
    "weekly_rate",
    "agency_reason",
    "absence",
    "caseload",
    "end_date",
    "asye",
]
CHANGE_COLUMNS = ["when", "who", "action", "changed", "reason"]


def establishment_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The teams page: one row per team (selectors.team_establishment)."""
    return pd.DataFrame(
        [
            {
                "team": r["team"].code,
                "team_name": r["team"].name,
                "budget_line": r["team"].budget_line.code,
                "hard_to_retain": "yes" if r["team"].hard_to_retain else "no",
                "manageable_caseload": r["team"].manageable_caseload,
                "budgeted_fte": r["budgeted_fte"],
                "budgeted_cost": r["budgeted_cost"],
                "fte_in_post": r["fte_in_post"],
                "absent_fte": r["absent_fte"],
                "vacancies": r["vacancies"],
                "agency_fte": r["agency_fte"],
            }
            for r in rows
        ],
        columns=TEAM_COLUMNS,
    )


def team_posts_table(staff: TeamStaff) -> pd.DataFrame:
    """A team's budgeted posts and who holds them."""
    return pd.DataFrame(
        [
            {
                "post_ref": p.ref,
                "role": p.role,
                "fte": float(p.fte),
                "annual_cost": p.annual_cost,
                "held_by": ", ".join(w.ref for w in staff.holders.get(p.pk, [])),
            }
            for p in staff.posts
        ],
        columns=POST_COLUMNS,
    )


def team_staff_table(staff: TeamStaff) -> pd.DataFrame:
    """A team's permanent and agency workers."""
    return pd.DataFrame(
        [
            {
                "worker_ref": w.ref,
                "role": w.role,
                "worker_type": w.worker_type,
                "fte": float(w.fte),
                "post_ref": w.post.ref if w.post else "",
                "start_date": w.start_date,
                "end_date": w.end_date,
                "annual_cost": w.annual_cost,
                "weekly_rate": w.weekly_rate,
                "agency_reason": w.agency_reason,
                "absence": w.absence,
                "caseload": w.caseload,
                "asye": "yes" if w.asye else "no",
            }
            for w in staff.workers
        ],
        columns=STAFF_COLUMNS,
    )


def worker_history_table(history: list[SnapshotRow]) -> pd.DataFrame:
    """A worker's row in each snapshot, oldest first."""
    return pd.DataFrame(
        [
            {
                "as_at": r.snapshot.as_at,
                "team": r.team,
                "post_ref": r.post_ref,
                "worker_type": r.worker_type,
                "fte": float(r.fte),
                "annual_cost": r.annual_cost,
                "weekly_rate": r.weekly_rate,
                "agency_reason": r.agency_reason,
                "absence": r.absence,
                "caseload": r.caseload,
                "end_date": r.end_date,
                "asye": "yes" if r.asye else "no",
            }
            for r in history
        ],
        columns=HISTORY_COLUMNS,
    )


def worker_changes_table(events: list[AuditEvent]) -> pd.DataFrame:
    """The audited changes to a worker's record."""
    return pd.DataFrame(
        [
            {
                "when": timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                "who": e.actor,
                "action": e.action,
                "changed": changed_text(e.before, e.after),
                "reason": e.reason,
            }
            for e in events
        ],
        columns=CHANGE_COLUMNS,
    )


def changed_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """What an audited change did to a record, field by field."""
    if before is None and after is not None:
        return "created"
    if after is None:
        return "removed"
    keys = [k for k in after if before.get(k) != after.get(k)] if before else []
    return "; ".join(f"{k}: {before.get(k) if before else ''} → {after.get(k)}" for k in keys)
