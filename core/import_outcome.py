"""What an upload keeps of its plan, bounded whatever the file: the first problems a page shows,
how many there were of each kind, every one of them as a gzipped CSV for the download, and the
first changes of each kind.

A spreadsheet with a million bad cells must not make a million-row page or a million-row JSON
value: the page shows the first PROBLEMS_SHOWN, and the download is the compressed CSV.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from core.importing import Change
from wording.cells import safe_text

PROBLEMS_SHOWN = 200
# Kinds of problem listed with their counts; a file rarely has more than a few dozen.
KINDS_KEPT = 50
# Changes kept of each action: the preview and the result list the first of each.
CHANGES_KEPT = 200

# "(also row 12)": where else a repeated key is, which would make every repeat a kind of its own.
OTHER_ROWS = re.compile(r"\s*\((?:also )?(?:on )?rows? [^)]*\)")

PROBLEM_CSV_HEADER = ("File", "Row", "Column", "Value", "What is wrong")

# Each action of a change in the officer's words: before the import, and after it.
CHANGE_WORDS = {
    "create": ("To add", "Added"),
    "update": ("To change", "Changed"),
    "delete": ("To remove", "Removed"),
    "unchanged": ("Unchanged", "Unchanged"),
}
CHANGE_ORDER = ("create", "update", "delete")


def problem_kind(problem: dict[str, Any]) -> str:
    """What is wrong without the value or the other rows it names, so that 5,000 bad amounts
    count as one kind of problem: `'abc' is not an amount` becomes `is not an amount`."""
    message = OTHER_ROWS.sub("", str(problem.get("message", "")))
    value = str(problem.get("value", "") or "")
    if value:
        message = message.replace(f"'{value}'", "").replace(value, "")
    return " ".join(message.split()).strip(" :;,")


def problem_kinds(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each kind of problem (its column and what is wrong) with how many rows have it, most
    frequent first; the whole file's problems have no column."""
    counts = Counter((str(p.get("column", "") or ""), problem_kind(p)) for p in problems)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"column": column, "problem": text, "count": n} for (column, text), n in ordered[:KINDS_KEPT]]


def problems_csv_gz(problems: Sequence[dict[str, Any]]) -> bytes:
    """Every problem as CSV with its headers in words, gzipped (empty when there are none)."""
    if not problems:
        return b""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PROBLEM_CSV_HEADER)
    for p in problems:
        row = "whole file" if p.get("row") is None else p["row"]
        writer.writerow(
            [safe_text(str(p.get(k) or "")) for k in ("source",)]
            + [row]
            + [safe_text(str(p.get(k) or "")) for k in ("column", "value", "message")]
        )
    # A byte-order mark so that Excel opens the £ sign correctly.
    return gzip.compress(("\ufeff" + out.getvalue()).encode("utf-8"), compresslevel=6)


def problems_csv(stored: bytes) -> bytes:
    """The download of an upload's problems from what it keeps."""
    if not stored:
        return ("\ufeff" + ",".join(PROBLEM_CSV_HEADER) + "\r\n").encode("utf-8")
    return gzip.decompress(stored)


def changes_kept(changes: Iterable[Change]) -> list[dict[str, str]]:
    """The first CHANGES_KEPT changes of each action (added, changed, removed), in that order."""
    kept: dict[str, list[dict[str, str]]] = {action: [] for action in CHANGE_ORDER}
    for change in changes:
        bucket = kept.get(change.action)
        if bucket is not None and len(bucket) < CHANGES_KEPT:
            bucket.append(
                {
                    "action": change.action,
                    "key": change.key,
                    "description": change.description,
                    "before": change.before,
                    "after": change.after,
                }
            )
    return [row for action in CHANGE_ORDER for row in kept[action]]


def change_counts(*, summary: dict[str, Any], applied: bool) -> list[tuple[str, int]]:
    """How many of each change, in words ("To add", or "Added" once imported), in the order
    add, change, remove, unchanged."""
    counts = summary.get("counts") or {}
    order = [*CHANGE_ORDER, "unchanged"]
    ranked = sorted(counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return [(CHANGE_WORDS.get(action, (action, action))[1 if applied else 0], n) for action, n in ranked]


def change_groups(*, summary: dict[str, Any], changes: list[dict[str, str]]) -> list[dict[str, Any]]:
    """What an import changed (or would change): each action in words ("Added"), how many,
    and the first rows kept."""
    counts = summary.get("counts") or {}
    groups = []
    for action in CHANGE_ORDER:
        rows = [c for c in changes if c.get("action") == action]
        total = int(counts.get(action, len(rows)))
        if total:
            groups.append({"words": CHANGE_WORDS[action][1], "count": total, "rows": rows})
    return groups


def outcome_fields(*, errors: list[dict[str, Any]], warnings: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of an ImportBatch that record a plan's problems, bounded."""
    return {
        "errors": errors[:PROBLEMS_SHOWN],
        "warnings": warnings[:PROBLEMS_SHOWN],
        "problem_count": len(errors),
        "warning_count": len(warnings),
        "problem_kinds": problem_kinds(errors),
        "problems_csv": problems_csv_gz(errors),
    }
