"""Writes of many register rows at once: an import's placements, and the re-pricing of the
SSDA903 placements when a unit cost changes.

Each is one DELETE of what is replaced and one bulk INSERT (COPY on PostgreSQL, see
`placements/copy_rows.py`), in the caller's transaction, so that an import stays all or nothing.
The importers (`placements/importers.py`, `placements/ssda903_import.py`) and the unit-cost
services both write through here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db import connection
from django.utils import timezone

from accounts.audit import audit_bulk, audit_record
from accounts.models import Authority, User
from core.importing import Change
from forecasting.models import PlacementType
from placements.copy_rows import insert_rows
from placements.models import Child, Placement
from placements.pricing import price_placements
from placements.selectors import children_with_uasc_rows, unit_costs_frame

BATCH_SIZE = 5000


def children_upsert(*, authority: Authority, children: pd.DataFrame) -> dict[str, int]:
    """Create missing children and correct changed dates of birth. Returns child_ref → id for
    every child of the authority (one query; an IN list of 30,000 references costs more)."""
    stored = {
        ref: (pk, dob)
        for ref, pk, dob in Child.objects.filter(authority=authority).values_list("child_ref", "id", "date_of_birth")
    }
    known = children["child_ref"].isin(list(stored))
    new = children[~known]
    insert_rows(
        Child,
        pd.DataFrame(
            {
                "authority_id": authority.pk,
                "child_ref": new["child_ref"],
                "date_of_birth": new["child_dob"],
                "uasc": False,
            }
        ),
    )
    changed = [
        Child(pk=stored[ref][0], date_of_birth=dob.date())
        for ref, dob in children.loc[known, ["child_ref", "child_dob"]].itertuples(index=False, name=None)
        if stored[ref][1] != dob.date()
    ]
    Child.objects.bulk_update(changed, ["date_of_birth"], batch_size=BATCH_SIZE)
    if new.empty:
        return {ref: pk for ref, (pk, _dob) in stored.items()}
    return dict(Child.objects.filter(authority=authority).values_list("child_ref", "id"))


def _delete_rows(*, authority: Authority, column: str, values: list[Any], source: str | None) -> int:
    """DELETE the authority's rows whose `column` is one of `values` (and of `source`, if
    given). On PostgreSQL the values go as one array parameter: Django would otherwise build an
    IN list of tens of thousands of parameters, which takes longer than the delete itself."""
    if not values:
        return 0
    if connection.vendor == "postgresql":
        # Joined to the unnested array (a hash join): "= ANY(array)" is checked row by row
        # against the whole array, which for 30,000 children took seconds.
        table = connection.ops.quote_name(Placement._meta.db_table)
        kind = "bigint" if column.endswith("_id") else "text"
        sql = (
            f"DELETE FROM {table} AS p USING (SELECT unnest(%s::{kind}[]) AS v) AS k "
            f"WHERE p.authority_id = %s AND p.{connection.ops.quote_name(column)} = k.v"
        )
        params: list[Any] = [list(values), authority.pk]
        if source is not None:
            sql += " AND p.source = %s"
            params.append(source)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
    rows = Placement.objects.filter(authority=authority, **{f"{column}__in": values})
    if source is not None:
        rows = rows.filter(source=source)
    return int(rows.delete()[0])


def children_uasc_refresh(*, authority: Authority) -> None:
    """A child is UASC while any of their rows is (the register and the 903 say it per
    placement). Two updates that touch only the children whose flag changes."""
    has_uasc_row = children_with_uasc_rows()
    Child.objects.filter(authority=authority, uasc=False).filter(has_uasc_row).update(uasc=True)
    Child.objects.filter(authority=authority, uasc=True).exclude(has_uasc_row).update(uasc=False)


def placement_rows_replace(
    *,
    authority: Authority,
    user: User | None,
    rows: pd.DataFrame,
    children: pd.DataFrame,
    replace_refs: list[str] | None = None,
    replace_child_refs: list[str] | None = None,
    replace_source: str | None = None,
    source: str,
    source_file: str,
    changes: list[Change],
    action: str,
) -> dict[str, Any]:
    """Replace the placements a file describes by `rows` (placement_ref, child_ref, child_dob,
    placement_type, provider, procurement, start_date, end_date, planned_end_date, weekly_cost,
    health_contribution, education_contribution, uasc, line_id [, place, place_provider,
    source_file, row]): one DELETE (the placements `replace_refs`, or the `replace_source` rows of
    the children `replace_child_refs`) and one bulk INSERT, in the caller's transaction.

    Audit: one event per placement updated or deleted (before and after); new placements are
    recorded by the import's own event (file, counts), which the caller writes.
    """
    child_ids = children_upsert(authority=authority, children=children)
    if replace_refs is not None:
        deleted = _delete_rows(authority=authority, column="placement_ref", values=replace_refs, source=replace_source)
    else:
        wanted = [child_ids[ref] for ref in replace_child_refs or [] if ref in child_ids]
        deleted = _delete_rows(authority=authority, column="child_id", values=wanted, source=replace_source)
    frame = _placement_rows_frame(
        authority=authority, rows=rows, child_ids=child_ids, source=source, source_file=source_file
    )
    written = insert_rows(Placement, frame)
    children_uasc_refresh(authority=authority)
    _audit_replaced(authority=authority, user=user, changes=changes, action=action, reason=source_file or action)
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.action] = counts.get(c.action, 0) + 1
    return {
        "rows_written": written,
        "rows_replaced": deleted,
        "placements_created": counts.get("create", 0),
        "placements_updated": counts.get("update", 0),
        "placements_unchanged": counts.get("unchanged", 0),
        "placements_deleted": counts.get("delete", 0),
    }


def _placement_rows_frame(
    *, authority: Authority, rows: pd.DataFrame, child_ids: dict[str, int], source: str, source_file: str
) -> pd.DataFrame:
    """An import's rows as Placement columns, ready for the bulk INSERT."""
    f = rows
    n = len(f)
    type_ids = dict(PlacementType.objects.values_list("code", "id"))

    def column(name: str, default: Any) -> Any:
        return f[name].to_numpy() if name in f.columns else default

    # A row's own file (SSDA903: the file of its episode), else the upload's.
    files = (
        pd.Series(column("source_file", source_file), index=range(n)).replace("", source_file).str.slice(0, 255)
        if n
        else pd.Series([], dtype=object)
    )
    return pd.DataFrame(
        {
            "authority_id": authority.pk,
            "placement_ref": f["placement_ref"].to_numpy(),
            "child_id": f["child_ref"].map(child_ids).to_numpy(),
            "placement_type_id": f["placement_type"].map(type_ids).to_numpy(),
            "provider": column("provider", ""),
            "procurement": column("procurement", ""),
            "start_date": f["start_date"].to_numpy(),
            "end_date": f["end_date"].to_numpy(),
            "planned_end_date": f["planned_end_date"].to_numpy(),
            "weekly_cost": f["weekly_cost"].to_numpy(),
            "health_contribution": f["health_contribution"].to_numpy(),
            "education_contribution": f["education_contribution"].to_numpy(),
            "uasc": f["uasc"].astype(bool).to_numpy(),
            "line_id": pd.to_numeric(f["line_id"]).astype("Int64").to_numpy(),
            "source": source,
            "source_file": files.to_numpy(),
            "source_row": pd.to_numeric(pd.Series(column("row", None), index=range(n))).astype("Int64").to_numpy(),
            "place": column("place", ""),
            "place_provider": column("place_provider", ""),
            "updated_at": pd.Timestamp(timezone.now()),
        }
    )


