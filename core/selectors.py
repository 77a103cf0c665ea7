"""Reads of uploads for the upload pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from accounts import audit
from accounts.models import AuditEvent, Authority
from core.importing import ISSUE_COLUMNS
from core.models import ImportBatch


def import_batches_recent(
    *, authority: Authority, kinds: Sequence[str] | None = None, limit: int = 10
) -> list[ImportBatch]:
    """The latest uploads, newest first, with their files' names (not their content)."""
    batches = ImportBatch.objects.filter(authority=authority).defer("issues", "problems_csv").with_file_names()
    if kinds is not None:
        batches = batches.filter(kind__in=list(kinds))
    return list(batches[:limit])


def import_batch_progress(
    *, authority: Authority, batch_id: int, kinds: Sequence[str] | None = None
) -> dict[str, Any] | None:
    """Status and progress of an upload, for its page to follow while a worker checks or imports it."""
    batches = ImportBatch.objects.filter(pk=batch_id, authority=authority)
    if kinds is not None:
        batches = batches.filter(kind__in=list(kinds))
    row = batches.values("status", "progress").first()
    if row is None:
        return None
    working = (ImportBatch.Status.CHECKING, ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    return {**row, "done": row["status"] not in working}


def import_issues_frame(*, batch: ImportBatch) -> pd.DataFrame:
    """Every record the importer corrected or left out, as shown and downloaded."""
    return pd.DataFrame(batch.issues, columns=list(ISSUE_COLUMNS))


AUDIT_COLUMNS = ["When", "Who", "Change", "What", "Before", "After", "Reason"]


def _changes(values: object) -> str:
    return audit.changes_words(values)


def audit_events(*, authority: Authority, action: str = "", actor: str = "") -> Any:
    """The authority's audit events, newest first, filtered by kind of change and who."""
    events = AuditEvent.objects.filter(authority=authority).select_related("user")
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor=actor)
    return events


def audit_frame(events: Any) -> pd.DataFrame:
    """The audit log as the page shows it, for its download: every event the filter finds."""
    rows = [
        [
            e.created_at,
            e.actor,
            audit.event_words(e.action, e.object_repr),
            e.object_repr,
            _changes(e.before),
            _changes(e.after),
            e.reason,
        ]
        for e in events
    ]
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
