"""What an import of placements would change, shared by the register and SSDA903 imports: the
rows already stored, the default budget line of each type, and the changes listed in a preview."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

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


def weekly_text(pence: pd.Series) -> list[str]:
    amounts = pence.to_numpy(dtype="int64").tolist()
    # Rates repeat from one placement to the next: each distinct amount is written once.
    texts = {amount: f"{pounds_text(amount, 2)} a week" for amount in set(amounts)}
    return list(map(texts.__getitem__, amounts))


def describe_changes(authority: Authority, new_rows: pd.DataFrame, old: pd.DataFrame) -> list[Change]:
    """create / update / unchanged per placement in the file; delete per stored placement that
    the import replaces and the file no longer has (`old`: stored_rows_frame of what the import
    replaces). Vectorised: one Change per placement."""
    old_sig = signatures(old)
    if old.empty:  # nothing stored to compare with: every placement is new, no need to hash its rows
        new_sig = pd.Series(np.nan, index=pd.Index(sorted(set(new_rows["placement_ref"])), dtype=object))
    else:
        new_sig = signatures(new_rows)

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
    after = weekly_text(new_last["weekly_cost"])
    before = [""] * len(refs)
    if not old.empty:
        old_last = latest(old)
        known = stored_sig.notna().to_numpy()
        texts = weekly_text(old_last["weekly_cost"].reindex(new_sig.index[known]))
        positions = np.flatnonzero(known)
        for position, text in zip(positions, texts, strict=True):
            before[position] = text
    changes = [
        Change(a, r, d, b, f)
        for a, r, d, b, f in zip(action.tolist(), refs.tolist(), description.tolist(), before, after, strict=True)
    ]
    gone = old_sig.index.difference(new_sig.index)
    if len(gone):
        old_last = latest(old).loc[gone]
        for ref_value, type_code, child_ref, text in zip(
            gone, old_last["placement_type"], old_last["child_ref"], weekly_text(old_last["weekly_cost"]), strict=True
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
