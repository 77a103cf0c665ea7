"""The `ssda903` import: SSDA903 header, episodes and UASC files (DATA_FORMATS.md).

The whole set of files is checked and cleaned before anything is written, and every problem is
reported with its file, row, column and value. Re-importing replaces the SSDA903-derived
placements of the children the files contain; a placement that the register already holds under
the same reference (with costs) is left alone.

Planning is a run of small steps, each adding its errors and warnings to the plan: read the
files, clean the episodes (`placements.ssda903`), our own checks on the cleaned placements,
keep the register's placements, report the cleaner's issues, price, and list the changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from accounts.models import Authority, User
from core.importing import ISSUE_COLUMNS, Change, Importer, ImportPlan, PlanRecord, Problem, SourceFile, register
from core.tabular import reading_limits
from forecasting.models import PlacementType
from placements import rules, vparse
from placements.import_changes import (
    default_lines,
    describe_changes,
    describe_child_changes,
    import_today,
    stored_rows_frame,
)
from placements.models import Placement
from placements.pricing import price_placements
from placements.register_writes import placement_rows_replace
from placements.selectors import code_mapping_frame, latest_replay_rule, unit_costs_frame
from placements.ssda903 import (
    DEFAULT_STALE_OPEN,
    STALE_OPEN_RULES,
    MappingError,
    Ssda903FileError,
    Ssda903Files,
    clean_episodes,
    read_903_files,
)
from placements.ssda903.uniques import on_uniques


@dataclass
class Ssda903Payload:
    rows: pd.DataFrame
    children: pd.DataFrame
    children_in_files: list[str]
    changes: list[Change]
    issues: pd.DataFrame


# Issues the command line and the plan report as warnings; merged episodes are only listed
# among the issues of the upload's page (and its download).
ISSUE_ACTIONS_REPORTED = ("dropped", "ignored", "corrected")


@register
class Ssda903Importer(Importer):
    kind = "ssda903"
    title = "SSDA903 return (header, episodes and UASC files)"
    columns = ()
    multi_file = True
    files_label = "SSDA903"

    def plan(self, *, authority: Authority, files: Sequence[SourceFile], options: dict[str, Any]) -> ImportPlan:
        """Every file of the return at once: the cleaner needs every year to de-duplicate
        episodes and to close open ones."""
        source = files[0].name if len(files) == 1 else f"{len(files)} SSDA903 files"
        plan = ImportPlan(kind=self.kind, source=source)
        read = _read_files(plan, files)
        if read is None:
            return plan
        la = options.get("la") or authority_in_files(read.episodes, authority)
        cleaned = _clean(plan, authority=authority, files=read, la=la, options=options)
        if cleaned is None:
            return plan
        placements, issues, summary = cleaned
        placements, issues = _import_checks(plan, placements, issues, summary)
        placements = _keep_register_placements(plan, authority, placements, summary)
        _report_issues(plan, issues)
        if not plan.ok:
            return plan
        rows = _register_rows(authority, _priced(plan, authority, placements))
        plan.payload = _payload(authority, rows, _children_in_files(read.episodes, la), issues)
        plan.changes.extend(plan.payload.changes)
        summary.update({"rows": len(rows), "files": [f.name for f in read.files]})
        plan.summary.update(summary)
        return plan

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        payload: Ssda903Payload = plan.payload
        result = placement_rows_replace(
            authority=authority,
            user=user,
            rows=payload.rows,
            children=payload.children,
            replace_child_refs=payload.children_in_files,
            replace_source=Placement.Source.SSDA903,
            # Plain text, not the choice (a str subclass): the COPY writer then takes the column
            # as it is instead of looking at each of 100,000 cells.
            source=str(Placement.Source.SSDA903),
            source_file="",
            changes=payload.changes,
            action="ssda903.import",
        )
        result["episodes_used"] = int(plan.summary.get("used", 0))
        return result

    def record(self, plan: ImportPlan) -> PlanRecord:
        """The upload keeps every issue; its warnings are those of whole files, since each
        warning about a row is an issue too (listed, filtered and downloaded on the page)."""
        record = super().record(plan)
        record.warnings = [p.as_dict() for p in plan.warnings if p.row is None]
        record.issues = _issue_records(plan.payload.issues) if plan.payload is not None else []
        return record


# --------------------------------------------------------------------------------------------
# The steps of a plan
# --------------------------------------------------------------------------------------------


def _read_files(plan: ImportPlan, files: Sequence[SourceFile]) -> Ssda903Files | None:
    """Read every file, recognising each from its columns; None (with the errors) if any file
    cannot be read or the episodes or header file is missing."""
    try:
        read = read_903_files([(f.name, f.data) for f in files], limits=reading_limits())
    except Ssda903FileError as error:
        for text in error.errors:
            name, _, message = text.partition(": ")
            plan.errors.append(Problem(name, None, "", "", message or text))
        return None
    for text in read.warnings:
        name, _, message = text.partition(": ")
        plan.warnings.append(Problem(name, None, "", "", message or text))
    if read.episodes.empty:
        plan.error(
            None,
            "",
            "",
            "there is no episodes file (CHILD, DECOM, RNE, LS, PLACE, PLACE_PROVIDER, DEC ...) among the files",
        )
    if read.header.empty:
        plan.error(
            None,
            "",
            "",
            "there is no header file (CHILD, SEX, DOB ...) among the files: the dates of birth are in the header file",
        )
    return read if plan.ok else None


def _clean(
    plan: ImportPlan, *, authority: Authority, files: Ssda903Files, la: str | None, options: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]] | None:
    """The cleaned placements, every issue and the summary; None (with the error) when the
    mapping is ambiguous or the authority of a regional file cannot be told."""
    rule, why = stale_open_rule(authority=authority, options=options)
    try:
        result = clean_episodes(
            files, mapping=code_mapping_frame(authority=authority), la=la, today=import_today(options), stale_open=rule
        )
    except MappingError as error:
        plan.error(None, "", "", f"the SSDA903 code mapping: {error}")
        return None
    except ValueError as error:
        plan.error(None, "LA", la or "", str(error))
        return None
    summary = dict(result.summary) | {"stale_open_rule": rule, "stale_open_rule_reason": why}
    return result.placements.copy(), result.issues.copy(), summary


def stale_open_rule(*, authority: Authority, options: dict[str, Any]) -> tuple[str, str]:
    """Rule 8 for this import, and why: the one asked for (``stale_open``), else the one the
    authority's latest back-test of its own returns chose (it compares each rule's numbers on
    earlier dates with what later returns showed), else the cleaner's default."""
    asked = options.get("stale_open")
    if asked:
        if asked not in STALE_OPEN_RULES:
            raise ValueError(f"stale_open must be one of {', '.join(STALE_OPEN_RULES)}, not {asked!r}")
        return str(asked), "asked for by this import"
    chosen = latest_replay_rule(authority=authority)
    if chosen is not None:
        return chosen
    return DEFAULT_STALE_OPEN, "the cleaner's default: no back-test of these returns has chosen a rule yet"


