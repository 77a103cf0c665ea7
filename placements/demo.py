"""The demo county's placement register (seed_demo): five years of placements to the as-at date.

Each placements budget line of the demo (forecasting/demo.py DEMO_LINES) gets a stock of
children near its budgeted number (a little over it where the line is under pressure), weekly
costs near its budgeted unit cost (annual budget / number / 52) and typical lengths of stay.
Placements arrive at a steady rate and last an exponentially distributed time, ending at 18
for children's types, so the month-end numbers hover around the target for the whole five years.
Everything comes from a seeded random generator: every run gives the same register.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, Role, User
from forecasting.engine.calendar import FinancialYear
from forecasting.models import BudgetLine, PlacementType
from placements.copy_rows import insert_rows
from placements.models import Child, Placement, RegisterSetting, UnitCost
from placements.services import children_uasc_refresh

HISTORY_YEARS = 5


@dataclass(frozen=True)
class DemoType:
    line: str
    type_code: str
    stock: int  # month-end number the register hovers around
    weekly: float  # £ a week, mean
    spread: float  # £ a week, standard deviation
    stay_weeks: float  # mean length of a placement
    ages: tuple[int, int]  # age at the start, inclusive range
    uasc_share: float = 0.0
    providers: tuple[str, ...] = ("Shireford County Council",)
    procurement: tuple[tuple[str, float], ...] = (("in_house", 1.0),)
    annual_uplift: float = 0.0  # in-house allowances rise every 1 April
    health_share: float = 0.0  # share of placements with a health contribution
    education_share: float = 0.0


# Stocks near the budgeted numbers of DEMO_LINES (in-house fostering a little under, IFA and
# external residential over, as in the committee reports); weekly costs near budget / number / 52.
DEMO_TYPES: tuple[DemoType, ...] = (
    DemoType("CIC-FOS-INH", "fostering_in_house", 368, 455, 25, 120, (0, 15), 0.02, annual_uplift=0.03),
    DemoType(
        "CIC-FOS-IFA",
        "fostering_ifa",
        226,
        930,
        30,
        110,
        (1, 15),
        0.05,
        ("Brightpath Fostering", "Oakleaf Family Placements", "Compass Foster Care", "Haven Fostering"),
        (("framework", 0.7), ("spot", 0.3)),
    ),
    DemoType("CIC-FOS-KIN", "fostering_kinship", 160, 330, 40, 150, (0, 14), annual_uplift=0.03),
    DemoType(
        "CIC-RES-EXT",
        "residential_external",
        88,
        5250,
        420,
        60,
        (11, 16),
        0.01,
        (
            "Meadowbank Care",
            "Riverside Children's Homes",
            "Northgate Residential",
            "Ashdown House",
            "Kestrel Care Group",
        ),
        (("spot", 0.6), ("framework", 0.3), ("block", 0.1)),
        health_share=0.15,
        education_share=0.1,
    ),
    DemoType("CIC-RES-INH", "residential_in_house", 20, 4950, 150, 52, (11, 16), annual_uplift=0.02),
    DemoType(
        "CIC-SUP",
        "supported_accommodation",
        60,
        1400,
        120,
        40,
        (16, 17),
        0.3,
        ("Stepping Stones Housing", "Foundations Supported Living", "Bridge Lodgings"),
        (("block", 0.4), ("spot", 0.6)),
    ),
    DemoType(
        "CIC-SEC",
        "secure",
        3,
        7000,
        350,
        12,
        (12, 16),
        0.0,
        ("Hillcrest Secure Unit", "Aldermoor Secure"),
        (("spot", 1.0),),
    ),
    DemoType(
        "CIC-PAC", "parent_and_child", 9, 2200, 200, 20, (15, 17), 0.0, ("Family Start Assessments",), (("spot", 1.0),)
    ),
    DemoType(
        "CIC-RSC",
        "residential_school",
        8,
        4300,
        350,
        70,
        (9, 15),
        0.0,
        ("Westbrook School", "Fernhill College"),
        (("spot", 1.0),),
        education_share=0.2,
    ),
    DemoType("CIC-REM", "youth_custody", 2, 3650, 250, 10, (14, 16), 0.0, ("Youth Justice Board",), (("spot", 1.0),)),
    DemoType("CIC-PWP", "placed_with_parents", 40, 100, 15, 60, (0, 14), annual_uplift=0.03),
    DemoType(
        "CIC-ADP",
        "adoption",
        30,
        1050,
        60,
        30,
        (0, 4),
        0.0,
        ("Regional Adoption Agency", "Interagency Adoption"),
        (("framework", 1.0),),
    ),
    DemoType("CL-SPUT", "staying_put", 45, 400, 25, 80, (18, 18), 0.05, annual_uplift=0.03),
    DemoType(
        "CL-LVC",
        "leaving_care",
        76,
        815,
        120,
        70,
        (18, 20),
        0.2,
        ("Foundations Supported Living", "Bridge Lodgings"),
        (("block", 0.5), ("spot", 0.5)),
    ),
)
# A handful of very high-cost external residential placements, tracked by name in the reports.
VERY_HIGH_COST = (8_200, 9_400, 11_250)


def _seed(text: str) -> int:
    return zlib.crc32(text.encode())


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("timedelta64[D]")


def _simulate(
    spec: DemoType, rng: np.random.Generator, first: np.datetime64, as_at: np.datetime64, rate_scale: float = 1.0
) -> pd.DataFrame:
    """Starts and (exclusive) ends of one type's placements over the history window."""
    stay = spec.stay_weeks * 7.0
    horizon = int((as_at - first).astype(int)) + 1
    arrivals = rng.poisson(spec.stock / stay * horizon * rate_scale)
    starts = first + _days(rng.integers(0, horizon, arrivals))
    # Those already placed when the window opens: started up to three stays before it.
    opening = rng.poisson(spec.stock)  # the usual number: the arrival rate is what is scaled
    before = first - _days(np.minimum(rng.exponential(stay, opening), 3 * stay).astype(int) + 1)
    starts = np.concatenate([before, starts])
    lengths = np.maximum(rng.exponential(stay, len(starts)), 7).astype(int)
    # Those already placed are still placed when the window opens: their stay runs on past it by
    # a stay drawn as any other (a stay's remainder is as long as a new one, on average), so the
    # window opens with the county's usual number of children, not a fraction of it.
    lengths[:opening] += (first - before[:opening]).astype(int)
    ends = starts + _days(lengths)
    low, high = spec.ages
    age_days = rng.integers(low * 365 + 1, (high + 1) * 365 - 30, len(starts))
    dob = starts - _days(age_days)
    if spec.type_code not in ("staying_put", "leaving_care"):
        # A children's placement ends at 18 at the latest (first of the month of birth is enough).
        eighteenth = (pd.to_datetime(dob) + pd.DateOffset(years=18)).to_numpy(dtype="datetime64[D]")
        ends = np.minimum(ends, eighteenth)
    else:
        ends = np.minimum(ends, (pd.to_datetime(dob) + pd.DateOffset(years=21)).to_numpy(dtype="datetime64[D]"))
    frame = pd.DataFrame(
        {
            "start": starts.astype("datetime64[ns]"),
            "end": ends.astype("datetime64[ns]"),
            "dob": dob.astype("datetime64[ns]"),
        }
    )
    frame = frame[(frame["end"] > frame["start"]) & (frame["end"] > pd.Timestamp(first))]
    return frame.reset_index(drop=True)