def _audit_replaced(
    *, authority: Authority, user: User | None, changes: list[Change], action: str, reason: str
) -> None:
    """One event per placement an import updates or deletes, with its weekly cost before and after."""
    audit_bulk(
        authority=authority,
        user=user,
        action=action,
        changes=[
            (
                "placements.Placement",
                c.key,
                c.description,
                {"weekly": c.before} if c.before else None,
                {"weekly": c.after} if c.after else None,
            )
            for c in changes
            if c.action in ("update", "delete")
        ],
        reason=reason,
    )


# --------------------------------------------------------------------------------------------
# Re-pricing the SSDA903 placements when a unit cost changes
# --------------------------------------------------------------------------------------------

_KEPT_FROM_FIRST_ROW = ("child_id", "uasc", "line_id", "place", "place_provider", "source_file", "source_row")


def ssda903_reprice(*, authority: Authority, user: User | None, placement_type: PlacementType) -> int:
    """Re-cost the SSDA903-derived placements of a type from the current unit costs: the rows of
    each placement are joined back together and split again at the unit-cost dates."""
    stored = Placement.objects.filter(
        authority=authority, source=Placement.Source.SSDA903, placement_type=placement_type
    )
    records = list(
        stored.order_by("placement_ref", "start_date").values(
            "placement_ref", "start_date", "end_date", *_KEPT_FROM_FIRST_ROW
        )
    )
    if not records:
        return 0
    whole = _whole_placements(pd.DataFrame.from_records(records))
    whole["placement_type"] = placement_type.code
    priced, _ = price_placements(whole, unit_costs_frame(authority=authority))
    stored.delete()
    insert_rows(Placement, _repriced_rows_frame(authority=authority, placement_type=placement_type, priced=priced))
    audit_record(
        authority=authority,
        user=user,
        action="placement.reprice",
        object_type="placements.Placement",
        object_repr=f"SSDA903 {placement_type.code} placements",
        after={"rows": len(priced)},
    )
    return len(priced)


def _whole_placements(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per placement from its rate rows (ordered by reference and start): the first
    row's start and details, the last row's end."""
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    whole = (
        frame.groupby("placement_ref", sort=False)
        .agg(start_date=("start_date", "first"), **{name: (name, "first") for name in _KEPT_FROM_FIRST_ROW})
        .reset_index()
    )
    # The end of a placement is its last row's end (NaT = open), not the max (which skips NaT).
    whole["end_date"] = (
        frame.drop_duplicates("placement_ref", keep="last")
        .set_index("placement_ref")["end_date"]
        .reindex(whole["placement_ref"])
        .to_numpy()
    )
    return whole


def _repriced_rows_frame(*, authority: Authority, placement_type: PlacementType, priced: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "authority_id": authority.pk,
            "placement_ref": priced["placement_ref"],
            "child_id": priced["child_id"],
            "placement_type_id": placement_type.pk,
            "provider": "",
            "procurement": "",
            "start_date": priced["start_date"],
            "end_date": priced["end_date"],
            "planned_end_date": pd.Series(pd.NaT, index=priced.index, dtype="datetime64[ns]"),
            "weekly_cost": priced["weekly_cost"],
            "health_contribution": 0,
            "education_contribution": 0,
            "uasc": priced["uasc"].astype(bool),
            "line_id": pd.to_numeric(priced["line_id"]).astype("Int64"),
            "source": Placement.Source.SSDA903,
            "source_file": priced["source_file"],
            "source_row": pd.to_numeric(priced["source_row"]).astype("Int64"),
            "place": priced["place"],
            "place_provider": priced["place_provider"],
            "updated_at": pd.Timestamp(timezone.now()),
        }
    )
