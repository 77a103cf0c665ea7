"""The checks of a placement cost register file (DATA_FORMATS.md), run in order by
`PlacementRegisterImporter.build_plan`.

A check is one function taking the `RegisterRows` being checked: it reports every bad row with
`rows.report(mask, column, values, message)` (a whole pandas column at a time, never a loop over
rows) and returns nothing. To add a check, write the function and put it in `REGISTER_CHECKS`:
the order is the order warnings are listed in, and of the errors of one row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from accounts.models import Authority
from core.importing import ImportPlan
from core.tabular import Table
from forecasting.models import BudgetLine, PlacementType
from forecasting.parsing import field_length
from placements import rules, vparse
from placements.import_changes import default_lines, import_today
from placements.models import Child, Placement

PROCUREMENT = tuple(Placement.Procurement.values)
DATE_COLUMNS = ("child_dob", "start_date", "end_date", "planned_end_date")
MONEY_COLUMNS = ("weekly_cost", "health_contribution", "education_contribution")
PARSERS: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
    **dict.fromkeys(DATE_COLUMNS, vparse.parse_dates),
    **dict.fromkeys(MONEY_COLUMNS, vparse.parse_money),
    "uasc": vparse.parse_bools,
}

Message: TypeAlias = pd.Series | str | Callable[[], pd.Series]  # a function: built only if a row is bad


def _report(
    plan: ImportPlan,
    rows: np.ndarray,
    mask: pd.Series,
    column: str,
    values: pd.Series | str,
    message: Message,
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
class RegisterRows:
    """The register file being checked. Cells are read as trimmed text, parsed and looked up
    once, when a check first asks, so a check may use any column whatever its place in the order."""

    plan: ImportPlan
    authority: Authority
    frame: pd.DataFrame  # the file's cells as text, one row per register row, index 0..n-1
    rows: np.ndarray  # the spreadsheet row number of each (the column names are row 1)
    today: pd.Timestamp
    required: tuple[str, ...] = ()
    _texts: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    _parsed: dict[str, tuple[pd.Series, pd.Series]] = field(default_factory=dict, repr=False)

    @classmethod
    def for_table(
        cls, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any], required: tuple[str, ...]
    ) -> RegisterRows:
        return cls(
            plan=plan,
            authority=authority,
            frame=table.frame.reset_index(drop=True),
            rows=np.asarray(table.row_numbers, dtype=np.int64),
            today=pd.Timestamp(import_today(options)),
            required=required,
        )

    def report(
        self, mask: pd.Series, column: str, values: pd.Series | str, message: Message, *, warn: bool = False
    ) -> None:
        _report(self.plan, self.rows, mask, column, values, message, warn=warn)

    def text(self, column: str) -> pd.Series:
        """The column's cells, trimmed; all '' when the file has no such column."""
        if column not in self._texts:
            self._texts[column] = (
                pd.Series(vparse.stripped(self.frame[column].astype(str)), index=self.frame.index, dtype=object)
                if column in self.frame.columns
                else pd.Series("", index=self.frame.index, dtype=object)
            )
        return self._texts[column]

    def parse(self, column: str) -> tuple[pd.Series, pd.Series]:
        """(parsed values, message for each bad cell, NaN elsewhere) of a date, money or yes/no column."""
        if column not in self._parsed:
            self._parsed[column] = PARSERS[column](self.text(column))
        return self._parsed[column]

    def value(self, column: str) -> pd.Series:
        return self.parse(column)[0]

    def bad_cell(self, column: str) -> pd.Series:
        return self.parse(column)[1].notna()

    @cached_property
    def type_code(self) -> pd.Series:
        return self.text("placement_type").str.lower()

    @cached_property
    def types(self) -> dict[str, bool]:
        """Finance placement type code -> continues after 18."""
        return dict(PlacementType.objects.values_list("code", "continues_after_18"))

    @cached_property
    def unknown_type(self) -> pd.Series:
        return (self.type_code != "") & ~self.type_code.isin(list(self.types))

    @cached_property
    def zero(self) -> pd.Series:
        """Rows ending the day they start: no night, left out of the import."""
        return self.value("end_date") == self.value("start_date")

    @cached_property
    def lines(self) -> tuple[dict[str, int], dict[str, tuple[int, str, str]]]:
        """(placements line id by type, (id, category, type) by lower-case line code)."""
        return default_lines(self.authority)

    @cached_property
    def line_key(self) -> pd.Series:
        return self.text("line_code").str.lower()

    @cached_property
    def line_id(self) -> pd.Series:
        """The budget line named, else the placements line of the type (NaN if none)."""
        by_type, by_code = self.lines
        named = self.line_key != ""
        return self.line_key.map(lambda k: by_code.get(k, (None,))[0]).where(named, self.type_code.map(by_type))

    @cached_property
    def by_row(self) -> pd.DataFrame:
        """Row number, reference, child and dates of each row, for the checks across rows."""
        return pd.DataFrame(
            {
                "row": self.rows,
                "ref": self.text("placement_ref"),
                "child": self.text("child_ref"),
                "dob": self.value("child_dob"),
                "start": self.value("start_date"),
                "end": self.value("end_date"),
            }
        )

    @cached_property
    def ref_codes(self) -> np.ndarray:
        """A number per distinct placement reference ('' included), for the checks across rows:
        comparing and sorting numbers costs far less than hashing the references again in each."""
        codes: np.ndarray = pd.factorize(self.text("placement_ref").to_numpy(dtype=object))[0]
        return codes

    @cached_property
    def child_codes(self) -> np.ndarray:
        codes: np.ndarray = pd.factorize(self.text("child_ref").to_numpy(dtype=object))[0]
        return codes

    @cached_property
    def usable(self) -> pd.Series:
        """Rows that can be compared with the placement's other rows."""
        return (self.text("placement_ref") != "") & self.value("start_date").notna() & ~self.zero

    @cached_property
    def repeated_start(self) -> pd.Series:
        """A second (third ...) row of a placement starting on the same day."""
        usable = self.usable.to_numpy(dtype=bool)
        at = np.flatnonzero(usable)
        days = self.value("start_date").to_numpy()[at].astype("datetime64[D]").astype(np.int64)
        pairs = pd.DataFrame({"ref": self.ref_codes[at], "start": days})
        repeated = np.zeros(len(usable), dtype=bool)
        repeated[at] = pairs.duplicated(keep="first").to_numpy()
        return pd.Series(repeated, index=self.frame.index)


