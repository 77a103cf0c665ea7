"""A large, made-up county for benchmarks: `large_county_inputs(seed)`.

Deterministic for a seed (numpy's PCG64), no real data. Shape (2019/20 as at period 4):
about 2,000 children in care on 31 July 2019 and ten years of placement history
(20,000 register rows, several rows for placements whose weekly cost changed), 15 placement
types, 300 budget lines (15 placements, 30 workforce, 200 other, 55 income), 30 social work
teams with about 500 posts and 600 workers (a quarter agency), 60 savings and the best /
middle / worst scenarios with a mix of demand methods. Money is integer pence.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from .calendar import FinancialYear
from .inputs import EngineInputs
from .scenarios import PlacementAssumption, Scenario

# type: (share of placements, typical weekly cost in pounds, continues after 18, age range at start)
_TYPES: dict[str, tuple[float, int, bool, tuple[int, int]]] = {
    "fostering_in_house": (0.30, 450, False, (0, 15)),
    "fostering_ifa": (0.22, 850, False, (0, 15)),
    "fostering_kinship": (0.12, 250, False, (0, 15)),
    "residential_in_house": (0.03, 3_000, False, (10, 16)),
    "residential_external": (0.08, 4_500, False, (10, 16)),
    "supported_accommodation": (0.06, 1_200, False, (16, 17)),
    "secure": (0.005, 6_500, False, (12, 16)),
    "parent_and_child": (0.01, 1_800, False, (15, 17)),
    "placed_with_parents": (0.05, 50, False, (0, 15)),
    "adoption": (0.04, 100, False, (0, 6)),
    "residential_school": (0.01, 3_500, False, (8, 15)),
    "youth_custody": (0.005, 2_000, False, (14, 17)),
    "staying_put": (0.02, 300, True, (18, 19)),
    "leaving_care": (0.02, 400, True, (18, 20)),
    "other": (0.01, 500, False, (0, 15)),
}
REGISTER_ROWS = 20_000
TEAMS = 30
WORKERS = 600
OTHER_LINES = 200
INCOME_LINES = 55
SAVINGS = 60


def _days(values: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    return values.astype("datetime64[D]")


def _dates(values: npt.NDArray[np.int64], present: npt.NDArray[np.bool_]) -> pd.Series:
    """Day numbers as datetime64 dates, NaT where not `present`."""
    days = values.astype("datetime64[D]").astype("datetime64[ns]")
    days[~present] = np.datetime64("NaT")
    return pd.Series(days)


def _or_none(mask: npt.NDArray[np.bool_], values: npt.ArrayLike) -> list[object]:
    """values where mask, None elsewhere (an object column)."""
    return [v if m else None for m, v in zip(mask.tolist(), np.asarray(values).tolist(), strict=True)]


def _register(rng: np.random.Generator, as_at: date) -> pd.DataFrame:
    codes = list(_TYPES)
    shares = np.array([_TYPES[c][0] for c in codes])
    shares /= shares.sum()
    as_at_day = int(np.datetime64(as_at, "D").astype(np.int64))
    first_day = int(np.datetime64(date(2009, 4, 1), "D").astype(np.int64))
    n = 10_000  # placements; with rate changes 20,000 rows
    kind = rng.choice(len(codes), size=n, p=shares)
    start = rng.integers(first_day, as_at_day + 90, size=n)  # a few known future starts
    duration = np.maximum(7, rng.exponential(800.0, size=n)).astype(np.int64)
    end = start + duration
    ended = end <= as_at_day
    planned = np.where(~ended & (rng.random(n) < 0.2), end + rng.integers(-60, 60, size=n), -1)
    weekly = np.array([_TYPES[c][1] for c in codes])[kind] * 100.0 * rng.lognormal(0.0, 0.25, size=n)
    low = np.array([_TYPES[c][3][0] for c in codes])[kind]
    high = np.array([_TYPES[c][3][1] for c in codes])[kind]
    age_days = (rng.uniform(low, high + 1) * 365.25).astype(np.int64)
    dob = start - age_days
    uasc = (rng.random(n) < 0.05) & np.isin(
        kind, [codes.index("supported_accommodation"), codes.index("fostering_ifa")]
    )

    # rate changes: split each placement into 1..4 contiguous rows of rising weekly cost
    pieces = np.minimum(1 + rng.poisson(1.15, size=n), 4)
    total = int(pieces.sum())
    scale = REGISTER_ROWS / total
    pieces = np.maximum(1, np.round(pieces * scale)).astype(np.int64)
    owner = np.repeat(np.arange(n), pieces)[:REGISTER_ROWS]
    if len(owner) < REGISTER_ROWS:  # top up with single-row placements of the first kind
        owner = np.concatenate([owner, np.arange(REGISTER_ROWS - len(owner)) % n])
        owner.sort()
    first_of = np.concatenate([[0], np.flatnonzero(np.diff(owner)) + 1])
    position = np.arange(REGISTER_ROWS) - np.repeat(first_of, np.diff(np.append(first_of, REGISTER_ROWS)))
    count = np.bincount(owner, minlength=n)[owner]
    span = np.where(ended[owner], duration[owner], np.maximum(1, as_at_day - start[owner]))
    seg_start = start[owner] + span * position // count
    seg_end = start[owner] + span * (position + 1) // count
    last = position == count - 1
    seg_end_final = np.where(last, np.where(ended[owner], end[owner], -1), seg_end)
    seg_start = np.where(position == 0, start[owner], seg_start)
    rate = np.round(weekly[owner] * (1.03**position)).astype(np.int64)
    kinds = np.array(codes, dtype=object)[kind[owner]]
    health = np.where((kinds == "residential_external") & (rng.random(REGISTER_ROWS) < 0.1), rate // 4, 0)
    education = np.where(kinds == "residential_school", rate * 2 // 5, 0)
    planned_rows = planned[owner]
    return pd.DataFrame(
        {
            "placement_ref": [f"PL{i:06d}" for i in owner],
            "child_ref": [f"C{i:06d}" for i in owner],
            "child_dob": pd.to_datetime(_days(dob[owner])),
            "placement_type": kinds,
            "start_date": pd.to_datetime(_days(seg_start)),
            "end_date": _dates(seg_end_final, seg_end_final >= 0),
            "planned_end_date": _dates(planned_rows, last & (planned_rows >= 0)),
            "weekly_cost": rate,
            "health_contribution": health.astype(np.int64),
            "education_contribution": education.astype(np.int64),
            "uasc": uasc[owner],
            "line_code": None,
        }
    )


def _workforce(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    teams = [f"T{i:02d}" for i in range(TEAMS)]
    post_count = rng.integers(12, 22, size=TEAMS)
    post_team = np.repeat(teams, post_count)
    posts = pd.DataFrame(
        {
            "post_ref": [f"POST{i:04d}" for i in range(len(post_team))],
            "team": post_team,
            "fte": np.where(rng.random(len(post_team)) < 0.1, 0.5, 1.0),
            "annual_cost": rng.integers(38_000, 52_000, size=len(post_team)) * 100,
        }
    )
    agency = rng.random(WORKERS) < 0.25
    start = pd.Timestamp("2012-04-01") + pd.to_timedelta(rng.integers(0, 2_800, size=WORKERS), unit="D")
    leaves = rng.random(WORKERS) < 0.2
    end = pd.Timestamp("2019-08-01") + pd.to_timedelta(rng.integers(0, 240, size=WORKERS), unit="D")
    reasons = np.array(["vacancy", "additional_capacity", "asye_cover", "long_term_sickness", "maternity"])
    absences = np.array(["maternity", "long_term_sickness", "suspension"])
    absent = ~agency & (rng.random(WORKERS) < 0.06)
    workers = pd.DataFrame(
        {
            "worker_ref": [f"W{i:04d}" for i in range(WORKERS)],
            "team": rng.choice(teams, size=WORKERS),
            "post_ref": None,
            "worker_type": np.where(agency, "agency", "permanent"),
            "fte": np.where(rng.random(WORKERS) < 0.15, 0.6, 1.0),
            "start_date": start,
            "end_date": pd.Series(pd.DatetimeIndex(end).to_numpy().copy()).where(pd.Series(leaves)),
            "annual_cost": np.where(agency, 0, rng.integers(36_000, 55_000, size=WORKERS) * 100),
            "weekly_rate": np.where(agency, rng.integers(850, 1_300, size=WORKERS) * 100, 0),
            "agency_reason": _or_none(agency, rng.choice(reasons, size=WORKERS)),
            "absence": _or_none(absent, rng.choice(absences, size=WORKERS)),
            "caseload": np.round(rng.uniform(8, 26, size=WORKERS)),
            "asye": rng.random(WORKERS) < 0.08,
        }
    )
    team_frame = pd.DataFrame(
        {
            "team": teams,
            "team_name": [f"Team {t}" for t in teams],
            "hard_to_retain": [i % 3 != 2 for i in range(TEAMS)],
            "manageable_caseload": [15.0 if i % 2 else 20.0 for i in range(TEAMS)],
        }
    )
    return posts, workers, team_frame


def large_county_inputs(seed: int = 1) -> EngineInputs:
    """A large county's inputs for 2019/20 as at period 4, the same for the same seed."""
    rng = np.random.default_rng(seed)  # every step below draws from it in turn: keep their order
    year = FinancialYear.from_label("2019/20")
    p = 4
    register = _register(rng, year.as_at_date(p))
    posts, workers, _teams = _workforce(rng)
    budget = _budget_lines(rng, register, posts, year.as_at_date(p))
    codes = list(_TYPES)
    return EngineInputs(
        year=year,
        as_at_period=p,
        budget_lines=budget,
        actuals=_actuals(rng, budget, p),
        placements=register,
        placement_types=pd.DataFrame({"code": codes, "continues_after_18": [_TYPES[c][2] for c in codes]}),
        posts=posts,
        workers=workers,
        savings=_savings(rng, budget),
        scenarios=_scenarios(),
    )


