"""Writes to the placement register and its reference data. Every change is audited.

Services take keyword-only arguments, check the rules of `placements.rules` and raise
ValidationError (field → message) for the page to show. Imports write through
`placement_rows_replace`: one DELETE of what the file describes and a bulk INSERT, in the
caller's transaction.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_bulk, audit_record
from accounts.models import Authority, User
from core.importing import Change, ImportPlan
from forecasting.engine.money import pence_to_pounds
from forecasting.models import BudgetLine
from placements import rules
from placements.bulk import bulk_insert
from placements.models import Child, CodeMapping, Placement, PlacementType, Ssda903Import, UnitCost
from placements.selectors import children_with_uasc_rows, unit_costs_frame

BATCH_SIZE = 5000


def _pounds(pence: int | None) -> str:
    return "" if pence is None else f"£{pence_to_pounds(pence):,}"


def _row_dict(row: Placement) -> dict[str, Any]:
    return {
        "placement_ref": row.placement_ref,
        "child_ref": row.child.child_ref,
        "placement_type": row.placement_type.code,
        "provider": row.provider,
        "procurement": row.procurement,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "planned_end_date": row.planned_end_date,
        "weekly_cost": row.weekly_cost,
        "health_contribution": row.health_contribution,
        "education_contribution": row.education_contribution,
        "uasc": row.uasc,
        "line": row.line.code if row.line else None,
    }


# --------------------------------------------------------------------------------------------
# Bulk writes (imports)
# --------------------------------------------------------------------------------------------


def children_upsert(*, authority: Authority, children: pd.DataFrame) -> dict[str, int]:
    """Create missing children and correct changed dates of birth. Returns child_ref → id for
    every child of the authority (one query; an IN list of 30,000 references costs more)."""
    stored = {
        ref: (pk, dob)
        for ref, pk, dob in Child.objects.filter(authority=authority).values_list("child_ref", "id", "date_of_birth")
    }
    known = children["child_ref"].isin(list(stored))
    new = children[~known]
    bulk_insert(
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
    type_ids = dict(PlacementType.objects.values_list("code", "id"))
    if replace_refs is not None:
        deleted = _delete_rows(authority=authority, column="placement_ref", values=replace_refs, source=replace_source)
    else:
        wanted = [child_ids[ref] for ref in replace_child_refs or [] if ref in child_ids]
        deleted = _delete_rows(authority=authority, column="child_id", values=wanted, source=replace_source)
    f = rows
    n = len(f)

    def column(name: str, default: Any) -> Any:
        return f[name].to_numpy() if name in f.columns else default

    frame = pd.DataFrame(
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
            "source_file": pd.Series(column("source_file", source_file), index=range(n))
            .replace("", source_file)
            .str.slice(0, 255)
            .to_numpy()
            if n
            else [],
            "source_row": pd.to_numeric(pd.Series(column("row", None), index=range(n))).astype("Int64").to_numpy(),
            "place": column("place", ""),
            "place_provider": column("place_provider", ""),
            "updated_at": pd.Timestamp(timezone.now()),
        }
    )
    written = bulk_insert(Placement, frame)
    children_uasc_refresh(authority=authority)
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
        reason=source_file or action,
    )
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


# --------------------------------------------------------------------------------------------
# One placement at a time (the register pages)
# --------------------------------------------------------------------------------------------


def _check_money(errors: dict[str, str], field: str, pence: int | None, what: str) -> None:
    if pence is None:
        return
    problem = rules.weekly_money_problem(pence, what)
    if problem:
        errors[field] = f"The {what} {problem}"


def _overlaps(authority: Authority, ref: str, start: date, end: date | None, exclude: list[int]) -> Placement | None:
    rows = Placement.objects.filter(authority=authority, placement_ref=ref).exclude(pk__in=exclude)
    rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
    if end is not None:
        rows = rows.filter(start_date__lt=end)
    return rows.first()


@transaction.atomic
def placement_add(
    *,
    authority: Authority,
    user: User,
    child_ref: str,
    child_dob: date,
    placement_type: PlacementType,
    start_date: date,
    weekly_cost: int,
    placement_ref: str = "",
    provider: str = "",
    procurement: str = "",
    end_date: date | None = None,
    planned_end_date: date | None = None,
    health_contribution: int = 0,
    education_contribution: int = 0,
    uasc: bool = False,
    line: BudgetLine | None = None,
    today: date | None = None,
) -> Placement:
    """Add a placement (its first row). The child is created if new; an existing child must have
    the same date of birth."""
    today = today or date.today()
    errors: dict[str, str] = {}
    child_ref = child_ref.strip()
    problem = rules.child_ref_problem(child_ref)
    if problem:
        errors["child_ref"] = f"The child reference {problem}"
    child = Child.objects.filter(authority=authority, child_ref=child_ref).first()
    if child is not None and child.date_of_birth != child_dob:
        errors["child_dob"] = (
            f"Child {child_ref} is recorded with the date of birth {child.date_of_birth:%d/%m/%Y}; "
            "one child has one date of birth"
        )
    if child_dob > today:
        errors["child_dob"] = "The date of birth is in the future"
    elif child_dob > start_date:
        errors["child_dob"] = "The date of birth is after the start date"
    else:
        age = rules.age_on(child_dob, start_date)
        problem = rules.age_problem(age, placement_type.code, placement_type.continues_after_18)
        if problem:
            errors["child_dob"] = problem
    for field, value, label in (
        ("end_date", end_date, "end date"),
        ("planned_end_date", planned_end_date, "planned end date"),
    ):
        if value is not None:
            problem = rules.end_problem(value, start_date, label)
            if problem:
                errors[field] = problem[0].upper() + problem[1:]
    _check_money(errors, "weekly_cost", weekly_cost, "weekly cost")
    _check_money(errors, "health_contribution", health_contribution, "contribution")
    _check_money(errors, "education_contribution", education_contribution, "contribution")
    if procurement and procurement not in Placement.Procurement.values:
        errors["procurement"] = "Choose a procurement route"
    if line is not None and line.authority_id != authority.pk:
        errors["line"] = "Choose a budget line of this authority"
    placement_ref = placement_ref.strip() or _new_ref(authority, child_ref, start_date)
    if len(placement_ref) > rules.PLACEMENT_REF_MAX:
        errors["placement_ref"] = f"The placement reference is longer than {rules.PLACEMENT_REF_MAX} characters"
    elif Placement.objects.filter(authority=authority, placement_ref=placement_ref).exists():
        errors["placement_ref"] = (
            f"Placement {placement_ref} already exists; change its rate or end it from its history page"
        )
    if errors:
        raise ValidationError(errors)
    if line is None:
        line = (
            BudgetLine.objects.filter(
                authority=authority, category=BudgetLine.Category.PLACEMENTS, placement_type=placement_type
            )
            .order_by("code")
            .first()
        )
    if child is None:
        child = Child.objects.create(authority=authority, child_ref=child_ref, date_of_birth=child_dob, uasc=uasc)
    elif uasc and not child.uasc:
        Child.objects.filter(pk=child.pk).update(uasc=True)
    row = Placement.objects.create(
        authority=authority,
        placement_ref=placement_ref,
        child=child,
        placement_type=placement_type,
        provider=provider.strip(),
        procurement=procurement,
        start_date=start_date,
        end_date=end_date,
        planned_end_date=planned_end_date,
        weekly_cost=weekly_cost,
        health_contribution=health_contribution,
        education_contribution=education_contribution,
        uasc=uasc,
        line=line,
        source=Placement.Source.MANUAL,
    )
    audit_record(authority=authority, user=user, action="placement.add", obj=row, after=_row_dict(row))
    return row


def _new_ref(authority: Authority, child_ref: str, start: date) -> str:
    base = f"P-{child_ref}-{start:%Y%m%d}"
    ref, n = base, 1
    while Placement.objects.filter(authority=authority, placement_ref=ref).exists():
        n += 1
        ref = f"{base}-{n}"
    return ref


def _rows_of(authority: Authority, placement_ref: str) -> list[Placement]:
    rows = list(
        Placement.objects.select_for_update(of=("self",))
        .filter(authority=authority, placement_ref=placement_ref)
        .select_related("child", "placement_type", "line")
        .order_by("start_date")
    )
    if not rows:
        raise ValidationError({"placement_ref": f"There is no placement {placement_ref}"})
    return rows


@transaction.atomic
def placement_end(
    *, authority: Authority, user: User, placement_ref: str, end_date: date, reason: str = ""
) -> Placement:
    """End a placement: its last row ends on `end_date` (exclusive: the first day no longer in
    placement). Rows starting on or after that date would be lost, so they are refused."""
    rows = _rows_of(authority, placement_ref)
    last = rows[-1]
    problem = rules.end_problem(end_date, last.start_date)
    if problem:
        raise ValidationError({"end_date": problem[0].upper() + problem[1:] + " of the current rate"})
    if last.end_date is not None and end_date > last.end_date:
        raise ValidationError(
            {
                "end_date": f"The placement already ended on {last.end_date:%d/%m/%Y}; an end date can "
                "only be brought forward here"
            }
        )
    before = _row_dict(last)
    last.end_date = end_date
    last.save(update_fields=["end_date", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="placement.end",
        obj=last,
        before=before,
        after=_row_dict(last),
        reason=reason,
    )
    return last


@transaction.atomic
def placement_rate_change(
    *,
    authority: Authority,
    user: User,
    placement_ref: str,
    from_date: date,
    weekly_cost: int,
    health_contribution: int | None = None,
    education_contribution: int | None = None,
    reason: str = "",
) -> Placement:
    """Change the weekly rate from a date: the row active on that date is split in two
    contiguous rows (the old rate up to the day before, the new rate from that day)."""
    errors: dict[str, str] = {}
    _check_money(errors, "weekly_cost", weekly_cost, "weekly cost")
    _check_money(errors, "health_contribution", health_contribution, "contribution")
    _check_money(errors, "education_contribution", education_contribution, "contribution")
    if errors:
        raise ValidationError(errors)
    rows = _rows_of(authority, placement_ref)
    current = next(
        (r for r in rows if r.start_date <= from_date and (r.end_date is None or from_date < r.end_date)), None
    )
    if current is None:
        raise ValidationError(
            {
                "from_date": f"Placement {placement_ref} is not open on {from_date:%d/%m/%Y}; a rate "
                "can only change while the placement runs"
            }
        )
    health = current.health_contribution if health_contribution is None else health_contribution
    education = current.education_contribution if education_contribution is None else education_contribution
    before = _row_dict(current)
    if from_date == current.start_date:
        # The new rate applies from the row's own start: no split, the row's rate changes.
        current.weekly_cost, current.health_contribution, current.education_contribution = (
            weekly_cost,
            health,
            education,
        )
        current.save(update_fields=["weekly_cost", "health_contribution", "education_contribution", "updated_at"])
        audit_record(
            authority=authority,
            user=user,
            action="placement.rate_change",
            obj=current,
            before=before,
            after=_row_dict(current),
            reason=reason,
        )
        return current
    new = Placement.objects.create(
        authority=authority,
        placement_ref=current.placement_ref,
        child=current.child,
        placement_type=current.placement_type,
        provider=current.provider,
        procurement=current.procurement,
        start_date=from_date,
        end_date=current.end_date,
        planned_end_date=current.planned_end_date,
        weekly_cost=weekly_cost,
        health_contribution=health,
        education_contribution=education,
        uasc=current.uasc,
        line=current.line,
        source=Placement.Source.MANUAL,
    )
    current.end_date = from_date
    current.save(update_fields=["end_date", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="placement.rate_change",
        obj=new,
        before=before,
        after={"ended_row": _row_dict(current), "new_row": _row_dict(new)},
        reason=reason,
    )
    return new


# --------------------------------------------------------------------------------------------
# Reference data: the SSDA903 code mapping (administrators) and unit costs (finance officers)
# --------------------------------------------------------------------------------------------


def _mapping_dict(row: CodeMapping) -> dict[str, Any]:
    return {
        "place": row.place,
        "place_provider": row.place_provider,
        "valid_from_year": row.valid_from_year,
        "valid_to_year": row.valid_to_year,
        "placement_type": row.placement_type.code,
    }


@transaction.atomic
def code_mapping_save(
    *,
    authority: Authority,
    user: User,
    place: str,
    place_provider: str,
    valid_from_year: int | None,
    valid_to_year: int | None,
    placement_type: PlacementType,
    mapping: CodeMapping | None = None,
) -> CodeMapping:
    """Add or change a mapping row. Two rows for the same PLACE and provider may not cover the
    same collection year: the cleaner could not choose between them."""
    place, place_provider = place.strip().upper(), place_provider.strip().upper()
    errors: dict[str, str] = {}
    if not place or len(place) > 5:
        errors["place"] = "Enter the SSDA903 PLACE code, e.g. U4"
    if place_provider and place_provider not in {f"PR{i}" for i in range(6)}:
        errors["place_provider"] = "Enter PR0 to PR5, or leave blank for any provider"
    if valid_from_year is not None and valid_to_year is not None and valid_to_year < valid_from_year:
        errors["valid_to_year"] = "The last year is before the first year"
    if errors:
        raise ValidationError(errors)
    low, high = valid_from_year or 0, valid_to_year or 9999
    clash = (
        CodeMapping.objects.filter(authority=authority, place=place, place_provider=place_provider)
        .exclude(pk=mapping.pk if mapping else 0)
        .filter(Q(valid_from_year__isnull=True) | Q(valid_from_year__lte=high))
        .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=low))
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {"place": f"{clash} ({clash.years_text}) already covers these years; change the years of one of them"}
        )
    before = _mapping_dict(mapping) if mapping else None
    row = mapping or CodeMapping(authority=authority)
    row.place, row.place_provider, row.placement_type = place, place_provider, placement_type
    row.valid_from_year, row.valid_to_year = valid_from_year, valid_to_year
    row.save()
    audit_record(
        authority=authority,
        user=user,
        action="placement_mapping.save",
        obj=row,
        before=before,
        after=_mapping_dict(row),
    )
    return row


@transaction.atomic
def code_mapping_delete(*, authority: Authority, user: User, mapping: CodeMapping) -> None:
    if mapping.authority_id != authority.pk:
        raise ValidationError("Not this authority's mapping")
    audit_record(
        authority=authority, user=user, action="placement_mapping.delete", obj=mapping, before=_mapping_dict(mapping)
    )
    mapping.delete()


@transaction.atomic
def unit_cost_save(
    *,
    authority: Authority,
    user: User,
    placement_type: PlacementType,
    effective_from: date,
    weekly_cost: int,
) -> UnitCost:
    """Set the unit cost of a type from a date (replacing one already set for that date), then
    re-price the placements that came from SSDA903 returns."""
    problem = rules.weekly_money_problem(weekly_cost, "unit cost")
    if problem:
        raise ValidationError({"weekly_cost": f"The unit cost {problem}"})
    row = UnitCost.objects.filter(
        authority=authority, placement_type=placement_type, effective_from=effective_from
    ).first()
    before = {"weekly_cost": row.weekly_cost} if row else None
    if row is None:
        row = UnitCost(authority=authority, placement_type=placement_type, effective_from=effective_from)
    row.weekly_cost = weekly_cost
    row.save()
    audit_record(
        authority=authority,
        user=user,
        action="placement_unit_cost.save",
        obj=row,
        before=before,
        after={"placement_type": placement_type.code, "effective_from": effective_from, "weekly_cost": weekly_cost},
    )
    ssda903_reprice(authority=authority, user=user, placement_type=placement_type)
    return row


@transaction.atomic
def unit_cost_delete(*, authority: Authority, user: User, unit_cost: UnitCost) -> None:
    if unit_cost.authority_id != authority.pk:
        raise ValidationError("Not this authority's unit cost")
    placement_type = unit_cost.placement_type
    audit_record(
        authority=authority,
        user=user,
        action="placement_unit_cost.delete",
        obj=unit_cost,
        before={
            "placement_type": placement_type.code,
            "effective_from": unit_cost.effective_from,
            "weekly_cost": unit_cost.weekly_cost,
        },
    )
    unit_cost.delete()
    ssda903_reprice(authority=authority, user=user, placement_type=placement_type)


def ssda903_reprice(*, authority: Authority, user: User | None, placement_type: PlacementType) -> int:
    """Re-cost the SSDA903-derived placements of a type from the current unit costs: the rows of
    each placement are joined back together and split again at the unit-cost dates."""
    from placements.pricing import price_placements

    stored = Placement.objects.filter(
        authority=authority, source=Placement.Source.SSDA903, placement_type=placement_type
    )
    records = list(
        stored.order_by("placement_ref", "start_date").values(
            "placement_ref",
            "child_id",
            "start_date",
            "end_date",
            "uasc",
            "line_id",
            "place",
            "place_provider",
            "source_file",
            "source_row",
        )
    )
    if not records:
        return 0
    frame = pd.DataFrame.from_records(records)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    # The end of a placement is its last row's end (NaT = open), not the max (which skips NaT).
    whole = (
        frame.groupby("placement_ref", sort=False)
        .agg(
            start_date=("start_date", "first"),
            end_date=("end_date", "last"),
            child_id=("child_id", "first"),
            uasc=("uasc", "first"),
            line_id=("line_id", "first"),
            place=("place", "first"),
            place_provider=("place_provider", "first"),
            source_file=("source_file", "first"),
            source_row=("source_row", "first"),
        )
        .reset_index()
    )
    whole["end_date"] = (
        frame.drop_duplicates("placement_ref", keep="last")
        .set_index("placement_ref")["end_date"]
        .reindex(whole["placement_ref"])
        .to_numpy()
    )
    whole["placement_type"] = placement_type.code
    priced, _ = price_placements(whole, unit_costs_frame(authority=authority))
    stored.delete()
    bulk_insert(
        Placement,
        pd.DataFrame(
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
        ),
    )
    audit_record(
        authority=authority,
        user=user,
        action="placement.reprice",
        object_type="placements.Placement",
        object_repr=f"SSDA903 {placement_type.code} placements",
        after={"rows": len(priced)},
    )
    return len(priced)


# --------------------------------------------------------------------------------------------
# SSDA903 uploads of several files (the import page)
# --------------------------------------------------------------------------------------------


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for position, (name, data) in enumerate(files):
            # The position keeps two files of the same name apart and the input order intact.
            archive.writestr(f"{position:03d}/{name}", data)
    return out.getvalue()


def _unzip(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name.split("/", 1)[1], archive.read(name)) for name in sorted(archive.namelist())]


def ssda903_plan(*, authority: Authority, files: list[tuple[str, bytes]], options: dict[str, Any]) -> ImportPlan:
    from placements.ssda903_import import Ssda903Importer

    importer = Ssda903Importer()
    source = files[0][0] if len(files) == 1 else f"{len(files)} SSDA903 files"
    plan = ImportPlan(kind=importer.kind, source=source)
    importer.plan_files(plan, authority=authority, items=files, options=options)
    return plan


def _issue_records(plan: ImportPlan) -> list[dict[str, Any]]:
    payload = plan.payload
    if payload is None:
        return []
    issues = payload.issues
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
        for f, r, c, v, reason, a, rule, rec in issues[
            ["file", "row", "column", "value", "reason", "action", "rule", "record"]
        ].itertuples(index=False, name=None)
    ]


def _jsonable_summary(plan: ImportPlan) -> dict[str, Any]:
    counts = plan.counts()
    return {
        "counts": counts,
        **{k: v for k, v in plan.summary.items() if isinstance(v, int | str | float | bool | list | dict)},
    }


def ssda903_import_create(
    *,
    authority: Authority,
    user: User,
    files: list[tuple[str, bytes]],
    options: dict[str, Any],
) -> Ssda903Import:
    """Check several SSDA903 files together and keep them for confirmation. Writes no placement."""
    plan = ssda903_plan(authority=authority, files=files, options=options)
    return Ssda903Import.objects.create(
        authority=authority,
        file_names=[name for name, _ in files],
        content=_zip(files),
        options=options,
        created_by=user,
        summary=_jsonable_summary(plan),
        errors=[p.as_dict() for p in plan.errors],
        warnings=[p.as_dict() for p in plan.warnings if p.row is None],
        issues=_issue_records(plan),
        status=Ssda903Import.Status.PREVIEWED if plan.ok else Ssda903Import.Status.FAILED,
    )


def ssda903_import_queue(*, upload: Ssda903Import) -> bool:
    return bool(
        Ssda903Import.objects.filter(pk=upload.pk, status=Ssda903Import.Status.PREVIEWED).update(
            status=Ssda903Import.Status.QUEUED, progress=5
        )
    )


def ssda903_import_apply(*, import_id: int, user: User | None) -> Ssda903Import:
    """Confirm a previewed upload: check the stored files again against today's mapping and
    unit costs, then write in one transaction. Claimed with a compare-and-swap so that a double
    click or a second worker cannot apply it twice."""
    claimed = Ssda903Import.objects.filter(
        pk=import_id, status__in=[Ssda903Import.Status.PREVIEWED, Ssda903Import.Status.QUEUED]
    ).update(status=Ssda903Import.Status.RUNNING, progress=10)
    upload = Ssda903Import.objects.get(pk=import_id)
    if not claimed:
        return upload
    try:
        plan = ssda903_plan(authority=upload.authority, files=_unzip(bytes(upload.content)), options=upload.options)
        Ssda903Import.objects.filter(pk=import_id).update(progress=60)
        if plan.ok:
            from placements.ssda903_import import Ssda903Importer

            with transaction.atomic():
                result = Ssda903Importer().apply(plan, authority=upload.authority, user=user)
                audit_record(
                    authority=upload.authority,
                    user=user,
                    action="import.ssda903",
                    object_type="import",
                    object_repr=upload.title,
                    after={"files": upload.file_names, **result},
                )
    except Exception as error:  # noqa: BLE001 - recorded for the user, then re-raised for the logs
        Ssda903Import.objects.filter(pk=import_id).update(
            status=Ssda903Import.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                {
                    "source": upload.title,
                    "row": None,
                    "column": "",
                    "value": "",
                    "message": f"the import failed and nothing was written: {error}",
                }
            ],
        )
        raise
    if not plan.ok:
        Ssda903Import.objects.filter(pk=import_id).update(
            status=Ssda903Import.Status.FAILED,
            finished_at=timezone.now(),
            progress=100,
            errors=[p.as_dict() for p in plan.errors],
        )
    else:
        summary = _jsonable_summary(plan)
        summary.update(result)
        Ssda903Import.objects.filter(pk=import_id).update(
            status=Ssda903Import.Status.APPLIED,
            finished_at=timezone.now(),
            progress=100,
            summary=summary,
            issues=_issue_records(plan),
        )
    upload.refresh_from_db()
    return upload


def ssda903_import_cancel(*, upload: Ssda903Import) -> None:
    Ssda903Import.objects.filter(pk=upload.pk, status=Ssda903Import.Status.PREVIEWED).update(
        status=Ssda903Import.Status.CANCELLED, content=b""
    )
