"""Reads of the placement register for pages, imports and the forecast engine.

Frames are built from `.values_list()` straight into pandas: no model instance per row, so the
engine can read a 50,000-row register in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Authority
from core.models import ImportBatch, ImportFile
from forecasting.engine.high_cost import HIGH_COST_EXCLUDED_TYPES
from forecasting.engine.inputs import REGISTER_COLUMNS as ENGINE_REGISTER_COLUMNS
from forecasting.engine.money import pence_to_pounds
from forecasting.models import BacktestReport, PlacementType
from placements.models import Child, CodeMapping, Placement, RegisterSetting, UnitCost
from placements.ssda903 import MAPPING_COLUMNS, default_mapping

# The contract with the forecast engine: exactly the columns it reads.
REGISTER_COLUMNS = list(ENGINE_REGISTER_COLUMNS)
_REGISTER_FIELDS = (
    "placement_ref",
    "child__child_ref",
    "child__date_of_birth",
    "placement_type__code",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line__code",
)
DATE_COLUMNS = ("child_dob", "start_date", "end_date", "planned_end_date")
MONEY_COLUMNS = ("weekly_cost", "health_contribution", "education_contribution")


def _register_frame(records: list[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in DATE_COLUMNS:
        if column in frame.columns:
            # datetime64 with NaT for a missing date (an open end), as the engine expects.
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    for column in MONEY_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna(0).astype("int64")
    if "uasc" in frame.columns:
        frame["uasc"] = frame["uasc"].fillna(False).astype(bool)
    for column in ("placement_ref", "child_ref", "placement_type"):
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
    if "line_code" in frame.columns:
        frame["line_code"] = frame["line_code"].astype(object).where(frame["line_code"].notna(), None)
    return frame


def placement_register_frame(*, authority: Authority) -> pd.DataFrame:
    """Every register row of the authority: one row per placement and weekly rate.

    Columns: placement_ref, child_ref (str), child_dob (datetime64), placement_type (type code),
    start_date, end_date (NaT = open; exclusive), planned_end_date (NaT = none; exclusive),
    weekly_cost, health_contribution, education_contribution (int64 pence per week), uasc (bool),
    line_code (str or None).
    """
    records = list(
        Placement.objects.filter(authority=authority)
        .order_by("placement_ref", "start_date")
        .values_list(*_REGISTER_FIELDS)
    )
    return _register_frame(records, REGISTER_COLUMNS)


def placement_types_frame() -> pd.DataFrame:
    """Finance placement types in reporting order: code, continues_after_18 (bool), name."""
    records = list(
        PlacementType.objects.order_by("sort_order", "code").values_list("code", "continues_after_18", "name")
    )
    frame = pd.DataFrame.from_records(records, columns=["code", "continues_after_18", "name"])
    frame["continues_after_18"] = frame["continues_after_18"].astype(bool)
    return frame


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


def code_mapping_frame(*, authority: Authority) -> pd.DataFrame:
    """The authority's SSDA903 mapping in the cleaner's shape (MAPPING_COLUMNS); the default
    mapping when the authority has no rows at all."""
    records = list(
        CodeMapping.objects.filter(authority=authority).values_list(
            "place", "place_provider", "valid_from_year", "valid_to_year", "placement_type__code"
        )
    )
    if not records:
        return default_mapping()
    frame = pd.DataFrame.from_records(records, columns=MAPPING_COLUMNS)
    frame["place_provider"] = frame["place_provider"].where(frame["place_provider"] != "", None)
    for column in ("valid_from_year", "valid_to_year"):
        frame[column] = frame[column].astype("Int64")
    return frame


def code_mappings(*, authority: Authority) -> QuerySet[CodeMapping]:
    return CodeMapping.objects.filter(authority=authority).select_related("placement_type")


def code_mapping_for(*, authority: Authority, mapping_id: int) -> CodeMapping:
    try:
        return code_mappings(authority=authority).get(pk=mapping_id)
    except CodeMapping.DoesNotExist:
        raise Http404("No such mapping row") from None


def unit_costs(*, authority: Authority) -> QuerySet[UnitCost]:
    return UnitCost.objects.filter(authority=authority).select_related("placement_type")


def unit_cost_for(*, authority: Authority, unit_cost_id: int) -> UnitCost:
    try:
        return unit_costs(authority=authority).get(pk=unit_cost_id)
    except UnitCost.DoesNotExist:
        raise Http404("No such unit cost") from None


def unit_costs_frame(*, authority: Authority) -> pd.DataFrame:
    """placement_type (code), effective_from (datetime64), weekly_cost (int64 pence)."""
    records = list(
        UnitCost.objects.filter(authority=authority)
        .order_by("placement_type__code", "effective_from")
        .values_list("placement_type__code", "effective_from", "weekly_cost")
    )
    frame = pd.DataFrame.from_records(records, columns=["placement_type", "effective_from", "weekly_cost"])
    frame["effective_from"] = pd.to_datetime(frame["effective_from"]).astype("datetime64[ns]")
    frame["weekly_cost"] = frame["weekly_cost"].astype("int64")
    return frame


# --------------------------------------------------------------------------------------------
# The register page
# --------------------------------------------------------------------------------------------


def eighteenth_birthday_of(dob: date) -> date:
    """18th birthday; 29 February → 1 March in a common year (as the engine treats it)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return date(dob.year + 18, 3, 1)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


