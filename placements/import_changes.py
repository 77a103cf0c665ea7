"""What an import of placements would change, shared by the register and SSDA903 imports: the
rows already stored, the default budget line of each type, and the changes listed in a preview."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection

from accounts.models import Authority
from core.importing import Change
from forecasting.engine.money import pounds_text
from forecasting.models import BudgetLine
from placements.models import Child

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


def import_today(options: dict[str, Any]) -> date:
    value = options.get("today")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else date.today()


def signatures(frame: pd.DataFrame) -> pd.Series:
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


# The stored rows' fields: the placement reference, then `_SIGNATURE_FIELDS` as the ORM names
# them (the child's and the type's through their foreign keys).
_THROUGH = {"child_ref": "child__child_ref", "placement_type": "placement_type__code"}
_STORED_FIELDS = ("placement_ref", *(_THROUGH.get(name, name) for name in _SIGNATURE_FIELDS))
_DATES = ("start_date", "end_date", "planned_end_date")


def stored_rows_frame(queryset: Any) -> pd.DataFrame:
    """The stored rows of `queryset` (placements) with the fields the changes compare, one
    column each (`placement_ref` and `_SIGNATURE_FIELDS`; dates as datetime64, NaT = none)."""
    if connection.vendor == "postgresql":
        frame = _stored_rows_copied(queryset)
        if frame is not None:
            return frame
    return stored_rows_by_orm(queryset)


def stored_rows_by_orm(queryset: Any) -> pd.DataFrame:
    """`stored_rows_frame` through the ORM (any database)."""
    records = list(queryset.values_list(*_STORED_FIELDS))
    frame = pd.DataFrame.from_records(records, columns=["placement_ref"] + _SIGNATURE_FIELDS)
    for column in _DATES:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def _stored_rows_copied(queryset: Any) -> pd.DataFrame | None:
    """The same frame read by COPY as CSV and parsed by pyarrow (PostgreSQL): a re-import reads
    back 100,000 rows, which through the ORM cost a Python date and tuple per cell and row.
    None when no row is stored (the ORM's empty frame is the one to give).

    COPY's CSV writes NULL as an empty field and an empty text as "", so an unquoted empty field
    is NULL and a quoted one is text; only the two end dates and the line may be NULL. A line
    column with no NULL is int64, one with a NULL float64 and one of NULLs only None, as the
    ORM's frame has it."""
    sql, params = queryset.values_list(*_STORED_FIELDS).query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        if not hasattr(raw, "copy_expert"):  # psycopg 3: the ORM's way
            return None
        raw.copy_expert(f"COPY ({raw.mogrify(sql, params).decode()}) TO STDOUT WITH (FORMAT csv)", buffer)
    if not buffer.getbuffer().nbytes:
        return None
    names = ["placement_ref"] + _SIGNATURE_FIELDS
    texts = ("placement_ref", "child_ref", "placement_type", "provider", "procurement")
    types = {name: pa.string() for name in texts}
    types.update({name: pa.date32() for name in _DATES})
    types.update({name: pa.int64() for name in ("weekly_cost", "health_contribution", "education_contribution")})
    types.update({"uasc": pa.bool_(), "line_id": pa.int64()})
    table = pa_csv.read_csv(
        pa.py_buffer(buffer.getvalue()),
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=types,
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    frame = pd.DataFrame(
        {
            name: table.column(name).to_numpy(zero_copy_only=False).astype(object)
            if name in texts
            else table.column(name).to_pandas()
            for name in names
        }
    )
    if table.column("line_id").null_count == len(frame):
        frame["line_id"] = np.full(len(frame), None, dtype=object)  # as the ORM's frame: no number seen
    for column in _DATES:
        frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def weekly_text(pence: pd.Series | np.ndarray) -> list[str]:
    """Each weekly cost in words ('£1,234.56 a week'): each distinct amount formatted once (a
    hundred thousand placements cost a few hundred different amounts)."""
    amounts, where = np.unique(np.asarray(pence, dtype="int64"), return_inverse=True)
    texts = [f"{pounds_text(int(value), 2)} a week" for value in amounts]
    return [texts[i] for i in where.tolist()]


@dataclass(frozen=True)
class _Latest:
    """A frame's placements, sorted by reference: their references, the position of each one's
    latest row (by start date; of rows starting the same day, the last) and its number of rows."""

    refs: np.ndarray
    last: np.ndarray
    rows: np.ndarray


def _latest(frame: pd.DataFrame) -> _Latest:
    codes, refs = pd.factorize(frame["placement_ref"].to_numpy(dtype=object), sort=True)
    start = frame["start_date"].to_numpy(dtype="datetime64[ns]").view("int64").copy()
    start[np.isnat(frame["start_date"].to_numpy(dtype="datetime64[ns]"))] = np.iinfo("int64").max  # NaT last
    order = np.lexsort((np.arange(len(frame)), start, codes))
    rows = np.bincount(codes, minlength=len(refs))
    return _Latest(refs=np.asarray(refs, dtype=object), last=order[np.cumsum(rows) - 1], rows=rows)


def describe_changes(authority: Authority, new_rows: pd.DataFrame, old: pd.DataFrame) -> list[Change]:
    """create / update / unchanged per placement in the file; delete per stored placement that
    the import replaces and the file no longer has (`old`: stored_rows_frame of what the import
    replaces). Vectorised: one Change per placement, in the order of the references."""
    new = _latest(new_rows)
    refs = new.refs
    if old.empty:  # nothing stored to compare with: every placement is new, no need to hash its rows
        action = np.full(len(refs), "create", dtype=object)
        before = [""] * len(refs)
        stored = _Latest(refs=np.array([], dtype=object), last=np.array([], dtype="int64"), rows=np.array([]))
    else:
        new_sig = signatures(new_rows).reindex(refs)
        old_sig = signatures(old)
        stored_sig = old_sig.reindex(refs)
        action = np.where(stored_sig.isna(), "create", np.where(stored_sig == new_sig, "unchanged", "update"))
        stored = _latest(old)
        # Where each reference of the file is among the stored ones (-1: not stored).
        at = pd.Index(stored.refs).get_indexer(refs)
        known = np.flatnonzero(at >= 0)
        old_weekly = old["weekly_cost"].to_numpy()[stored.last[at[known]]]
        before = [""] * len(refs)
        for position, text in zip(known.tolist(), weekly_text(old_weekly), strict=True):
            before[position] = text
    last = new.last
    types = new_rows["placement_type"].to_numpy()[last].astype(str).tolist()
    children = new_rows["child_ref"].to_numpy()[last].astype(str).tolist()
    after = weekly_text(new_rows["weekly_cost"].to_numpy()[last])
    changes = [
        Change(a, r, f"{r}: {t} for child {c}, {n} rate row(s)", b, f)
        for a, r, t, c, n, b, f in zip(
            action.tolist(), refs.tolist(), types, children, new.rows.tolist(), before, after, strict=True
        )
    ]
    gone = ~pd.Index(stored.refs).isin(refs)  # hashed: numpy's isin compares texts pair by pair
    if gone.any():
        rows = stored.last[gone]
        for ref_value, type_code, child_ref, text in zip(
            stored.refs[gone].tolist(),
            old["placement_type"].to_numpy()[rows].tolist(),
            old["child_ref"].to_numpy()[rows].tolist(),
            weekly_text(old["weekly_cost"].to_numpy()[rows]),
            strict=True,
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
    """A change per child in the files whose stored date of birth the import corrects."""
    stored = dict(Child.objects.filter(authority=authority).values_list("child_ref", "date_of_birth"))
    if not stored:
        return []
    # Only the children whose stored date differs are looked at one by one (usually none).
    before_day = pd.to_datetime(children["child_ref"].map(stored)).to_numpy(dtype="datetime64[D]")
    after_day = children["child_dob"].to_numpy(dtype="datetime64[D]")
    differs = ~np.isnat(before_day) & (before_day != after_day)
    changes = []
    for child_ref, dob in children.loc[differs, ["child_ref", "child_dob"]].itertuples(index=False, name=None):
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
