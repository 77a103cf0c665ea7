"""`import_data benchmarks FILE`: a release of DfE's published statistics (DATA_FORMATS.md, Commands).

What a release describes, and so what importing it replaces: for each measure in the file, the
years the file gives for it. Those values are replaced by the file's, each keeping this
release's date; years a newer release no longer carries stay with the release they came from.
A measure whose values and release date are those already loaded is left alone, so importing the
same file twice changes nothing. Suppressed figures (x, c, -, blank) are kept as missing.

A release older than one already loaded for the same measures is refused (it would put older
figures over newer ones). All or nothing, like every import: any error writes nothing, and the
writing is one transaction, so a failure leaves the previous release in place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from accounts.models import Authority, User
from benchmarks import reading
from benchmarks.dictionary import dictionary
from benchmarks.models import Measure, Release
from benchmarks.release_apply import ReleasePayload, apply_release
from core.importing import Change, Column, Importer, ImportPlan, SourceFile, register
from tablereader import ReadError

MOST_ROW_ERRORS = 50


def _suppressed(values: pd.Series) -> pd.Series:
    return values.str.lower().isin(reading.SUPPRESSED)


def _row_errors(plan: ImportPlan, rows: pd.DataFrame, column: str, message: str) -> None:
    """One error per bad row, up to MOST_ROW_ERRORS, then how many more."""
    for _, bad in rows.head(MOST_ROW_ERRORS).iterrows():
        plan.error(int(bad["row"]), column, bad[_FIELD[column]], message)
    if len(rows) > MOST_ROW_ERRORS:
        plan.error(None, column, "", f"and {len(rows) - MOST_ROW_ERRORS:,} more rows with the same problem")


_FIELD = {"Values": "value", "LA Number": "la_number", "Short Desc": "code", "Years": "year"}


def _check_rows(plan: ImportPlan, frame: pd.DataFrame) -> None:
    for column in ("Short Desc", "Years"):
        _row_errors(plan, frame[frame[_FIELD[column]] == ""], column, "is blank; a value is required")
    numbers = pd.to_numeric(frame["la_number"], errors="coerce")
    bad_number = numbers.isna() | (numbers % 1 != 0) | (numbers < 1) | (numbers > 32767)
    _row_errors(plan, frame[bad_number], "LA Number", "is not a DfE LA number (a whole number such as 886)")
    values = frame["value"].str.replace(",", "", regex=False)
    bad_value = pd.to_numeric(values, errors="coerce").isna() & ~_suppressed(values)
    _row_errors(
        plan, frame[bad_value], "Values", "is not a number or one of DfE's marks for a suppressed figure (x, c, -)"
    )
    repeated = frame[frame.duplicated(["code", "year", "la_number"], keep="first")]
    for _, row in repeated.head(MOST_ROW_ERRORS).iterrows():
        plan.error(
            int(row["row"]),
            "Short Desc",
            row["code"],
            f"{row['code']} for {row['area']} in {row['year']} appears more than once; each figure once",
        )


def _digest(part: pd.DataFrame, day: str) -> str:
    text = "\n".join(
        sorted(f"{n}|{y}|{v}" for n, y, v in zip(part["la_number"], part["year"], part["value"], strict=True))
    )
    return hashlib.sha256(f"{day}\n{text}".encode()).hexdigest()


def _titles(plan: ImportPlan, frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Each measure's title and polarity: DfE's dictionary, else the file's own description."""
    known = dictionary()
    titles: dict[str, tuple[str, str]] = {}
    for code, part in frame.groupby("code", sort=True):
        code = str(code)
        entry = known.get(code)
        if entry is not None:
            titles[code] = (entry.title[:300], entry.polarity[:20])
            continue
        items = [item for item in part["item"] if item]
        title = " ".join(items[0].split())[:300] if items else code
        titles[code] = (title, "")
        plan.warn(
            int(part["row"].iloc[0]),
            "Short Desc",
            code,
            f"the measure '{code}' is not in DfE's data dictionary; it is kept and shown as '{title}'",
        )
    return titles


@register
class PublishedStatisticsImporter(Importer):
    kind = "benchmarks"
    title = "DfE published statistics (benchmarks)"
    # The same figures for every council: loaded for the whole deployment by the command line.
    deployment_wide = True
    columns = tuple(
        Column(name, True)
        for name in ("Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region")
    )

    def plan(self, *, authority: Authority, files: Sequence[SourceFile], options: dict[str, Any]) -> ImportPlan:
        if len(files) != 1:
            plan = ImportPlan(kind=self.kind, source=", ".join(f.name for f in files) or self.kind)
            plan.error(None, "", "", f"a {self.kind} import takes one file; {len(files)} were given")
            return plan
        source, data = files[0].name, files[0].data
        plan = ImportPlan(kind=self.kind, source=source)
        try:
            day = reading.release_date(source, options.get("as_at"))
        except ValueError as error:
            plan.error(None, "", "", str(error))
            return plan
        try:
            frame = reading.read_release(source, data)
        except (ReadError, reading.ReleaseShapeError) as error:
            plan.error(None, "", "", str(error).removeprefix(f"{source}: "))
            return plan
        if frame.empty:
            plan.error(None, "", "", "the file has a header row but no data rows")
            return plan
        _check_rows(plan, frame)
        if plan.errors:
            return plan
        self._plan_release(plan, frame, day)
        return plan

    def _plan_release(self, plan: ImportPlan, frame: pd.DataFrame, day: reading.ReleaseDate) -> None:
        frame["la_number"] = pd.to_numeric(frame["la_number"]).astype(int)
        newer = Release.objects.filter(
            kind=Release.Kind.STATISTICS, published_on__gt=day.day, values__measure__code__in=frame["code"].unique()
        ).first()
        if newer is not None:
            plan.error(
                None,
                "",
                day.day.isoformat(),
                f"a newer release (published {newer.published_on:%-d %B %Y}) is already loaded; "
                "importing an older one would replace newer figures",
            )
            return
        titles = _titles(plan, frame)
        stored = dict(Measure.objects.values_list("code", "digest"))
        changed: list[str] = []
        digests: dict[str, str] = {}
        for code, part in frame.groupby("code", sort=True):
            code = str(code)
            digest = _digest(part, day.day.isoformat())
            action = "create" if code not in stored else ("unchanged" if stored[code] == digest else "update")
            years = sorted(set(part["year"]))
            plan.changes.append(
                Change(action, code, f"{titles[code][0]}: {len(part):,} figures, {years[0]} to {years[-1]}")
            )
            if action != "unchanged":
                changed.append(code)
            digests[code] = digest
        suppressed = int(_suppressed(frame["value"].str.replace(",", "", regex=False)).sum())
        plan.summary.update(
            {
                "published_on": day.day.isoformat(),
                "figures": len(frame),
                "suppressed": suppressed,
                "measures": frame["code"].nunique(),
                "areas": frame["la_number"].nunique(),
            }
        )
        plan.payload = ReleasePayload(frame=frame, day=day, changed=changed, titles=titles, digests=digests)

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        return apply_release(plan.payload, source=plan.source)