def _budget_lines(rng: np.random.Generator, register: pd.DataFrame, posts: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """15 placements lines, one workforce line per team, 200 other and 55 income lines."""
    rows = _placement_lines(rng, register, as_at) + _workforce_lines(posts) + _other_and_income_lines(rng)
    return pd.DataFrame(rows)


def _placement_lines(rng: np.random.Generator, register: pd.DataFrame, as_at: date) -> list[dict[str, object]]:
    """Budget ≈ this year's cost of the children placed on the as-at date."""
    codes = list(_TYPES)
    active = (register["start_date"] <= pd.Timestamp(as_at)) & (
        register["end_date"].isna() | (register["end_date"] > pd.Timestamp(as_at))
    )
    number = register[active].groupby("placement_type").size().reindex(codes, fill_value=0)
    weekly = register[active].groupby("placement_type")["weekly_cost"].mean().reindex(codes).fillna(0.0)
    rows: list[dict[str, object]] = []
    for code in codes:
        rows.append(
            {
                "line_code": f"CIC-{code.upper()}",
                "line_name": code.replace("_", " ").capitalize(),
                "service_area": "Children in Care",
                "category": "placements",
                "placement_type": code,
                "team": None,
                "method": None,
                "annual_budget": int(round(float(number[code]) * float(weekly[code]) * 52 * rng.uniform(0.92, 1.02))),
                "budget_numbers": float(number[code]) * rng.uniform(0.9, 1.0),
                "profile": None,
            }
        )
    return rows


def _workforce_lines(posts: pd.DataFrame) -> list[dict[str, object]]:
    """One line per team, budgeted at the annual cost of its posts."""
    rows: list[dict[str, object]] = []
    team_cost = posts.groupby("team")["annual_cost"].sum()
    for team, cost in team_cost.items():
        rows.append(
            {
                "line_code": f"SW-{team}",
                "line_name": f"Social work team {team}",
                "service_area": "Social Work",
                "category": "workforce",
                "placement_type": None,
                "team": team,
                "method": None,
                "annual_budget": int(cost),
                "budget_numbers": np.nan,
                "profile": None,
            }
        )
    return rows


def _other_and_income_lines(rng: np.random.Generator) -> list[dict[str, object]]:
    """Other lines (spend) then income lines (negative budgets); a tenth carry a monthly profile."""
    rows: list[dict[str, object]] = []
    methods = rng.choice(["profile", "run_rate", "budget"], size=OTHER_LINES + INCOME_LINES, p=[0.7, 0.15, 0.15])
    for i in range(OTHER_LINES + INCOME_LINES):
        income = i >= OTHER_LINES
        amount = int(rng.integers(10_000, 600_000) * 100) * (-1 if income else 1)
        profile = None
        if rng.random() < 0.1:
            weights = rng.uniform(0.5, 1.5, size=12)
            months = np.floor(amount * weights / weights.sum()).astype(np.int64)
            months[-1] += amount - int(months.sum())
            profile = tuple(int(v) for v in months)
        rows.append(
            {
                "line_code": f"{'INC' if income else 'OTH'}-{i:03d}",
                "line_name": f"{'Income' if income else 'Other'} line {i}",
                "service_area": rng.choice(["Early Help", "Safeguarding", "Children in Care", "Commissioning"]),
                "category": "income" if income else "other",
                "placement_type": None,
                "team": None,
                "method": str(methods[i]),
                "annual_budget": amount,
                "budget_numbers": np.nan,
                "profile": profile,
            }
        )
    return rows


def _actuals(rng: np.random.Generator, budget: pd.DataFrame, p: int) -> pd.DataFrame:
    """Periods 1..p of every line: a twelfth of its budget, give or take 6%."""
    monthly = budget["annual_budget"].to_numpy(dtype=np.float64) / 12.0
    noise = rng.normal(1.0, 0.06, size=(len(budget), p))
    return pd.DataFrame(
        {
            "line_code": np.repeat(budget["line_code"].to_numpy(), p),
            "period": np.tile(np.arange(1, p + 1), len(budget)),
            "amount": np.round(monthly[:, None] * noise).astype(np.int64).reshape(-1),
        }
    )


def _savings(rng: np.random.Generator, budget: pd.DataFrame) -> pd.DataFrame:
    """60 savings on random lines; about a third with an explicit forecast delivery."""
    statuses = rng.choice(
        ["achieved", "on_track", "at_risk", "undeliverable", "absorbed"],
        size=SAVINGS,
        p=[0.2, 0.4, 0.25, 0.1, 0.05],
    )
    saving_lines = rng.choice(budget["line_code"].to_numpy(), size=SAVINGS)
    planned = rng.integers(20_000, 800_000, size=SAVINGS) * 100
    explicit = rng.random(SAVINGS) < 0.3
    return pd.DataFrame(
        {
            "ref": [f"CHS/SAV/{i:02d}" for i in range(SAVINGS)],
            "title": [f"Saving {i}" for i in range(SAVINGS)],
            "line_code": saving_lines,
            "status": statuses,
            "rag": None,
            "programme": _or_none(statuses == "absorbed", np.full(SAVINGS, "Transformation")),
            "planned": planned,
            "forecast_delivery": pd.array(
                [int(v * 0.8) if e else pd.NA for v, e in zip(planned, explicit, strict=True)], dtype="Int64"
            ),
        }
    )


def _scenarios() -> list[Scenario]:
    """Best, middle and worst with a mix of demand methods."""
    return [
        Scenario(
            "middle",
            placements={
                "*": PlacementAssumption(demand_method="commitments"),
                "fostering_ifa": PlacementAssumption(demand_method="statistical"),
                "residential_external": PlacementAssumption(demand_method="statistical"),
                "fostering_in_house": PlacementAssumption(demand_method="net_change", net_change=10),
                "supported_accommodation": PlacementAssumption(demand_method="trend"),
                "fostering_kinship": PlacementAssumption(demand_method="flow"),
            },
            agency_targets={None: 120.0},
            billable_factor=0.9,
        ),
        Scenario("best", billable_factor=0.88, delivery_rates={"at_risk": 0.75}),
        Scenario(
            "worst",
            placements={
                "fostering_in_house": PlacementAssumption(net_change=25),
                "residential_external": PlacementAssumption(
                    new_unit_cost=500_000, fee_uplift_pct=3.1, fee_uplift_from=date(2019, 10, 1)
                ),
            },
            agency_targets={None: 150.0},
            delivery_rates={"at_risk": 0.25},
        ),
    ]