@dataclass(frozen=True)
class RegisterFilter:
    """What the finance officer asked the register for (all optional)."""

    search: str = ""
    placement_type: str = ""
    open_on: date | None = None
    high_cost: int | None = None  # pence per week: rows above it
    ending_within_days: int | None = None  # from `today`
    turning_18_in: tuple[date, date] | None = None  # a financial year, first and last day
    today: date | None = None


def register_rows(*, authority: Authority, filters: RegisterFilter | None = None) -> QuerySet[Placement]:
    """Register rows of the authority matching the filters, child and type joined."""
    f = filters or RegisterFilter()
    rows = Placement.objects.filter(authority=authority).select_related("child", "placement_type", "line")
    if f.search:
        text = f.search.strip()
        rows = rows.filter(
            Q(placement_ref__icontains=text) | Q(child__child_ref__iexact=text) | Q(provider__icontains=text)
        )
    if f.placement_type:
        rows = rows.filter(placement_type__code=f.placement_type)
    if f.open_on is not None:
        rows = rows.filter(start_date__lte=f.open_on).filter(Q(end_date__isnull=True) | Q(end_date__gt=f.open_on))
    if f.high_cost is not None:
        # The engine's high-cost rule (forecasting.engine.high_cost), as a database filter.
        rows = rows.filter(weekly_cost__gt=f.high_cost, uasc=False).exclude(
            placement_type__code__in=HIGH_COST_EXCLUDED_TYPES
        )
    if f.ending_within_days is not None:
        today = f.today or date.today()
        until = today + timedelta(days=f.ending_within_days)
        # Open now and ending soon: an end or planned end in the window, or (for types that stop
        # at 18) the child's 18th birthday in the window.
        birthday_window = Q(
            placement_type__continues_after_18=False,
            child__date_of_birth__gt=_years_before(today, 18),
            child__date_of_birth__lte=_years_before(until, 18),
        )
        rows = (
            rows.filter(start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
            .filter(
                Q(end_date__lte=until) | Q(planned_end_date__gt=today, planned_end_date__lte=until) | birthday_window
            )
        )
    if f.turning_18_in is not None:
        first, last = f.turning_18_in
        rows = rows.filter(
            child__date_of_birth__gte=_years_before(first, 18), child__date_of_birth__lte=_years_before(last, 18)
        )
    return rows.order_by("child__child_ref", "placement_ref", "start_date")


def placement_history(*, authority: Authority, placement_ref: str) -> list[Placement]:
    """Every row of one placement, oldest first; 404 when the authority has no such placement."""
    rows = list(
        Placement.objects.filter(authority=authority, placement_ref=placement_ref)
        .select_related("child", "placement_type", "line")
        .order_by("start_date")
    )
    if not rows:
        raise Http404("No such placement")
    return rows


def child_placements(*, authority: Authority, child: Child) -> list[Placement]:
    return list(
        Placement.objects.filter(authority=authority, child=child)
        .select_related("placement_type")
        .order_by("start_date")
    )


def register_export_frame(rows: QuerySet[Placement]) -> pd.DataFrame:
    """The rows in the placement register file's own columns (pounds), so a download can be
    edited and imported again."""
    records = list(
        rows.values_list(
            "placement_ref",
            "child__child_ref",
            "child__date_of_birth",
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
            "line__code",
            "source",
        )
    )
    columns = [
        "placement_ref",
        "child_ref",
        "child_dob",
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
        "line_code",
        "source",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in MONEY_COLUMNS:
        frame[column] = [pence_to_pounds(v) for v in frame[column]]
    frame["uasc"] = frame["uasc"].map({True: "Y", False: "N"})
    return frame


def children_with_uasc_rows() -> Exists:
    return Exists(Placement.objects.filter(child=OuterRef("pk"), uasc=True))


@dataclass(frozen=True)
class StoredReturns:
    """The SSDA903 files of an import as they were uploaded, with the import's options."""

    files: list[tuple[str, bytes]]
    options: dict[str, object]
    imported_at: date


def ssda903_returns(*, authority: Authority) -> StoredReturns | None:
    """The raw returns the register was built from, when it was built from them alone: the
    files of the latest SSDA903 import, if every placement of the register came from an SSDA903
    return. None otherwise (a back-test then replays the register itself)."""
    placements = Placement.objects.filter(authority=authority)
    if not placements.exists() or placements.exclude(source=Placement.Source.SSDA903).exists():
        return None
    batch = (
        ImportBatch.objects.filter(authority=authority, kind="ssda903", status=ImportBatch.Status.APPLIED)
        .order_by("-created_at")
        .first()
    )
    if batch is None:
        return None
    files = [
        (name, bytes(content))
        for name, content in ImportFile.objects.filter(batch=batch).values_list("name", "content")
    ]
    if not files or any(not data for _, data in files):
        return None
    return StoredReturns(files, dict(batch.options or {}), (batch.finished_at or batch.created_at).date())


def latest_replay_rule(*, authority: Authority) -> tuple[str, str] | None:
    """Rule 8 as chosen by the authority's latest finished back-test of its own returns, with
    its reason; None when no back-test has replayed returns."""
    report = (
        BacktestReport.objects.filter(
            authority=authority, status=BacktestReport.Status.SUCCEEDED, replay__source="returns"
        )
        .order_by("-as_at", "-finished_at")
        .first()
    )
    if report is None or not report.replay.get("rule"):
        return None
    return str(
        report.replay["rule"]
    ), f"chosen by the back-test as at {report.as_at:%-d %B %Y}: {report.replay.get('rule_reason', '')}"


@dataclass(frozen=True)
class HistoryStart:
    """Where the history a forecast learns from starts (None: the register's first placement),
    and why, in words."""

    day: date | None
    why: str


def history_start(*, authority: Authority, as_at: date) -> HistoryStart:
    """The date from which the register holds every placement: the administrator's setting;
    else, for a register built from SSDA903 returns alone, 1 April of the earliest collection
    year they cover; else the day the register was first loaded, if that was by ``as_at``.
    Never the start of the longest-running placement, which would fit the model to a history
    that seems to climb from a handful of children."""
    setting = RegisterSetting.objects.filter(authority=authority).values_list("complete_from", flat=True).first()
    if setting is not None:
        return HistoryStart(
            setting, f"set by an administrator: the register holds every placement from {_day(setting)}"
        )
    placements = Placement.objects.filter(authority=authority)
    from_returns_alone = placements.exists() and not placements.exclude(source=Placement.Source.SSDA903).exists()
    applied = ImportBatch.objects.filter(authority=authority, status=ImportBatch.Status.APPLIED)
    if from_returns_alone:
        summary = applied.filter(kind="ssda903").order_by("-created_at").values_list("summary", flat=True).first()
        year = (summary or {}).get("first_collection_year")
        if isinstance(year, int):
            start = date(year, 4, 1)
            return HistoryStart(
                start, f"{_day(start)}: the start of the earliest collection year of the SSDA903 returns"
            )
    first_load = applied.filter(kind="placements").order_by("created_at").values_list("created_at", flat=True).first()
    if first_load is not None and first_load.date() <= as_at:
        return HistoryStart(first_load.date(), f"{_day(first_load.date())}: the day the register was first loaded")
    return HistoryStart(None, "the register's first placement: nothing says from when it holds every placement")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
