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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from accounts.models import Authority, User
from core.importing import Change, Column, Importer, ImportPlan, register
from core.tabular import Table
from forecasting.engine.money import pence_to_pounds
from forecasting.models import BudgetLine
from placements import rules, vparse
from placements.import_changes import (
    default_lines,
    describe_changes,
    describe_child_changes,
    import_today,
    stored_rows_frame,
)
from placements.models import Placement, PlacementType

PROCUREMENT = tuple(Placement.Procurement.values)


def _pounds(pence: object) -> str:
    if pence is None or pd.isna(pence):
        return ""
    return f"£{pence_to_pounds(int(pence)):,}"  # type: ignore[call-overload]


def _report(
    plan: ImportPlan,
    rows: np.ndarray,
    mask: pd.Series,
    column: str,
    values: pd.Series | str,
    message: pd.Series | str | Callable[[], pd.Series],
    *,
    warn: bool = False,
) -> None:
    """One problem per row where `mask` holds (a loop over the bad rows only). A message that
    needs work to build (dates as text) is given as a function, called only if a row is bad."""
    positions = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    if not len(positions):
        return
    if callable(message):
        message = message()
    add = plan.warn if warn else plan.error
    for i in positions:
        value = values if isinstance(values, str) else values.iat[i]
        text = message if isinstance(message, str) else message.iat[i]
        add(
            int(rows[i]),
            column,
            "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value,
            str(text),
        )


