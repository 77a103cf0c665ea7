"""The `placements` (placement cost register) and `ssda903` imports (DATA_FORMATS.md).

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

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from accounts.models import Authority, User
from core.importing import Change, Column, Importer, ImportPlan, Problem, register
from core.tabular import Table
from forecasting.engine.money import pence_to_pounds
from forecasting.models import BudgetLine
from placements import rules, vparse
from placements.models import Placement, PlacementType
from placements.pricing import price_placements
from placements.selectors import code_mapping_frame, unit_costs_frame
from placements.ssda903 import MappingError, Ssda903FileError, clean_episodes, read_903_files

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


def default_lines(authority: Authority) -> tuple[dict[str, int], dict[str, tuple[int, str, str]]]:
    """(type code → the placements line of that type (first by code), line code (lower) →
    (id, category, type code))."""
    lines = list(
        BudgetLine.objects.filter(authority=authority)
        .order_by("code")
        .values_list("id", "code", "category", "placement_type__code")
    )
    by_type: dict[str, int] = {}
    for line_id, _code, category, type_code in lines:
        if category == BudgetLine.Category.PLACEMENTS and type_code and type_code not in by_type:
            by_type[type_code] = line_id
    by_code = {code.lower(): (line_id, category, type_code or "") for line_id, code, category, type_code in lines}
    return by_type, by_code


def _today(options: dict[str, Any]) -> date:
    value = options.get("today")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else date.today()


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
        today = pd.Timestamp(_today(options))

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


_SIGNATURE_FIELDS = [
    "child_ref",
    "placement_type",
    "provider",
    "procurement",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line_id",
]


def _signatures(frame: pd.DataFrame) -> pd.Series:
    """One number per placement_ref from all its rows, to tell 'unchanged' from 'update'.

    Each row's fields are put in one canonical form (text, day numbers, integers) and hashed;
    a placement's signature is the sum of its rows' hashes (rows are unique by start date, so
    the order does not matter)."""
    if frame.empty:
        return pd.Series(dtype="uint64")
    canonical = pd.DataFrame(index=frame.index)
    for column in _SIGNATURE_FIELDS:
        values = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        if column.endswith("_date"):
            canonical[column] = values.to_numpy(dtype="datetime64[D]").astype("int64")
        elif column in ("line_id",):
            canonical[column] = pd.to_numeric(values).fillna(-1).astype("int64")
        elif column in ("weekly_cost", "health_contribution", "education_contribution"):
            canonical[column] = values.fillna(0).astype("int64")
        elif column == "uasc":
            canonical[column] = values.fillna(False).astype(bool).astype("int64")
        else:
            canonical[column] = values.fillna("").astype(str)
    hashes = pd.util.hash_pandas_object(canonical, index=False)
    return hashes.groupby(frame["placement_ref"].to_numpy()).sum()


def stored_rows_frame(queryset: Any) -> pd.DataFrame:
    records = list(
        queryset.values_list(
            "placement_ref",
            "child__child_ref",
            "placement_type__code",
            "provider",
            "procurement",
            "start_date",
            "end_date",
            "planned_end_date",
            "weekly_cost",
            "health_contribution",
            "education_contribution",
            "uasc",
            "line_id",
        )
    )
    frame = pd.DataFrame.from_records(records, columns=["placement_ref"] + _SIGNATURE_FIELDS)
    for column in ("start_date", "end_date", "planned_end_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def _weekly_text(pence: pd.Series) -> list[str]:
    return [f"£{value / 100:,.2f} a week" for value in pence.to_numpy(dtype="int64")]


def describe_changes(authority: Authority, new_rows: pd.DataFrame, old: pd.DataFrame) -> list[Change]:
    """create / update / unchanged per placement in the file; delete per stored placement that
    the import replaces and the file no longer has (`old`: stored_rows_frame of what the import
    replaces). Vectorised: one Change per placement."""
    new_sig, old_sig = _signatures(new_rows), _signatures(old)

    def latest(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            frame.sort_values(["placement_ref", "start_date"], kind="stable")
            .drop_duplicates("placement_ref", keep="last")
            .set_index("placement_ref")
        )

    new_last = latest(new_rows).reindex(new_sig.index)
    counts = new_rows.groupby("placement_ref").size().reindex(new_sig.index)
    stored_sig = old_sig.reindex(new_sig.index)
    action = np.where(stored_sig.isna(), "create", np.where(stored_sig == new_sig, "unchanged", "update"))
    refs = new_sig.index.astype(str)
    description = (
        refs
        + ": "
        + new_last["placement_type"].astype(str)
        + " for child "
        + new_last["child_ref"].astype(str)
        + ", "
        + counts.astype(str)
        + " rate row(s)"
    )
    after = _weekly_text(new_last["weekly_cost"])
    before = [""] * len(refs)
    if not old.empty:
        old_last = latest(old)
        known = stored_sig.notna().to_numpy()
        texts = _weekly_text(old_last["weekly_cost"].reindex(new_sig.index[known]))
        positions = np.flatnonzero(known)
        for position, text in zip(positions, texts, strict=True):
            before[position] = text
    changes = [Change(a, r, d, b, f) for a, r, d, b, f in zip(action, refs, description, before, after, strict=True)]
    gone = old_sig.index.difference(new_sig.index)
    if len(gone):
        old_last = latest(old).loc[gone]
        for ref_value, type_code, child_ref, text in zip(
            gone, old_last["placement_type"], old_last["child_ref"], _weekly_text(old_last["weekly_cost"]), strict=True
        ):
            changes.append(
                Change(
                    "delete",
                    str(ref_value),
                    f"{ref_value}: {type_code} for child {child_ref} (no longer in the files)",
                    text,
                    "",
                )
            )
    return changes


def describe_child_changes(authority: Authority, children: pd.DataFrame) -> list[Change]:
    from placements.models import Child

    stored = dict(Child.objects.filter(authority=authority).values_list("child_ref", "date_of_birth"))
    changes = []
    for child_ref, dob in children[["child_ref", "child_dob"]].itertuples(index=False, name=None):
        before = stored.get(child_ref)
        if before is not None and before != dob.date():
            changes.append(
                Change(
                    "update",
                    f"child {child_ref}",
                    f"date of birth of child {child_ref}",
                    f"{before:%d/%m/%Y}",
                    f"{dob:%d/%m/%Y}",
                )
            )
    return changes


# --------------------------------------------------------------------------------------------
# SSDA903
# --------------------------------------------------------------------------------------------


def _file_items(options: dict[str, Any]) -> list[tuple[str, bytes]] | None:
    """The files named on the command line (import_data ssda903 FILE...), if any."""
    paths = options.get("files")
    if not paths:
        return None
    return [(Path(p).name, Path(p).read_bytes()) for p in paths]


def table_as_csv(table: Table) -> bytes:
    """A Table (one uploaded file) back to CSV, keeping its row numbers: the SSDA903 reader
    numbers rows by position, so blank lines are put back where the table skipped them."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([table.original_columns.get(c, c).upper() for c in table.frame.columns])
    width = len(table.frame.columns)
    expected = 2
    for number, values in zip(table.row_numbers, table.frame.itertuples(index=False, name=None), strict=True):
        while expected < number:
            writer.writerow([""] * width)
            expected += 1
        writer.writerow(values)
        expected += 1
    return out.getvalue().encode()


