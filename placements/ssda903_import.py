"""The `ssda903` import: SSDA903 header, episodes and UASC files (DATA_FORMATS.md).

The whole set of files is checked and cleaned before anything is written, and every problem is
reported with its file, row, column and value. Re-importing replaces the SSDA903-derived
placements of the children the files contain; a placement that the register already holds under
the same reference (with costs) is left alone.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from accounts.models import Authority, User
from core.importing import Change, Importer, ImportPlan, Problem, register
from core.tabular import Table
from placements import rules, vparse
from placements.import_changes import (
    default_lines,
    describe_changes,
    describe_child_changes,
    import_today,
    stored_rows_frame,
)
from placements.models import Placement, PlacementType
from placements.pricing import price_placements
from placements.selectors import code_mapping_frame, unit_costs_frame
from placements.ssda903 import MappingError, Ssda903FileError, clean_episodes, read_903_files


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
                files, mapping=code_mapping_frame(authority=authority), la=la, today=import_today(options)
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