@dataclass
class RegisterPayload:
    """What apply() writes: the rows, the children, and which placements are replaced."""

    rows: pd.DataFrame  # one per register row, parsed (see _payload_columns)
    children: pd.DataFrame  # child_ref, child_dob
    replace_refs: list[str]
    changes: list[Change]


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
        frame = table.frame.reset_index(drop=True)
        rows = np.asarray(table.row_numbers, dtype=np.int64)
        today = pd.Timestamp(import_today(options))

        texts: dict[str, pd.Series] = {}

        def text(column: str) -> pd.Series:
            if column not in texts:
                texts[column] = (
                    frame[column].astype(str).str.strip()
                    if column in frame.columns
                    else pd.Series("", index=frame.index, dtype=object)
                )
            return texts[column]

        for column in (c.name for c in self.columns if c.required):
            values = text(column)
            _report(plan, rows, values == "", column, "", "is blank; a value is required")

        ref, child = text("placement_ref"), text("child_ref")
        _report(
            plan,
            rows,
            ref.str.len() > rules.PLACEMENT_REF_MAX,
            "placement_ref",
            ref,
            f"is longer than {rules.PLACEMENT_REF_MAX} characters",
        )
        bad_child = (child != "") & ~child.str.match(rules.CHILD_REF_PATTERN.pattern)
        _report(
            plan,
            rows,
            bad_child | (child.str.len() > rules.CHILD_REF_MAX),
            "child_ref",
            child,
            lambda: child.map(lambda v: rules.child_ref_problem(v) or ""),
        )

        types = dict(PlacementType.objects.values_list("code", "continues_after_18"))
        type_text = text("placement_type")
        type_code = type_text.str.lower()
        unknown = (type_code != "") & ~type_code.isin(list(types))
        _report(
            plan,
            rows,
            unknown,
            "placement_type",
            type_text,
            "'" + type_text + "' is not a finance placement type code (see the placement types page)",
        )

        provider = text("provider")
        _report(
            plan,
            rows,
            provider.str.len() > rules.PROVIDER_MAX,
            "provider",
            provider,
            f"is longer than {rules.PROVIDER_MAX} characters",
        )
        procurement_text = text("procurement")
        procurement = procurement_text.str.lower()
        _report(
            plan,
            rows,
            (procurement != "") & ~procurement.isin(PROCUREMENT),
            "procurement",
            procurement_text,
            "'" + procurement_text + "' is not one of: " + ", ".join(PROCUREMENT),
        )

        parsed: dict[str, pd.Series] = {}
        bad_cell: dict[str, pd.Series] = {}
        for column in ("child_dob", "start_date", "end_date", "planned_end_date"):
            parsed[column], message = vparse.parse_dates(text(column))
            bad_cell[column] = message.notna()
            _report(plan, rows, message.notna(), column, text(column), message)
        for column in ("weekly_cost", "health_contribution", "education_contribution"):
            parsed[column], message = vparse.parse_money(text(column))
            bad_cell[column] = message.notna()
            _report(plan, rows, message.notna(), column, text(column), message)
        uasc, message = vparse.parse_bools(text("uasc"))
        _report(plan, rows, message.notna(), "uasc", text("uasc"), message)

        # Money: never negative, never absurd.
        for column, what in (
            ("weekly_cost", "weekly cost"),
            ("health_contribution", "contribution"),
            ("education_contribution", "contribution"),
        ):
            amount = parsed[column]
            _report(plan, rows, amount < 0, column, text(column), f"is negative; a {what} is £0 or more a week")
            _report(
                plan,
                rows,
                amount > rules.MAX_WEEKLY_COST,
                column,
                text(column),
                "is more than £50,000 a week; check the figure (is it an annual cost?)",
            )
        contributions = parsed["health_contribution"].fillna(0) + parsed["education_contribution"].fillna(0)
        _report(
            plan,
            rows,
            contributions > parsed["weekly_cost"],
            "health_contribution",
            text("health_contribution"),
            "the contributions are more than the weekly cost: the net cost is negative",
            warn=True,
        )

        # Dates: in order, a date of birth in the past and before the start, an age that fits.
        dob, start, end, planned = (parsed[c] for c in ("child_dob", "start_date", "end_date", "planned_end_date"))
        _report(
            plan,
            rows,
            end < start,
            "end_date",
            text("end_date"),
            lambda: (
                "the end date ("
                + vparse.uk(end)
                + ") is before the start date ("
                + vparse.uk(start)
                + "); the end date is the first day no longer in placement"
            ),
        )
        # A row ending the day it starts lasts no night: it costs nothing and counts no child
        # (FORECAST.md: end dates are exclusive). It is left out, as the SSDA903 cleaner does.
        zero = end == start
        _report(
            plan,
            rows,
            zero,
            "end_date",
            text("end_date"),
            "the row ends the day it starts: no night in placement, so it is not imported",
            warn=True,
        )
        _report(
            plan,
            rows,
            planned <= start,
            "planned_end_date",
            text("planned_end_date"),
            lambda: (
                "the planned end date ("
                + vparse.uk(planned)
                + ") is on or before the start date ("
                + vparse.uk(start)
                + "): the forecast counts no day of this row; update or clear the planned end"
            ),
            warn=True,
        )
        _report(plan, rows, dob > today, "child_dob", text("child_dob"), "the date of birth is in the future")
        _report(
            plan,
            rows,
            (dob <= today) & (dob > start),
            "child_dob",
            text("child_dob"),
            lambda: "the date of birth is after the start date (" + vparse.uk(start) + ")",
        )
        # Nobody is in a children's placement at 25 or more (nor supported as a care leaver):
        # an error. A young person of 18 to 24 at the start of a children's placement is
        # possible (a transition) but the forecast counts no day after the 18th birthday: a warning.
        continues = type_code.map(types).eq(True)
        age = vparse.age_on(dob, start)
        age_text = age.astype("Int64").astype(str)
        valid_age = (dob <= start) & ~unknown
        who = pd.Series(np.where(continues, "the young person is ", "the child is "), index=frame.index)
        _report(
            plan,
            rows,
            valid_age & (age >= rules.CARE_LEAVER_AGE_LIMIT),
            "child_dob",
            text("child_dob"),
            lambda: (
                who
                + age_text
                + " on the start date ("
                + vparse.uk(start)
                + "); a "
                + type_code
                + pd.Series(
                    np.where(continues, " placement is for care leavers under 25", " placement is for children"),
                    index=frame.index,
                )
            ),
        )
        _report(
            plan,
            rows,
            valid_age & ~continues & (age >= rules.CHILD_AGE_LIMIT) & (age < rules.CARE_LEAVER_AGE_LIMIT),
            "child_dob",
            text("child_dob"),
            lambda: (
                "the young person is "
                + age_text
                + " on the start date ("
                + vparse.uk(start)
                + "); a "
                + type_code
                + " placement ends at 18 in the forecast (use staying_put or leaving_care after 18)"
            ),
            warn=True,
        )

        # Budget line: the one named, else the placements line of the type.
        by_type, by_code = default_lines(authority)
        line_text = text("line_code")
        line_key = line_text.str.lower()
        named = line_key != ""
        missing_line = named & ~line_key.isin(list(by_code))
        _report(
            plan,
            rows,
            missing_line,
            "line_code",
            line_text,
            "'" + line_text + "' is not a budget line of this authority",
        )
        category = line_key.map(lambda k: by_code.get(k, (0, "", ""))[1])
        _report(
            plan,
            rows,
            named & ~missing_line & (category != BudgetLine.Category.PLACEMENTS),
            "line_code",
            line_text,
            "'" + line_text + "' is not a placements budget line",
        )
        line_type = line_key.map(lambda k: by_code.get(k, (0, "", ""))[2])
        _report(
            plan,
            rows,
            named & ~missing_line & (line_type != "") & (line_type != type_code) & ~unknown,
            "line_code",
            line_text,
            "the budget line is for " + line_type + " placements, not " + type_code,
            warn=True,
        )
        line_id = line_key.map(lambda k: by_code.get(k, (None,))[0]).where(named, type_code.map(by_type))
        no_line = ~named & line_id.isna() & ~unknown & (type_code != "")
        for code in sorted(set(type_code[no_line])):
            plan.warn(
                None,
                "line_code",
                code,
                f"no placements budget line has type {code}: its rows are not linked to a budget line",
            )

        # Across rows: one row per placement and start, one child and date of birth, no overlaps.
        d = pd.DataFrame({"row": rows, "ref": ref, "child": child, "dob": dob, "start": start, "end": end})
        usable = (ref != "") & start.notna() & ~zero
        dup = usable & d[usable].duplicated(["ref", "start"], keep="first").reindex(d.index, fill_value=False)
        first_row = d["row"].where(usable).groupby([d["ref"], d["start"]], dropna=False).transform("first")
        _report(
            plan,
            rows,
            dup,
            "start_date",
            text("start_date"),
            lambda: (
                "placement "
                + ref
                + " has another row starting on the same day (row "
                + first_row.astype("Int64").astype(str)
                + ")"
            ),
        )
        known_child = (child != "") & dob.notna()
        child_first_dob = d["dob"].where(known_child).groupby(d["child"]).transform("first")
        child_first_row = d["row"].where(known_child).groupby(d["child"]).transform("first")
        _report(
            plan,
            rows,
            known_child & (dob != child_first_dob),
            "child_dob",
            text("child_dob"),
            lambda: (
                "child "
                + child
                + " has the date of birth "
                + vparse.uk(child_first_dob)
                + " in row "
                + child_first_row.astype("Int64").astype(str)
                + "; one child has one date of birth"
            ),
        )
        ref_first_child = d["child"].where(ref != "").groupby(d["ref"]).transform("first")
        ref_first_row = d["row"].where(ref != "").groupby(d["ref"]).transform("first")
        _report(
            plan,
            rows,
            (ref != "") & (child != "") & (child != ref_first_child),
            "child_ref",
            child,
            lambda: (
                "placement "
                + ref
                + " belongs to child "
                + ref_first_child.fillna("")
                + " in row "
                + ref_first_row.astype("Int64").astype(str)
            ),
        )
        checkable = usable & ~dup & ~bad_cell["end_date"] & ~(end < start)
        s = d[checkable].sort_values(["ref", "start"], kind="stable")
        previous = s.groupby("ref")
        prev_end, prev_row = previous["end"].shift(1), previous["row"].shift(1)
        has_prev = prev_row.notna()
        overlap = has_prev & (prev_end.isna() | (prev_end > s["start"]))
        gap = has_prev & prev_end.notna() & (prev_end < s["start"])
        if overlap.any() or gap.any():
            ends_text = vparse.uk(prev_end).where(prev_end.notna(), "is open")
            ends_text = ends_text.where(prev_end.isna(), "ends " + ends_text)
            positions = pd.Series(np.arange(len(d)), index=d.index)
            over = pd.Series(False, index=d.index)
            over[s.index[overlap.to_numpy()]] = True
            message = pd.Series("", index=d.index, dtype=object)
            message[s.index] = (
                "overlaps row "
                + prev_row.astype("Int64").astype(str)
                + " of placement "
                + s["ref"]
                + ", which "
                + ends_text
                + "; rows of one placement must not overlap "
                "(end the earlier row on the day the new rate starts)"
            )
            _report(plan, rows, over.reindex(positions.index), "start_date", text("start_date"), message)
            gapped = pd.Series(False, index=d.index)
            gapped[s.index[gap.to_numpy()]] = True
            message[s.index] = (
                "starts after row "
                + prev_row.astype("Int64").astype(str)
                + " of placement "
                + s["ref"]
                + " "
                + ends_text
                + ": the placement has a gap"
            )
            _report(plan, rows, gapped, "start_date", text("start_date"), message, warn=True)

        plan.errors.sort(key=lambda p: p.row or 0)
        if not plan.ok:
            return
        payload_rows = pd.DataFrame(
            {
                "row": rows,
                "placement_ref": ref,
                "child_ref": child,
                "child_dob": dob,
                "placement_type": type_code,
                "provider": provider,
                "procurement": procurement,
                "start_date": start,
                "end_date": end,
                "planned_end_date": planned,
                "weekly_cost": parsed["weekly_cost"].astype("int64"),
                "health_contribution": parsed["health_contribution"].fillna(0).astype("int64"),
                "education_contribution": parsed["education_contribution"].fillna(0).astype("int64"),
                "uasc": uasc.astype(bool),
                "line_id": line_id,
            }
        )[~zero.to_numpy(dtype=bool)].sort_values(["placement_ref", "start_date"], kind="stable")
        children = payload_rows.drop_duplicates("child_ref")[["child_ref", "child_dob"]]
        refs = sorted(set(payload_rows["placement_ref"]))
        stored = stored_rows_frame(Placement.objects.filter(authority=authority))
        changes = describe_changes(authority, payload_rows, stored[stored["placement_ref"].isin(refs)])
        changes += describe_child_changes(authority, children)
        plan.changes.extend(changes)
        plan.payload = RegisterPayload(rows=payload_rows, children=children, replace_refs=refs, changes=changes)
        plan.summary.update({"rows": len(payload_rows), "placements": len(refs), "children": len(children)})

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        from placements.services import placement_rows_replace

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


# --------------------------------------------------------------------------------------------
# SSDA903
# --------------------------------------------------------------------------------------------
