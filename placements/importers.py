"""The `placements` import: the placement cost register (DATA_FORMATS.md).

Both check the whole file before anything is written and report every problem with its file,
row, column and value; both are all or nothing (core.services.import_run applies them in one
transaction). Checking is vectorised (whole pandas columns), writing is one DELETE and a bulk
INSERT of what the file describes, so a 50,000-row register or 100,000 SSDA903 episodes import
in seconds.

Re-importing replaces what a file describes, nothing else:
- a register file replaces every row of the placements (placement_ref) it contains;
- SSDA903 files replace the SSDA903-derived placements of the children they contain. A placement
  that the register already holds under the same reference (with costs) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from accounts.models import Authority, User
from core.importing import Change, Column, Importer, ImportPlan, register
from core.tabular import Table
from placements.import_changes import (
    describe_changes,
    describe_child_changes,
    stored_rows_frame,
)
from placements.models import Placement
from placements.register_checks import REGISTER_CHECKS, RegisterRows
from placements.register_writes import placement_rows_replace


@dataclass
class RegisterPayload:
    """What apply() writes: the rows, the children, and which placements are replaced."""

    rows: pd.DataFrame  # one per register row, parsed (see _payload_rows)
    children: pd.DataFrame  # child_ref, child_dob
    replace_refs: list[str]
    changes: list[Change]


def _payload_rows(checked: RegisterRows) -> pd.DataFrame:
    """The rows apply() writes, parsed, in placement and start order; rows of no night left out."""
    return pd.DataFrame(
        {
            "row": checked.rows,
            "placement_ref": checked.text("placement_ref"),
            "child_ref": checked.text("child_ref"),
            "child_dob": checked.value("child_dob"),
            "placement_type": checked.type_code,
            "provider": checked.text("provider"),
            "procurement": checked.text("procurement").str.lower(),
            "start_date": checked.value("start_date"),
            "end_date": checked.value("end_date"),
            "planned_end_date": checked.value("planned_end_date"),
            "weekly_cost": checked.value("weekly_cost").astype("int64"),
            "health_contribution": checked.value("health_contribution").fillna(0).astype("int64"),
            "education_contribution": checked.value("education_contribution").fillna(0).astype("int64"),
            "uasc": checked.value("uasc").astype(bool),
            "line_id": checked.line_id,
        }
    )[~checked.zero.to_numpy(dtype=bool)].sort_values(["placement_ref", "start_date"], kind="stable")


# --------------------------------------------------------------------------------------------
# The placement cost register
# --------------------------------------------------------------------------------------------


@register
class PlacementRegisterImporter(Importer):
    kind = "placements"
    title = "Placement cost register"
    columns = (
        Column("placement_ref", True),
        Column("child_ref", True),
        Column("child_dob", True),
        Column("placement_type", True),
        Column("provider"),
        Column("procurement"),
        Column("start_date", True),
        Column("end_date"),
        Column("planned_end_date"),
        Column("weekly_cost", True),
        Column("health_contribution"),
        Column("education_contribution"),
        Column("uasc"),
        Column("line_code"),
    )

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        # Every check runs, so the plan lists every problem of the file (placements/register_checks.py).
        required = tuple(c.name for c in self.columns if c.required)
        checked = RegisterRows.for_table(plan, authority=authority, table=table, options=options, required=required)
        for check in REGISTER_CHECKS:
            check(checked)
        plan.errors.sort(key=lambda p: p.row or 0)
        if not plan.ok:
            return
        payload_rows = _payload_rows(checked)
        children = payload_rows.drop_duplicates("child_ref")[["child_ref", "child_dob"]]
        refs = sorted(set(payload_rows["placement_ref"]))
        stored = stored_rows_frame(Placement.objects.filter(authority=authority))
        changes = describe_changes(authority, payload_rows, stored[stored["placement_ref"].isin(refs)])
        changes += describe_child_changes(authority, children)
        plan.changes.extend(changes)
        plan.payload = RegisterPayload(rows=payload_rows, children=children, replace_refs=refs, changes=changes)
        plan.summary.update({"rows": len(payload_rows), "placements": len(refs), "children": len(children)})

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        payload: RegisterPayload = plan.payload
        return placement_rows_replace(
            authority=authority,
            user=user,
            rows=payload.rows,
            children=payload.children,
            replace_refs=payload.replace_refs,
            source=Placement.Source.REGISTER,
            source_file=plan.source,
            changes=payload.changes,
            action="placements.import",
        )