RegisterCheck = Callable[[RegisterRows], None]


# --------------------------------------------------------------------------------------------
# One row at a time
# --------------------------------------------------------------------------------------------


def required_values(rows: RegisterRows) -> None:
    for column in rows.required:
        rows.report(rows.text(column) == "", column, "", "is blank; a value is required")


# A control character (a NUL above all) cannot be stored in a text column; tab and line breaks can.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)
TEXT_COLUMNS = ("placement_ref", "child_ref", "placement_type", "provider", "procurement", "line_code")


def control_characters(rows: RegisterRows) -> None:
    for column in TEXT_COLUMNS:
        text = rows.text(column)
        if not _CONTROL.search("".join(text)):
            continue  # one search of the whole column: a file seldom holds any
        rows.report(
            text.str.contains(CONTROL_CHARACTERS, regex=True),
            column,
            text.str.replace(CONTROL_CHARACTERS, "?", regex=True),
            "contains a control character that cannot be stored; remove it",
        )


def references(rows: RegisterRows) -> None:
    """Placement and child references: not too long, and a child reference is pseudonymous."""
    ref, child = rows.text("placement_ref"), rows.text("child_ref")
    ref_max = field_length(Placement, "placement_ref") or rules.PLACEMENT_REF_MAX
    child_max = field_length(Child, "child_ref") or rules.CHILD_REF_MAX
    rows.report(ref.str.len() > ref_max, "placement_ref", ref.str.slice(0, 80), f"is longer than {ref_max} characters")
    bad_child = (child != "") & ~child.str.match(rules.CHILD_REF_PATTERN.pattern)
    rows.report(
        bad_child | (child.str.len() > child_max),
        "child_ref",
        child,
        lambda: child.map(lambda v: rules.child_ref_problem(v) or ""),
    )


