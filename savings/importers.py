"""The `savings` import (DATA_FORMATS.md, Savings): the tracker as councils keep it.

One row per saving and version (consultation, approved, re-profiled), one amount column per
financial year (`2022/23`). Rows of the same saving must agree on what the saving is. The
status, RAG, forecast delivery and progress narrative become a reporting cycle dated by
`--as-at` (else today) for the FY given by `--year` (else the FY containing that date).

All or nothing: every problem is reported with its row, column and value, and nothing is
written unless there are none. A re-import replaces the amounts of the years the file has
columns for; a saving whose status, RAG and forecast have not changed gets no new cycle.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from accounts.models import Authority, User
from core.importing import Change, Column, Importer, ImportPlan, duplicate_rows, register
from core.tabular import Table
from forecasting.engine.calendar import CalendarError, parse_year_label, year_containing
from forecasting.engine.money import pounds_text
from forecasting.engine.savings import (
    programme_problems,
    reprofile_problems,
)
from forecasting.parsing import parse_date
from savings.import_rows import SavingRow, programme_key, read_rows
from savings.models import MediumTermPlan, Programme, Saving, SavingAmount, SavingVersion, Status, years_between
from savings.selectors import programme_benefits_frame
from savings.services import (
    VersionInput,
    medium_term_plan_set,
    programme_save,
    saving_create,
    saving_details_save,
    saving_status_record,
    saving_versions_set,
)

# Anything that looks like a year column is taken as one, so that "2022/2023" is reported as a
# badly written year rather than ignored as an unknown column (which would lose its amounts).
YEAR_LIKE = re.compile(r"^\d{4}\s*[/-]\s*\d{2,4}$")
VERSION_ORDER = (SavingVersion.Version.CONSULTATION, SavingVersion.Version.APPROVED, SavingVersion.Version.REPROFILED)
# Columns that say what the saving is: every row of one saving must give the same values.
SAME_ON_EVERY_ROW = (
    "title",
    "service_area",
    "line_code",
    "saving_type",
    "status",
    "rag",
    "programme",
    "forecast_delivery",
)


def _pounds(pence: int | None) -> str:
    return pounds_text(pence, 2)


@dataclass
class SavingsPayload:
    years: list[str]  # the file's year columns: the years it describes
    new_plan: tuple[str, str] | None
    as_at: date
    report_year: str
    groups: dict[str, list[SavingRow]] = field(default_factory=dict)  # lower-case ref → rows
    # Programmes the file names that do not exist yet: lower-case name → (code, name, first year).
    new_programmes: dict[str, tuple[str, str, str]] = field(default_factory=dict)


@register
class SavingsImporter(Importer):
    kind = "savings"
    title = "Savings tracker"
    columns = (
        Column("ref", True),
        Column("title", True),
        Column("service_area", True),
        Column("line_code"),
        Column("saving_type"),
        Column("owner"),
        Column("narrative"),
        Column("status", True),
        Column("rag"),
        Column("programme"),
        Column("version"),
        Column("forecast_delivery"),
        # Optional columns added to DATA_FORMATS' list (allowed: never renamed, only added).
        Column("progress", help="the reporting cycle's narrative"),
        Column("period", help="1..12"),
        Column("approved_by"),
        Column("approved_on"),
        Column("start_date"),
        Column("full_year_effect"),
    )

    def extra_column_names(self, table: Table) -> list[str]:
        return [str(c) for c in table.frame.columns if YEAR_LIKE.match(str(c))]

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        years = self._year_columns(plan, table)
        as_at, report_year = self._when(plan, options)
        if not plan.ok or as_at is None or report_year is None:
            return
        stored_plan = MediumTermPlan.objects.filter(authority=authority).first()
        if stored_plan is not None:
            plan_years, new_plan = stored_plan.years, None
        else:
            # No plan yet: the file's years become the plan (one contiguous run of years).
            first, last = min(years, key=parse_year_label), max(years, key=parse_year_label)
            plan_years, new_plan = years_between(first, last), (first, last)
        rows, named = read_rows(plan, authority, table, years, plan_years)
        new_programmes = _new_programmes(authority, named, first_year=years[0])
        self._duplicates(plan, table)
        groups = self._grouped(plan, rows)
        if not plan.ok:
            return
        existing = {s.ref.lower(): s for s in Saving.objects.filter(authority=authority)}
        self._reprofiles(plan, groups, existing, years)
        self._absorbed_programmes(plan, authority, groups)
        if not plan.ok:
            return
        payload = SavingsPayload(
            years=years,
            new_plan=new_plan,
            as_at=as_at,
            report_year=report_year,
            groups=groups,
            new_programmes=new_programmes,
        )
        if new_plan:
            plan.changes.append(Change("create", "plan", f"medium-term financial plan {new_plan[0]} to {new_plan[1]}"))
        for code, name, first_year in new_programmes.values():
            called = name if code == name else f"{name} (code {code})"
            plan.changes.append(
                Change("create", f"programme {code}", f"new programme {called}, 8 years from {first_year}")
            )
        self._describe(plan, payload, existing)
        plan.payload = payload
        plan.summary.update({"savings": len(groups), "rows": len(rows), "years": years})

    # -- reading ---------------------------------------------------------------------------------

    def _year_columns(self, plan: ImportPlan, table: Table) -> list[str]:
        years = []
        for column in self.extra_column_names(table):
            try:
                parse_year_label(column)
            except CalendarError as error:
                plan.error(None, column, column, f"the column name is not a financial year: {error}")
                continue
            years.append(column.replace(" ", ""))
        if not years and plan.ok:
            plan.error(None, "", "", "the file has no amount columns; add one column per financial year, e.g. 2022/23")
        return sorted(years, key=parse_year_label)

    def _when(self, plan: ImportPlan, options: dict[str, Any]) -> tuple[date | None, str | None]:
        as_at: date | None = date.today()
        if options.get("as_at"):
            try:
                as_at = parse_date(str(options["as_at"]))
            except ValueError as error:
                plan.error(None, "as_at", options["as_at"], str(error))
                as_at = None
        report_year = None
        if options.get("year"):
            try:
                parse_year_label(str(options["year"]))
                report_year = str(options["year"]).strip()
            except CalendarError as error:
                plan.error(None, "financial_year", options["year"], str(error))
        elif as_at is not None:
            report_year = year_containing(as_at)
        return as_at, report_year

    def _duplicates(self, plan: ImportPlan, table: Table) -> None:
        frame = table.frame.copy()
        version = frame["version"] if "version" in frame.columns else pd.Series([""] * len(frame))
        frame["_version"] = [v.strip().lower() or SavingVersion.Version.APPROVED for v in version]
        for row, first, key in duplicate_rows(frame, ["ref", "_version"], table.row_numbers):
            ref, version_name = key.rsplit(" / ", 1)
            plan.error(
                row, "ref", ref, f"the reference appears twice for the {version_name} version (also row {first})"
            )

    def _grouped(self, plan: ImportPlan, rows: list[SavingRow]) -> dict[str, list[SavingRow]]:
        groups: dict[str, list[SavingRow]] = defaultdict(list)
        for r in rows:
            groups[r.ref.lower()].append(r)
        for group in groups.values():
            first = group[0]
            for other in group[1:]:
                for column in SAME_ON_EVERY_ROW:
                    mine, theirs = _attribute(other, column), _attribute(first, column)
                    if mine != theirs:
                        plan.error(
                            other.row,
                            column,
                            mine or "",
                            f"differs from row {first.row} ('{theirs or ''}') for the same saving {first.ref}; "
                            "every row of a saving must describe it the same way",
                        )
        return dict(groups)

    # -- checks across rows and against what is stored --------------------------------------------

    def _reprofiles(
        self,
        plan: ImportPlan,
        groups: dict[str, list[SavingRow]],
        existing: dict[str, Saving],
        years: list[str],
    ) -> None:
        """A re-profile moves savings between years; its lifetime total must equal the approved
        profile's (engine reprofile_problems), judged on the profiles as they would be stored."""
        stored: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        ids = {s.pk: key for key, s in existing.items() if key in groups}
        for saving_id, version, year, amount in SavingAmount.objects.filter(
            version__saving_id__in=list(ids)
        ).values_list("version__saving_id", "version__version", "year_label", "amount"):
            stored[(ids[saving_id], version)][year] = amount
        records = []
        rows_of: dict[str, int] = {}
        for key, group in groups.items():
            given = {r.version: r for r in group}
            if SavingVersion.Version.REPROFILED not in given:
                continue
            reprofile = given[SavingVersion.Version.REPROFILED]
            rows_of[reprofile.ref] = reprofile.row
            final: dict[str, dict[str, int]] = {}
            for version in (SavingVersion.Version.APPROVED, SavingVersion.Version.REPROFILED):
                kept = {y: a for y, a in stored.get((key, version), {}).items() if y not in years}
                if version in given:
                    kept.update(given[version].amounts)
                    final[version] = kept
                elif stored.get((key, version)):
                    final[version] = stored[(key, version)]
            if SavingVersion.Version.APPROVED not in final:
                plan.error(
                    reprofile.row,
                    "version",
                    "reprofiled",
                    f"saving {reprofile.ref} has no approved profile for this re-profile to replace; "
                    "add an approved row first",
                )
                continue
            records += [(reprofile.ref, v, y, a) for v, amounts in final.items() for y, a in amounts.items()]
        if not records:
            return
        frame = pd.DataFrame.from_records(records, columns=["ref", "version", "year_label", "amount"])
        for message in reprofile_problems(frame, base_version=SavingVersion.Version.APPROVED):
            ref = message.split(":", 1)[0].removeprefix("saving ")
            plan.error(rows_of.get(ref), "version", "reprofiled", message)

    def _absorbed_programmes(self, plan: ImportPlan, authority: Authority, groups: dict[str, list[SavingRow]]) -> None:
        """An absorbed saving is counted only in its programme's profile, so that programme needs
        one, or the saving is in no total (engine programme_problems). A tracker is often
        loaded before the programmes' profiles are entered, so this is a warning, not an error."""
        absorbed = [
            (g[0].ref, g[0].status, g[0].programme.code if g[0].programme else g[0].new_programme, g[0].row)
            for g in groups.values()
            if g[0].status == Status.ABSORBED
        ]
        if not absorbed:
            return
        savings = pd.DataFrame.from_records([a[:3] for a in absorbed], columns=["ref", "status", "programme"])
        benefits = programme_benefits_frame(authority=authority)
        rows_of = {ref: row for ref, _s, _p, row in absorbed}
        for message in programme_problems(savings, benefits):
            ref = message.split(":", 1)[0].removeprefix("saving ")
            plan.warn(
                rows_of.get(ref),
                "programme",
                "",
                message + " yet, so the saving is counted in no total until its target profile is entered "
                "on the programme's page",
            )

    def _describe(self, plan: ImportPlan, payload: SavingsPayload, existing: dict[str, Saving]) -> None:
        stored: dict[tuple[int, str], int] = defaultdict(int)
        for saving_id, version, amount in SavingAmount.objects.filter(
            version__saving__in=list(existing.values()), year_label__in=payload.years
        ).values_list("version__saving_id", "version__version", "amount"):
            stored[(saving_id, version)] += amount
        for key, group in payload.groups.items():
            saving = existing.get(key)
            if saving is None:
                plan.changes.append(Change("create", group[0].ref, f"new saving {group[0].ref} {group[0].title}"))
            for r in sorted(group, key=lambda r: VERSION_ORDER.index(r.version)):
                after = sum(r.amounts.values())
                text = f"{r.ref} {SavingVersion.Version(r.version).label.lower()} over {', '.join(payload.years)}"
                if saving is None or (saving.pk, r.version) not in stored:
                    plan.changes.append(Change("create", f"{r.ref} {r.version}", text, "", _pounds(after)))
                else:
                    before = stored[(saving.pk, r.version)]
                    action = "unchanged" if before == after else "update"
                    plan.changes.append(Change(action, f"{r.ref} {r.version}", text, _pounds(before), _pounds(after)))

    # -- writing ---------------------------------------------------------------------------------

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        payload: SavingsPayload = plan.payload
        if payload.new_plan:
            medium_term_plan_set(
                authority=authority, user=user, first_year=payload.new_plan[0], last_year=payload.new_plan[1]
            )
        existing = {s.ref.lower(): s for s in Saving.objects.filter(authority=authority)}
        counts = {"created": 0, "updated": 0, "cycles": 0, "programmes_created": 0}
        created: dict[str, Programme] = {}
        # Made since the plan (another upload, the programme pages): used, not made twice.
        stored = {programme_key(p.name): p for p in Programme.objects.filter(authority=authority)}
        stored |= {programme_key(p.code): p for p in stored.values()}
        for key, (code, name, first_year) in payload.new_programmes.items():
            found = stored.get(key) or stored.get(programme_key(code))
            if found is None:
                found = programme_save(authority=authority, user=user, code=code, name=name, first_year=first_year)
                counts["programmes_created"] += 1
            created[key] = found
        for key, group in payload.groups.items():
            for r in group:
                if r.new_programme is not None:
                    r.programme = created[programme_key(r.new_programme)]
            versions = {
                r.version: VersionInput(
                    amounts=r.amounts, approved_by=r.approved_by, approved_on=r.approved_on, replace_years=payload.years
                )
                for r in sorted(group, key=lambda r: VERSION_ORDER.index(r.version))
            }
            saving = existing.get(key)
            if saving is None:
                _saving_add(authority, user, payload, group, versions)
                counts["created"] += 1
                counts["cycles"] += 1
                continue
            updated, cycle = _saving_refresh(authority, user, payload, saving, group[0], versions)
            counts["updated"] += updated
            counts["cycles"] += cycle
        return counts


