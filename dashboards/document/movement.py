"""What depends on the period rather than the run: the movement of the outturn since the last
published period, and the finance officers' variance commentary per service.

Inputs are plain values read by `reads.earlier_publication` and `reads.commentary_notes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MOVEMENT_COLUMNS = [
    {"key": "service", "label": "Service", "kind": "text"},
    {"key": "previous", "label": "Previous outturn", "kind": "money"},
    {"key": "outturn", "label": "Outturn now", "kind": "money"},
    {"key": "movement", "label": "Movement", "kind": "money"},
]


@dataclass(frozen=True)
class EarlierPublication:
    """The newest version of the latest earlier published period of the year, with its frozen
    document (so that a republished period is compared as the committee saw it)."""

    published_id: int
    year: str
    period: int
    version: int
    document: dict[str, Any]


@dataclass(frozen=True)
class CommentaryNote:
    service: str
    text: str
    author_name: str  # the author's full name; blank when unknown or unnamed
    author_username: str  # blank when the author is unknown
    updated_at: datetime


def movement_since(document: dict[str, Any], previous: EarlierPublication | None) -> dict[str, Any] | None:
    """Department and service outturn now against the earlier published period; a service the
    earlier period did not have has no previous figure or movement."""
    if previous is None:
        return None
    before = previous.document
    before_services = {s["name"]: s for s in before.get("services", [])}
    rows = []
    for service in document["services"]:
        then = before_services.get(service["name"])
        rows.append(
            {
                "service": service["name"],
                "previous": then["outturn"] if then else None,
                "outturn": service["outturn"],
                "movement": service["outturn"] - then["outturn"] if then else None,
            }
        )
    dept_now = document["department"]["outturn"] if document.get("department") else 0
    dept_then = (before.get("department") or {}).get("outturn")
    return {
        "previous_id": previous.published_id,
        "previous_title": f"{previous.year} period {previous.period}",
        "previous_period": previous.period,
        "previous_version": previous.version,
        "department": {
            "previous": dept_then,
            "outturn": dept_now,
            "movement": dept_now - dept_then if dept_then is not None else None,
        },
        "services": rows,
    }


def commentary_rows(notes: list[CommentaryNote], *, published: bool) -> list[dict[str, Any]]:
    """Commentary per service. A published copy lists the services by name, names every author
    (by username when they have no full name) and says when each note was last changed; the live
    page keeps the order given and shows full names only."""
    if not published:
        return [{"service": n.service, "text": n.text, "author": n.author_name} for n in notes]
    return [
        {
            "service": n.service,
            "text": n.text,
            "author": n.author_name or n.author_username,
            "updated_at": n.updated_at.isoformat(),
        }
        for n in sorted(notes, key=lambda n: n.service)
    ]