def placement_types(rows: RegisterRows) -> None:
    type_text = rows.text("placement_type")
    rows.report(
        rows.unknown_type,
        "placement_type",
        type_text,
        lambda: "'" + type_text + "' is not a finance placement type code (see the placement types page)",
    )


def provider_and_procurement(rows: RegisterRows) -> None:
    provider = rows.text("provider")
    provider_max = field_length(Placement, "provider") or rules.PROVIDER_MAX
    rows.report(
        provider.str.len() > provider_max,
        "provider",
        provider.str.slice(0, 80),
        f"is longer than {provider_max} characters",
    )
    procurement_text = rows.text("procurement")
    procurement = procurement_text.str.lower()
    rows.report(
        (procurement != "") & ~procurement.isin(PROCUREMENT),
        "procurement",
        procurement_text,
        lambda: "'" + procurement_text + "' is not one of: " + ", ".join(PROCUREMENT),
    )


def readable_values(rows: RegisterRows) -> None:
    """Dates that are dates, money that is pounds, yes or no that is yes or no."""
    for column in (*DATE_COLUMNS, *MONEY_COLUMNS, "uasc"):
        message = rows.parse(column)[1]
        rows.report(message.notna(), column, rows.text(column), message)


def money_amounts(rows: RegisterRows) -> None:
    """Money: never negative, never absurd; contributions above the cost are a warning."""
    for column, what in (
        ("weekly_cost", "weekly cost"),
        ("health_contribution", "contribution"),
        ("education_contribution", "contribution"),
    ):
        amount = rows.value(column)
        rows.report(amount < 0, column, rows.text(column), f"is negative; a {what} is £0 or more a week")
        rows.report(
            amount > rules.MAX_WEEKLY_COST,
            column,
            rows.text(column),
            "is more than £50,000 a week; check the figure (is it an annual cost?)",
        )
    contributions = rows.value("health_contribution").fillna(0) + rows.value("education_contribution").fillna(0)
    rows.report(
        contributions > rows.value("weekly_cost"),
        "health_contribution",
        rows.text("health_contribution"),
        "the contributions are more than the weekly cost: the net cost is negative",
        warn=True,
    )