def _saving_add(
    authority: Authority,
    user: User | None,
    payload: SavingsPayload,
    group: list[SavingRow],
    versions: dict[str, VersionInput],
) -> None:
    """A new saving opens with its approved row (else its consultation row) and the file's cycle;
    its other versions follow."""
    first = group[0]
    by_version = {r.version: r for r in group}
    opening = (
        SavingVersion.Version.APPROVED
        if SavingVersion.Version.APPROVED in by_version
        else SavingVersion.Version.CONSULTATION
    )
    opening_row = by_version.get(opening) or first
    saving = saving_create(
        authority=authority,
        user=user,
        ref=first.ref,
        title=first.title,
        service_area=first.service_area,
        amounts=opening_row.amounts,
        status=first.status,
        as_at=payload.as_at,
        year_label=payload.report_year,
        line=first.line,
        saving_type=first.saving_type,
        owner=first.owner,
        narrative=first.narrative,
        programme=first.programme,
        start_date=first.start_date,
        full_year_effect=first.full_year_effect,
        version=opening,
        approved_by=opening_row.approved_by,
        approved_on=opening_row.approved_on,
        rag=first.rag,
        forecast_delivery=first.forecast_delivery,
        progress=first.progress,
        period=first.period,
    )
    later = {version: given for version, given in versions.items() if version != opening}
    if later:
        saving_versions_set(authority=authority, user=user, saving=saving, versions=later)


