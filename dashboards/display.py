"""Turning a stored document into what templates show: formatted table cells, charts grouped by
section, commentary and movement beside each service. Used by the pages and the PDF alike, so
the screen and the PDF print the same text for the same figure."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import wording
from dashboards.document.summary import committee_summary


def format_cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return wording.money(int(value))
    if kind == "money2":
        return wording.money(int(value), 2)
    if kind == "number":
        return wording.decimal_count(value)
    if kind == "integer":
        return wording.count(value)
    if kind == "percent":
        return wording.percent(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def display_chart(chart: dict[str, Any]) -> dict[str, Any]:
    shown = dict(chart)
    columns = chart["table"]["columns"]
    shown["display_rows"] = [
        [{"text": format_cell(row.get(c["key"]), c["kind"]), "numeric": c["kind"] not in ("text",)} for c in columns]
        for row in chart["table"]["rows"]
    ]
    shown["json_id"] = f"chart-{chart['key']}-data"
    return shown


def chart_digest(chart: dict[str, Any]) -> str:
    """A digest of everything in a chart: the key its drawn HTML is kept under. From its JSON
    with sorted keys, so that a chart built afresh and the same chart read back from the cache or
    from a published snapshot have the same digest."""
    text = json.dumps(chart, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def display_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document with charts grouped by section, each with the digest of its content (its
    table's cells are formatted when the chart is drawn: `chart_tags.chart_section`)."""
    shown = copy.copy(document)
    sections: dict[str, list[dict[str, Any]]] = {}
    for chart in document.get("charts", []):
        sections.setdefault(chart["section"], []).append({**chart, "digest": chart_digest(chart)})
    shown["sections"] = list(sections.items())
    shown["chart_count"] = sum(1 for c in document.get("charts", []) if c.get("figure"))
    commentary = {c["service"]: c for c in document.get("commentary", [])}
    movement = {m["service"]: m for m in (document.get("movement") or {}).get("services", [])}
    shown["services"] = [
        {**s, "commentary": commentary.get(s["name"]), "movement": movement.get(s["name"])}
        for s in document.get("services", [])
    ]
    written = set(commentary)
    shown["missing_commentary"] = [s["name"] for s in document.get("services", []) if s["name"] not in written]
    shown["summary"] = committee_summary(document)
    shown["savings_display"] = display_chart(
        {"key": "savings", "table": {"columns": SAVINGS_COLUMNS, "rows": document.get("savings", [])}}
    )
    return shown


SAVINGS_COLUMNS = [
    {"key": "ref", "label": "Reference", "kind": "text"},
    {"key": "title", "label": "Saving", "kind": "text"},
    {"key": "status_label", "label": "Status", "kind": "text"},
    {"key": "rag_label", "label": "RAG", "kind": "text"},
    {"key": "planned", "label": "Planned", "kind": "money"},
    {"key": "forecast_delivery", "label": "Forecast delivery", "kind": "money"},
    {"key": "shortfall", "label": "Shortfall", "kind": "money"},
]