def end_dates(rows: RegisterRows) -> None:
    """End and planned end after the start."""
    start, end, planned = (rows.value(c) for c in ("start_date", "end_date", "planned_end_date"))
    rows.report(
        end < start,
        "end_date",
        rows.text("end_date"),
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
    rows.report(
        rows.zero,
        "end_date",
        rows.text("end_date"),
        "the row ends the day it starts: no night in placement, so it is not imported",
        warn=True,
    )
    rows.report(
        planned <= start,
        "planned_end_date",
        rows.text("planned_end_date"),
        lambda: (
            "the planned end date ("
            + vparse.uk(planned)
            + ") is on or before the start date ("
            + vparse.uk(start)
            + "): the forecast counts no day of this row; update or clear the planned end"
        ),
        warn=True,
    )


def dates_of_birth(rows: RegisterRows) -> None:
    """A date of birth in the past and before the start."""
    dob, start = rows.value("child_dob"), rows.value("start_date")
    rows.report(dob > rows.today, "child_dob", rows.text("child_dob"), "the date of birth is in the future")
    rows.report(
        (dob <= rows.today) & (dob > start),
        "child_dob",
        rows.text("child_dob"),
        lambda: "the date of birth is after the start date (" + vparse.uk(start) + ")",
    )


def ages(rows: RegisterRows) -> None:
    """Nobody is in a children's placement at 25 or more (nor supported as a care leaver): an
    error. A young person of 18 to 24 at the start of a children's placement is possible (a
    transition) but the forecast counts no day after the 18th birthday: a warning."""
    dob, start, type_code = rows.value("child_dob"), rows.value("start_date"), rows.type_code
    continues = type_code.map(rows.types).eq(True)
    age = vparse.age_on(dob, start)

    def age_text() -> pd.Series:  # only when a row is reported
        return age.astype("Int64").astype(str)

    valid_age = (dob <= start) & ~rows.unknown_type
    index = rows.frame.index
    who = pd.Series(np.where(continues, "the young person is ", "the child is "), index=index)
    for_whom = pd.Series(
        np.where(continues, " placement is for care leavers under 25", " placement is for children"), index=index
    )
    rows.report(
        valid_age & (age >= rules.CARE_LEAVER_AGE_LIMIT),
        "child_dob",
        rows.text("child_dob"),
        lambda: who + age_text() + " on the start date (" + vparse.uk(start) + "); a " + type_code + for_whom,
    )
    rows.report(
        valid_age & ~continues & (age >= rules.CHILD_AGE_LIMIT) & (age < rules.CARE_LEAVER_AGE_LIMIT),
        "child_dob",
        rows.text("child_dob"),
        lambda: (
            "the young person is "
            + age_text()
            + " on the start date ("
            + vparse.uk(start)
            + "); a "
            + type_code
            + " placement ends at 18 in the forecast (use staying_put or leaving_care after 18)"
        ),
        warn=True,
    )


def budget_lines(rows: RegisterRows) -> None:
    """A budget line named must be this authority's, a placements line, and (a warning) of the type."""
    _by_type, by_code = rows.lines
    line_text, line_key = rows.text("line_code"), rows.line_key
    named = line_key != ""
    missing_line = named & ~line_key.isin(list(by_code))
    rows.report(
        missing_line, "line_code", line_text, lambda: "'" + line_text + "' is not a budget line of this authority"
    )
    category = line_key.map({code: line[1] for code, line in by_code.items()}).fillna("")
    rows.report(
        named & ~missing_line & (category != BudgetLine.Category.PLACEMENTS),
        "line_code",
        line_text,
        lambda: "'" + line_text + "' is not a placements budget line",
    )
    line_type = line_key.map({code: line[2] for code, line in by_code.items()}).fillna("")
    rows.report(
        named & ~missing_line & (line_type != "") & (line_type != rows.type_code) & ~rows.unknown_type,
        "line_code",
        line_text,
        lambda: "the budget line is for " + line_type + " placements, not " + rows.type_code,
        warn=True,
    )


def types_without_a_budget_line(rows: RegisterRows) -> None:
    """Rows naming no line go to the placements line of their type: one warning per type without one."""
    type_code = rows.type_code
    no_line = (rows.line_key == "") & rows.line_id.isna() & ~rows.unknown_type & (type_code != "")
    for code in sorted(set(type_code[no_line])):
        rows.plan.warn(
            None,
            "line_code",
            code,
            f"no placements budget line has type {code}: its rows are not linked to a budget line",
        )


# --------------------------------------------------------------------------------------------
# Across rows: one row per placement and start, one child and date of birth, no overlaps
# --------------------------------------------------------------------------------------------


def one_row_per_start(rows: RegisterRows) -> None:
    d, ref = rows.by_row, rows.text("placement_ref")

    def message() -> pd.Series:  # only when a row is reported
        first_row = d["row"].where(rows.usable).groupby([d["ref"], d["start"]], dropna=False).transform("first")
        return (
            "placement "
            + ref
            + " has another row starting on the same day (row "
            + first_row.astype("Int64").astype(str)
            + ")"
        )

    rows.report(rows.repeated_start, "start_date", rows.text("start_date"), message)


def _first_of_group(codes: np.ndarray, among: np.ndarray) -> np.ndarray:
    """For each row, the position of the first row of its group (same code) among the rows
    `among` holds for; -1 where its group has none."""
    at = np.flatnonzero(among)
    first = np.full(int(codes.max(initial=-1)) + 1, -1, dtype=np.int64)
    groups, where = np.unique(codes[at], return_index=True)
    first[groups] = at[where]
    of_row: np.ndarray = first[codes]
    return of_row


def one_date_of_birth_per_child(rows: RegisterRows) -> None:
    d, child, dob = rows.by_row, rows.text("child_ref"), rows.value("child_dob")
    known_child = (child != "") & dob.notna()
    known = known_child.to_numpy(dtype=bool)
    first = _first_of_group(rows.child_codes, known)
    days = dob.to_numpy()
    differs = known & (days != days[np.maximum(first, 0)])  # a known row's group has a first row

    def message() -> pd.Series:  # only when a row is reported
        child_first_dob = d["dob"].where(known_child).groupby(d["child"]).transform("first")
        child_first_row = d["row"].where(known_child).groupby(d["child"]).transform("first")
        return (
            "child "
            + child
            + " has the date of birth "
            + vparse.uk(child_first_dob)
            + " in row "
            + child_first_row.astype("Int64").astype(str)
            + "; one child has one date of birth"
        )

    rows.report(pd.Series(differs, index=child.index), "child_dob", rows.text("child_dob"), message)


def one_child_per_placement(rows: RegisterRows) -> None:
    d, ref, child = rows.by_row, rows.text("placement_ref"), rows.text("child_ref")
    named = (ref != "").to_numpy(dtype=bool)
    first = _first_of_group(rows.ref_codes, named)
    codes = rows.child_codes
    other_child = named & (child != "").to_numpy(dtype=bool) & (codes != codes[np.maximum(first, 0)])

    def message() -> pd.Series:  # only when a row is reported
        ref_first_child = d["child"].where(ref != "").groupby(d["ref"]).transform("first")
        ref_first_row = d["row"].where(ref != "").groupby(d["ref"]).transform("first")
        return (
            "placement "
            + ref
            + " belongs to child "
            + ref_first_child.fillna("")
            + " in row "
            + ref_first_row.astype("Int64").astype(str)
        )

    rows.report(pd.Series(other_child, index=child.index), "child_ref", child, message)


def overlaps_and_gaps(rows: RegisterRows) -> None:
    """Rows of one placement (rate changes) must not overlap; a gap between them is a warning."""
    d = rows.by_row
    start, end = rows.value("start_date"), rows.value("end_date")
    checkable = rows.usable & ~rows.repeated_start & ~rows.bad_cell("end_date") & ~(end < start)
    # Each placement's rows in start order (placements in the order they first appear), and the
    # row before each within its placement (-1 for its first).
    at = np.flatnonzero(checkable.to_numpy(dtype=bool))
    codes = rows.ref_codes[at]
    order = np.lexsort((start.to_numpy()[at], codes))
    at, codes = at[order], codes[order]
    before = np.full(len(at), -1, dtype=np.int64)
    follows = np.flatnonzero(codes[1:] == codes[:-1]) + 1
    before[follows] = at[follows - 1]
    s = d.iloc[at]
    has_prev = pd.Series(before >= 0, index=s.index)
    prev_end = pd.Series(end.to_numpy()[np.maximum(before, 0)], index=s.index).where(has_prev)
    prev_row = pd.Series(d["row"].to_numpy()[np.maximum(before, 0)], index=s.index).where(has_prev)
    overlap = has_prev & (prev_end.isna() | (prev_end > s["start"]))
    gap = has_prev & prev_end.notna() & (prev_end < s["start"])
    if not (overlap.any() or gap.any()):
        return
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
    rows.report(over.reindex(positions.index), "start_date", rows.text("start_date"), message)
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
    rows.report(gapped, "start_date", rows.text("start_date"), message, warn=True)


REGISTER_CHECKS: tuple[RegisterCheck, ...] = (
    required_values,
    control_characters,
    references,
    placement_types,
    provider_and_procurement,
    readable_values,
    money_amounts,
    end_dates,
    dates_of_birth,
    ages,
    budget_lines,
    types_without_a_budget_line,
    one_row_per_start,
    one_date_of_birth_per_child,
    one_child_per_placement,
    overlaps_and_gaps,
)