def _saving_refresh(
    authority: Authority,
    user: User | None,
    payload: SavingsPayload,
    saving: Saving,
    first: SavingRow,
    versions: dict[str, VersionInput],
) -> tuple[int, int]:
    """A stored saving takes the file's details and amounts, and a new cycle when its status,
    RAG, forecast or narrative changed. Returns (1 if its amounts changed, 1 if a cycle was added)."""
    saving_details_save(
        authority=authority,
        user=user,
        saving=saving,
        ref=first.ref,
        title=first.title,
        service_area=first.service_area,
        line=first.line,
        saving_type=first.saving_type,
        owner=first.owner,
        narrative=first.narrative,
        programme=first.programme,
        start_date=first.start_date,
        full_year_effect=first.full_year_effect,
    )
    outcome = saving_versions_set(authority=authority, user=user, saving=saving, versions=versions)
    updated = int(any(v != "unchanged" for v in outcome.values()))
    if not _cycle_changed(saving, first, payload.report_year):
        return updated, 0
    saving_status_record(
        authority=authority,
        user=user,
        saving=saving,
        as_at=payload.as_at,
        year_label=payload.report_year,
        status=first.status,
        rag=first.rag,
        forecast_delivery=first.forecast_delivery,
        narrative=first.progress,
        period=first.period,
    )
    return updated, 1