def _stock_on(frame: pd.DataFrame, day: np.datetime64) -> int:
    d = pd.Timestamp(day)
    return int(((frame["start"] <= d) & (frame["end"] > d)).sum())


def demo_register(*, year_label: str, period: int) -> pd.DataFrame:
    """The demo register as rows (placement_ref, child_ref, child_dob, placement_type, provider,
    procurement, start_date, end_date, planned_end_date, weekly_cost, health_contribution,
    education_contribution, uasc, line_code). Pure: no database."""
    year = FinancialYear.from_label(year_label)
    as_at = np.datetime64(year.as_at_date(period))
    first = np.datetime64(FinancialYear(year.start_year - HISTORY_YEARS + 1).start)
    rng = np.random.default_rng(_seed(f"outturn-placements-{year_label}-{period}"))
    parts = []
    child_number = 0
    for spec in DEMO_TYPES:
        # Two passes: 18th birthdays cut some stays short, so scale the arrival rate until the
        # stock on the as-at date is near the target.
        state = rng.bit_generator.state
        trial = _simulate(spec, rng, first, as_at)
        measured = np.mean([_stock_on(trial, as_at - np.timedelta64(d, "D")) for d in (0, 91, 182, 273)])
        scale = float(spec.stock / measured) if measured else 1.0
        rng.bit_generator.state = state
        frame = _simulate(spec, rng, first, as_at, rate_scale=scale)
        n = len(frame)
        frame["placement_type"] = spec.type_code
        frame["line_code"] = spec.line
        frame["weekly"] = np.round(rng.normal(spec.weekly, spec.spread, n), 0)
        frame["weekly"] = frame["weekly"].clip(lower=spec.weekly * 0.6, upper=spec.weekly * 1.6)
        if spec.type_code == "residential_external":
            # A few tracked very high-cost placements, open on the as-at date.
            open_now = np.flatnonzero(frame["end"].to_numpy() > as_at)[: len(VERY_HIGH_COST)]
            frame.loc[frame.index[open_now], "weekly"] = VERY_HIGH_COST[: len(open_now)]
        frame["uasc"] = rng.random(n) < spec.uasc_share
        frame["provider"] = rng.choice(np.array(spec.providers, dtype=object), n)
        routes, weights = zip(*spec.procurement, strict=True)
        frame["procurement"] = rng.choice(np.array(routes, dtype=object), n, p=np.array(weights) / sum(weights))
        frame["health"] = np.where(
            rng.random(n) < spec.health_share, np.round(frame["weekly"] * rng.uniform(0.15, 0.35, n)), 0
        )
        frame["education"] = np.where(
            rng.random(n) < spec.education_share, np.round(frame["weekly"] * rng.uniform(0.3, 0.6, n)), 0
        )
        frame["child_ref"] = [f"SH{child_number + i:06d}" for i in range(n)]
        child_number += n
        frame["uplift"] = spec.annual_uplift
        parts.append(frame)
    placements = pd.concat(parts, ignore_index=True)
    placements["placement_ref"] = (
        "PL-" + placements["child_ref"].str.slice(2) + "-" + placements["start"].dt.strftime("%Y%m%d")
    )
    # Not yet ended on the as-at date: open; some with a planned end.
    open_now = placements["end"] > pd.Timestamp(as_at)
    placements["planned"] = placements["end"].where(open_now & (rng.random(len(placements)) < 0.25))
    placements["end"] = placements["end"].where(~open_now)
    return _with_rate_changes(placements, first, as_at)