def _import_checks(
    plan: ImportPlan, placements: pd.DataFrame, issues: pd.DataFrame, summary: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Checks the cleaner leaves to us: a type we do not know (an error in the mapping), a
    reference too long to store, a child too old for the placement (a child of 25 in a
    children's placement). A refused placement is dropped and becomes an issue."""
    types = dict(PlacementType.objects.values_list("code", "continues_after_18"))
    unknown = ~placements["placement_type"].isin(list(types))
    for code in sorted(set(placements.loc[unknown, "placement_type"])):
        plan.error(
            None,
            "",
            code,
            f"the code mapping names the finance type '{code}', which does not exist; correct the mapping",
        )
    too_long = placements["child_ref"].str.len() > rules.CHILD_REF_MAX
    continues = placements["placement_type"].map(types).eq(True)
    age = vparse.age_on(placements["child_dob"], placements["start_date"])
    limit = pd.Series(np.where(continues, rules.CARE_LEAVER_AGE_LIMIT, rules.CHILD_AGE_LIMIT), index=placements.index)
    refused = too_long | ((age >= limit) & ~unknown)
    if not refused.any():
        return placements, issues
    extra = _refused_issues(placements[refused], too_long[refused], age[refused], limit[refused])
    summary["placements_refused_by_import_checks"] = int(refused.sum())
    summary["placements_produced"] = int((~refused).sum())
    return placements[~refused], pd.concat([issues, extra], ignore_index=True)


def _refused_issues(bad: pd.DataFrame, too_long: pd.Series, age: pd.Series, limit: pd.Series) -> pd.DataFrame:
    """One issue per refused placement, at the file and row of its first episode."""
    where = bad["source"].str.rsplit(" row ", n=1, expand=True)
    reason = np.where(
        too_long,
        "CHILD is longer than " + str(rules.CHILD_REF_MAX) + " characters",
        "the child is "
        + age.astype("Int64").astype(str)
        + " at DECOM "
        + vparse.uk(bad["start_date"])
        + " (date of birth "
        + vparse.uk(bad["child_dob"])
        + "); a "
        + bad["placement_type"]
        + " placement is for children under "
        + limit.astype(str),
    )
    return pd.DataFrame(
        {
            "file": where[0],
            "row": where[1].astype("int64"),
            "column": np.where(too_long, "CHILD", "DOB"),
            "value": np.where(too_long, bad["child_ref"], vparse.uk(bad["child_dob"])),
            "reason": pd.Series(reason, index=bad.index) + " (the whole placement, " + bad["placement_ref"] + ")",
            "action": "dropped",
            "rule": np.where(too_long, "child_ref_too_long", "too_old"),
            "record": "placement",
        }
    )


def _keep_register_placements(
    plan: ImportPlan, authority: Authority, placements: pd.DataFrame, summary: dict[str, Any]
) -> pd.DataFrame:
    """A placement the register already holds (with costs) is not overwritten by the 903."""
    register_refs = set(
        Placement.objects.filter(authority=authority)
        .exclude(source=Placement.Source.SSDA903)
        .values_list("placement_ref", flat=True)
    )
    kept = set(placements["placement_ref"]) & register_refs
    summary["placements_kept_from_register"] = len(kept)
    if not kept:
        return placements
    plan.warn(
        None,
        "",
        "",
        f"{len(kept)} placement(s) are already in the register with costs under the same "
        "reference and were kept as they are",
    )
    return placements[~placements["placement_ref"].isin(kept)]


def _report_issues(plan: ImportPlan, issues: pd.DataFrame) -> None:
    reported = issues[issues["action"].isin(ISSUE_ACTIONS_REPORTED) | (issues["record"] != "episode")]
    columns = [reported[c].tolist() for c in ("file", "row", "column", "value", "action", "reason")]
    plan.warnings.extend(
        Problem(str(file), int(row), str(column), str(value), f"{action}: {reason}")
        for file, row, column, value, action, reason in zip(*columns, strict=True)
    )


def _priced(plan: ImportPlan, authority: Authority, placements: pd.DataFrame) -> pd.DataFrame:
    """Each placement costed at the unit cost of its type on each day (split where it changes)."""
    priced, unpriced = price_placements(placements, unit_costs_frame(authority=authority))
    for code in unpriced:
        n = int((placements["placement_type"] == code).sum())
        plan.warn(
            None,
            "placement_type",
            code,
            f"there is no unit cost for {code}: {n} placement(s) are costed at "
            "£0 a week until one is added on the unit costs page (they are re-priced when it is)",
        )
    return priced


def _register_rows(authority: Authority, priced: pd.DataFrame) -> pd.DataFrame:
    """The priced placements as register rows (the columns `placement_rows_replace` takes)."""
    by_type, _ = default_lines(authority)
    files, numbers = _file_and_row(priced["source"])
    return pd.DataFrame(
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
            "source_file": files,
            "row": numbers,
        }
    )


def _file_and_row(source: pd.Series) -> tuple[pd.Series | str, pd.Series | int]:
    """Each row's file and row number from its source ("2019-episodes.csv row 12"). Each distinct
    source is split once (the rows of a placement split at a change of unit cost share it), in
    Python, which is several times quicker than pandas' own split."""
    if not len(source):
        return "", 0
    where, distinct = pd.factorize(source.to_numpy(dtype=object))
    parts = [text.rsplit(" row ", 1) for text in distinct.tolist()]
    files = np.array([part[0] for part in parts], dtype=object)
    numbers = np.array([part[1] for part in parts]).astype("int64")
    return pd.Series(files[where], index=source.index), pd.Series(numbers[where], index=source.index)


def _payload(authority: Authority, rows: pd.DataFrame, in_files: list[str], issues: pd.DataFrame) -> Ssda903Payload:
    """What apply writes, and the changes against the SSDA903 rows of the children in the files."""
    children = rows.drop_duplicates("child_ref")[["child_ref", "child_dob"]]
    stored = stored_rows_frame(Placement.objects.filter(authority=authority, source=Placement.Source.SSDA903))
    stored = stored[stored["child_ref"].isin(in_files)]
    changes = describe_changes(authority, rows, stored) + describe_child_changes(authority, children)
    return Ssda903Payload(rows=rows, children=children, children_in_files=in_files, changes=changes, issues=issues)


def _issue_records(issues: pd.DataFrame) -> list[dict[str, Any]]:
    """The issues as JSON records, for the upload to keep."""
    columns = list(ISSUE_COLUMNS)
    return [
        {
            "file": str(f),
            "row": int(r),
            "column": str(c),
            "value": str(v),
            "reason": str(reason),
            "action": str(a),
            "rule": str(rule),
            "record": str(rec),
        }
        for f, r, c, v, reason, a, rule, rec in issues[columns].itertuples(index=False, name=None)
    ]


def authority_in_files(episodes: pd.DataFrame, authority: Authority) -> str | None:
    """In a regional file of several councils, this authority's own rows (by code or name)."""
    councils = {str(code).strip().upper() for code in pd.unique(episodes["LA"])} - {""}  # each code once
    if len(councils) < 2:
        return None
    for candidate in (authority.code, authority.name):
        if candidate.strip().upper() in councils:
            return candidate
    return None


def _children_in_files(episodes: pd.DataFrame, la: str | None) -> list[str]:
    if not la:
        return sorted(set(pd.unique(episodes["CHILD"])) - {""})
    council = on_uniques(episodes["LA"], lambda codes: codes.astype(str).str.strip().str.upper())
    mine = (council == "") | (council == la.strip().upper())
    return sorted(set(pd.unique(episodes.loc[mine, "CHILD"])) - {""})