def _cycle_changed(saving: Saving, row: SavingRow, report_year: str) -> bool:
    """A new reporting cycle only when the file says something new, so a re-import of the
    same file adds nothing."""
    latest = saving.updates.order_by("-as_at", "-id").first()
    if latest is None:
        return True
    latest_this_year = saving.updates.filter(year_label=report_year).order_by("-as_at", "-id").first()
    forecast_before = latest_this_year.forecast_delivery if latest_this_year else None
    return (
        latest.status != row.status
        or latest.rag != row.rag
        or forecast_before != row.forecast_delivery
        or (bool(row.progress) and row.progress != latest.narrative)
    )


def _new_programmes(authority: Authority, named: dict[str, str], *, first_year: str) -> dict[str, tuple[str, str, str]]:
    """The programmes to create, by lower-case name: (code, name, first year). The code is the
    name, cut to the 40 characters a code holds and numbered where two would clash."""
    length = Programme._meta.get_field("code").max_length or 40
    taken = {code.lower() for code in Programme.objects.filter(authority=authority).values_list("code", flat=True)}
    result = {}
    for key, name in named.items():
        code = name[:length].strip()
        number = 1
        while code.lower() in taken:
            number += 1
            suffix = f"-{number}"
            code = name[: length - len(suffix)].strip() + suffix
        taken.add(code.lower())
        result[key] = (code, name, first_year)
    return result


def _attribute(r: SavingRow, column: str) -> str | None:
    value: Any = {
        "title": r.title,
        "service_area": r.service_area.name,
        "line_code": r.line.code if r.line else None,
        "saving_type": r.saving_type,
        "status": r.status,
        "rag": r.rag,
        "programme": r.programme.code if r.programme else r.new_programme,
        "forecast_delivery": _pounds(r.forecast_delivery) if r.forecast_delivery is not None else None,
    }[column]
    return None if value is None else str(value)