def _with_rate_changes(placements: pd.DataFrame, first: np.datetime64, as_at: np.datetime64) -> pd.DataFrame:
    """In-house allowances rise each 1 April: such placements become one row per rate."""
    rows: list[dict[str, Any]] = []
    last_year = pd.Timestamp(as_at).year
    for p in placements.itertuples(index=False):
        cuts = []
        if p.uplift:
            for year in range(p.start.year, last_year + 1):
                april = pd.Timestamp(year=year, month=4, day=1)
                if april > p.start and (pd.isna(p.end) or april < p.end) and april <= pd.Timestamp(as_at):
                    cuts.append(april)
        bounds = [p.start, *cuts]
        weekly = float(p.weekly) / (1 + p.uplift) ** len(cuts) if cuts else float(p.weekly)
        for i, begin in enumerate(bounds):
            finish = bounds[i + 1] if i + 1 < len(bounds) else p.end
            rate = round(weekly * (1 + p.uplift) ** i, 2)
            rows.append(
                {
                    "placement_ref": p.placement_ref,
                    "child_ref": p.child_ref,
                    "child_dob": p.dob,
                    "placement_type": p.placement_type,
                    "provider": p.provider,
                    "procurement": p.procurement,
                    "start_date": begin,
                    "end_date": finish,
                    "planned_end_date": p.planned,
                    "weekly_cost": int(round(rate * 100)),
                    "health_contribution": int(p.health * 100),
                    "education_contribution": int(p.education * 100),
                    "uasc": bool(p.uasc),
                    "line_code": p.line_code,
                }
            )
    frame = pd.DataFrame(rows)
    for column in ("child_dob", "start_date", "end_date", "planned_end_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    # The engine's month grid starts at the window: earlier history is not needed row by row.
    return frame[frame["end_date"].isna() | (frame["end_date"] > pd.Timestamp(first))].reset_index(drop=True)


def seed_demo_data(*, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
    """Load the demo register, its children and unit costs for `authority` (bulk inserts)."""
    frame = demo_register(year_label=year_label, period=period)
    types = dict(PlacementType.objects.values_list("code", "id"))
    lines = dict(BudgetLine.objects.filter(authority=authority).values_list("code", "id"))
    children = frame.drop_duplicates("child_ref")
    insert_rows(
        Child,
        pd.DataFrame(
            {
                "authority_id": authority.pk,
                "child_ref": children["child_ref"],
                "date_of_birth": children["child_dob"],
                "uasc": False,
            }
        ),
    )
    child_ids = dict(Child.objects.filter(authority=authority).values_list("child_ref", "id"))
    insert_rows(
        Placement,
        pd.DataFrame(
            {
                "authority_id": authority.pk,
                "placement_ref": frame["placement_ref"],
                "child_id": frame["child_ref"].map(child_ids),
                "placement_type_id": frame["placement_type"].map(types),
                "provider": frame["provider"],
                "procurement": frame["procurement"],
                "start_date": frame["start_date"],
                "end_date": frame["end_date"],
                "planned_end_date": frame["planned_end_date"],
                "weekly_cost": frame["weekly_cost"],
                "health_contribution": frame["health_contribution"],
                "education_contribution": frame["education_contribution"],
                "uasc": frame["uasc"],
                "line_id": frame["line_code"].map(lines).astype("Int64"),
                "source": Placement.Source.REGISTER,
                "source_file": "demo register",
                "source_row": pd.Series(range(2, len(frame) + 2), index=frame.index),
                "place": "",
                "place_provider": "",
                "updated_at": pd.Timestamp(timezone.now()),
            }
        ),
    )
    children_uasc_refresh(authority=authority)
    year = FinancialYear.from_label(year_label)
    # The demo register holds every placement open on or after the first day of its history
    # window (some started before it): forecasts learn from the numbers from that day on.
    RegisterSetting.objects.update_or_create(
        authority=authority, defaults={"complete_from": FinancialYear(year.start_year - HISTORY_YEARS + 1).start}
    )
    unit_costs = [
        UnitCost(
            authority=authority,
            placement_type_id=types[spec.type_code],
            effective_from=FinancialYear(start).start,
            weekly_cost=int(round(spec.weekly / (1.03 ** (year.start_year - start)) * 100)),
        )
        for spec in DEMO_TYPES
        for start in range(year.start_year - HISTORY_YEARS + 1, year.start_year + 1)
    ]
    UnitCost.objects.bulk_create(unit_costs)
    user = users.get(Role.FINANCE_OFFICER)
    audit_record(
        authority=authority,
        user=user,
        action="placements.demo",
        object_type="placements.Placement",
        object_repr="demo placement register",
        after={
            "rows": len(frame),
            "placements": int(frame["placement_ref"].nunique()),
            "children": len(children),
            "as_at": year.as_at_date(period).isoformat(),
        },
    )