@dataclass
class Ssda903Payload:
    rows: pd.DataFrame
    children: pd.DataFrame
    children_in_files: list[str]
    changes: list[Change]
    issues: pd.DataFrame


ISSUE_ACTIONS_REPORTED = ("dropped", "ignored", "corrected")


@register
class Ssda903Importer(Importer):
    kind = "ssda903"
    title = "SSDA903 return (header, episodes and UASC files)"
    columns = ()
    multi_file = True

    def plan(self, *, authority: Authority, table: Table, options: dict[str, Any]) -> ImportPlan:
        """Every file named in options["files"] (the command line), else the one uploaded."""
        items = _file_items(options)
        if items is None:
            items = [(table.source, table_as_csv(table))]
        source = items[0][0] if len(items) == 1 else f"{len(items)} SSDA903 files"
        plan = ImportPlan(kind=self.kind, source=source)
        self.plan_files(plan, authority=authority, items=items, options=options)
        return plan

    def plan_files(
        self,
        plan: ImportPlan,
        *,
        authority: Authority,
        items: list[tuple[str, bytes]],
        options: dict[str, Any],
    ) -> None:
        try:
            files = read_903_files(items)
        except Ssda903FileError as error:
            for text in error.errors:
                name, _, message = text.partition(": ")
                plan.errors.append(Problem(name, None, "", "", message or text))
            return
        for text in files.warnings:
            name, _, message = text.partition(": ")
            plan.warnings.append(Problem(name, None, "", "", message or text))
        if files.episodes.empty:
            plan.errors.append(
                Problem(
                    plan.source,
                    None,
                    "",
                    "",
                    "there is no episodes file (CHILD, DECOM, RNE, LS, PLACE, PLACE_PROVIDER, DEC ...) among the files",
                )
            )
        if files.header.empty:
            plan.errors.append(
                Problem(
                    plan.source,
                    None,
                    "",
                    "",
                    "there is no header file (CHILD, SEX, DOB ...) "
                    "among the files: the dates of birth are in the header file",
                )
            )
        if not plan.ok:
            return
        la = options.get("la") or _authority_in_files(files.episodes, authority)
        try:
            result = clean_episodes(
                files, mapping=code_mapping_frame(authority=authority), la=la, today=_today(options)
            )
        except MappingError as error:
            plan.errors.append(Problem(plan.source, None, "", "", f"the SSDA903 code mapping: {error}"))
            return
        except ValueError as error:
            plan.errors.append(Problem(plan.source, None, "LA", la or "", str(error)))
            return
        placements = result.placements.copy()
        issues = result.issues.copy()
        summary = dict(result.summary)

        # Checks the cleaner leaves to us: a type we do not know, a reference too long to store,
        # a child too old for the placement (a child of 25 in a children's placement).
        types = dict(PlacementType.objects.values_list("code", "continues_after_18"))
        unknown = ~placements["placement_type"].isin(list(types))
        for code in sorted(set(placements.loc[unknown, "placement_type"])):
            plan.errors.append(
                Problem(
                    plan.source,
                    None,
                    "",
                    code,
                    f"the code mapping names the finance type '{code}', which does not exist; correct the mapping",
                )
            )
        too_long = placements["child_ref"].str.len() > rules.CHILD_REF_MAX
        continues = placements["placement_type"].map(types).eq(True)
        age = vparse.age_on(placements["child_dob"], placements["start_date"])
        limit = np.where(continues, rules.CARE_LEAVER_AGE_LIMIT, rules.CHILD_AGE_LIMIT)
        too_old = (age >= limit) & ~unknown
        refused = too_long | too_old
        if refused.any():
            bad = placements[refused]
            where = bad["source"].str.rsplit(" row ", n=1, expand=True)
            reason = np.where(
                too_long[refused],
                "CHILD is longer than " + str(rules.CHILD_REF_MAX) + " characters",
                "the child is "
                + age[refused].astype("Int64").astype(str)
                + " at DECOM "
                + vparse.uk(bad["start_date"])
                + " (date of birth "
                + vparse.uk(bad["child_dob"])
                + "); a "
                + bad["placement_type"]
                + " placement is for children under "
                + pd.Series(limit, index=placements.index)[refused].astype(str),
            )
            extra = pd.DataFrame(
                {
                    "file": where[0],
                    "row": where[1].astype("int64"),
                    "column": np.where(too_long[refused], "CHILD", "DOB"),
                    "value": np.where(too_long[refused], bad["child_ref"], vparse.uk(bad["child_dob"])),
                    "reason": pd.Series(reason, index=bad.index)
                    + " (the whole placement, "
                    + bad["placement_ref"]
                    + ")",
                    "action": "dropped",
                    "rule": np.where(too_long[refused], "child_ref_too_long", "too_old"),
                    "record": "placement",
                }
            )
            issues = pd.concat([issues, extra], ignore_index=True)
            placements = placements[~refused]
            summary["placements_refused_by_import_checks"] = int(refused.sum())
            summary["placements_produced"] = len(placements)

        # A placement the register already holds (with costs) is not overwritten by the 903.
        register_refs = set(
            Placement.objects.filter(authority=authority)
            .exclude(source=Placement.Source.SSDA903)
            .values_list("placement_ref", flat=True)
        )
        kept = set(placements["placement_ref"]) & register_refs
        if kept:
            plan.warn(
                None,
                "",
                "",
                f"{len(kept)} placement(s) are already in the register with costs under the same "
                "reference and were kept as they are",
            )
            placements = placements[~placements["placement_ref"].isin(kept)]
        summary["placements_kept_from_register"] = len(kept)

        for issue in issues.itertuples(index=False):
            if issue.action in ISSUE_ACTIONS_REPORTED or issue.record != "episode":
                plan.warnings.append(
                    Problem(
                        str(issue.file),
                        int(issue.row),
                        str(issue.column),
                        str(issue.value),
                        f"{issue.action}: {issue.reason}",
                    )
                )
        if not plan.ok:
            return

        costs = unit_costs_frame(authority=authority)
        priced, unpriced = price_placements(placements, costs)
        for code in unpriced:
            n = int((placements["placement_type"] == code).sum())
            plan.warn(
                None,
                "placement_type",
                code,
                f"there is no unit cost for {code}: {n} placement(s) are costed at "
                "£0 a week until one is added on the unit costs page (they are re-priced when it is)",
            )
        by_type, _ = default_lines(authority)
        source = priced["source"].str.rsplit(" row ", n=1, expand=True) if len(priced) else None
        rows = pd.DataFrame(
            {
                "placement_ref": priced["placement_ref"],
                "child_ref": priced["child_ref"],
                "child_dob": priced["child_dob"],
                "placement_type": priced["placement_type"],
                "provider": "",
                "procurement": "",
                "start_date": priced["start_date"],
                "end_date": priced["end_date"],
                "planned_end_date": pd.Series(pd.NaT, index=priced.index, dtype="datetime64[ns]"),
                "weekly_cost": priced["weekly_cost"].astype("int64"),
                "health_contribution": 0,
                "education_contribution": 0,
                "uasc": priced["uasc"].astype(bool),
                "line_id": priced["placement_type"].map(by_type),
                "place": priced["place"].fillna(""),
                "place_provider": priced["place_provider"].fillna(""),
                "source_file": source[0] if source is not None else "",
                "row": source[1].astype("int64") if source is not None else 0,
            }
        )
        children = rows.drop_duplicates("child_ref")[["child_ref", "child_dob"]]
        in_files = _children_in_files(files.episodes, la)
        stored = stored_rows_frame(Placement.objects.filter(authority=authority, source=Placement.Source.SSDA903))
        stored = stored[stored["child_ref"].isin(in_files)]
        changes = describe_changes(authority, rows, stored) + describe_child_changes(authority, children)
        plan.changes.extend(changes)
        plan.payload = Ssda903Payload(
            rows=rows, children=children, children_in_files=in_files, changes=changes, issues=issues
        )
        summary.update({"rows": len(rows), "files": [f.name for f in files.files]})
        plan.summary.update(summary)

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        from placements.services import placement_rows_replace

        payload: Ssda903Payload = plan.payload
        result = placement_rows_replace(
            authority=authority,
            user=user,
            rows=payload.rows,
            children=payload.children,
            replace_child_refs=payload.children_in_files,
            replace_source=Placement.Source.SSDA903,
            source=Placement.Source.SSDA903,
            source_file="",
            changes=payload.changes,
            action="ssda903.import",
        )
        result["episodes_used"] = int(plan.summary.get("used", 0))
        return result


def _authority_in_files(episodes: pd.DataFrame, authority: Authority) -> str | None:
    """In a regional file of several councils, this authority's own rows (by code or name)."""
    councils = set(episodes["LA"].astype(str).str.strip().str.upper()) - {""}
    if len(councils) < 2:
        return None
    for candidate in (authority.code, authority.name):
        if candidate.strip().upper() in councils:
            return candidate
    return None


def _children_in_files(episodes: pd.DataFrame, la: str | None) -> list[str]:
    council = episodes["LA"].astype(str).str.strip().str.upper()
    mine = (council == "") | (council == (la or "").strip().upper()) if la else pd.Series(True, index=episodes.index)
    return sorted(set(episodes.loc[mine, "CHILD"]) - {""})
