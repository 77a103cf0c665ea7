"""The council's own current figures, to set beside DfE's latest published ones.

As at the latest finished forecast's period (else today): children looked after in the placement
register on that day and their mix (not young people staying put or leaving care, whom DfE does
not count as looked after), the children who started and ceased to be looked after in the
financial year so far, the register's average weekly costs of fostering and residential care for
the financial year, the latest run's forecast outturn of the looked-after placements lines, and
the whole service's workforce KPIs from the latest snapshot.

The rate per 10,000 children needs the child population, which Outturn does not hold: it is
derived from DfE's own latest figures for the council (children looked after ÷ rate × 10,000),
and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from accounts.models import Authority
from forecast_runs.demand.series import CONTINUES_AFTER_18
from forecasting.engine.calendar import FinancialYear, year_containing
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import ForecastLineResult, ForecastRun
from placements import kpis as placement_kpis
from placements import selectors as placement_selectors
from workforce import kpis as workforce_kpis
from workforce import selectors as workforce_selectors

FOSTERING, RESIDENTIAL, SUPPORTED = "fostering", "residential", "supported_accommodation"


@dataclass
class OwnFigures:
    as_at: date
    values: dict[str, Decimal] = field(default_factory=dict)
    population: Decimal | None = None  # children in the area, derived from DfE's figures
    workforce_on: date | None = None
    year_from: date | None = None  # the financial year's first day: starts and ceased count from it
    spend_of: str = ""  # the run whose forecast outturn is the spend, in words


def _latest_run(authority: Authority) -> ForecastRun | None:
    run = ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED).select_related("year")
    return run.order_by("-year__label", "-period", "-created_at").first()


def as_at_of(authority: Authority) -> date:
    latest = _latest_run(authority)
    if latest is None:
        return date.today()
    return FinancialYear.from_label(latest.year.label).as_at_date(max(latest.period, 1))


def care_starts_and_ends(register: pd.DataFrame, *, first: date, last: date) -> tuple[int, int]:
    """Children who started, and who ceased, to be looked after from ``first`` to ``last``
    (both inclusive). A child's placements that follow one another without a day's gap are one
    period of care (a move is not a start); a period starts on its first placement's start and
    ceases on the day its last placement ended (an open placement has not ceased)."""
    if register.empty:
        return 0, 0
    rows = register[["child_ref", "start_date", "end_date"]].sort_values(["child_ref", "start_date"])
    far = pd.Timestamp.max.normalize()
    ends = rows["end_date"].fillna(far)
    # The latest end of the child's earlier placements: a start after it opens a new period.
    before = ends.groupby(rows["child_ref"]).cummax().groupby(rows["child_ref"]).shift()
    opens = before.isna() | (rows["start_date"] > before)
    period = opens.cumsum()
    periods = (
        pd.DataFrame({"start": rows["start_date"], "end": ends})
        .groupby(period)
        .agg(start=("start", "min"), end=("end", "max"))
    )
    low, high = pd.Timestamp(first), pd.Timestamp(last)
    started = int(periods["start"].between(low, high).sum())
    ceased = int(((periods["end"] != far) & periods["end"].between(low, high)).sum())
    return started, ceased


def _decimal(value: float) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(str(round(float(value), 6)))


def _register(authority: Authority, own: OwnFigures) -> None:
    register = placement_selectors.placement_register_frame(authority=authority)
    register = register[~register["placement_type"].astype(str).isin(CONTINUES_AFTER_18)]
    if register.empty:
        return
    day = pd.Timestamp(own.as_at)
    active = register[(register["start_date"] <= day) & (register["end_date"].isna() | (register["end_date"] > day))]
    children = active.drop_duplicates("child_ref")
    total = len(children)
    if total:
        own.values["LACnum"] = Decimal(total)
        types = children["placement_type"].astype(str)
        own.values["LAC_Foster_Placements"] = Decimal(int(types.str.startswith(FOSTERING).sum()) * 100) / total
        own.values["LAC_SecHome_And_ChildHome"] = Decimal(int(types.str.startswith(RESIDENTIAL).sum()) * 100) / total
        own.values["LAC_Ind_SInd_Liv_Arr"] = Decimal(int((types == SUPPORTED).sum()) * 100) / total
    year = FinancialYear.from_label(year_containing(own.as_at))
    own.year_from = year.start
    started, ceased = care_starts_and_ends(register, first=year.start, last=own.as_at)
    own.values["LACnum_Start"], own.values["LACceased"] = Decimal(started), Decimal(ceased)
    summary = placement_kpis.kpi_tables(register, placement_selectors.placement_types_frame(), year=year).summary
    for code, prefix in (("FosteringFinance", FOSTERING), ("RescareFinance", RESIDENTIAL)):
        part = summary[summary["placement_type"].astype(str).str.startswith(prefix)]
        weeks = float(part["fye_number"].sum()) * 52
        if weeks > 0:
            # Pence per child-week to pounds: DfE's unit costs are in pounds.
            own.values[code] = Decimal(str(round(float(part["gross_cost"].sum()) / weeks / 100, 2)))


def _workforce(authority: Authority, own: OwnFigures) -> None:
    snapshot = workforce_selectors.latest_snapshot(authority=authority)
    if snapshot is None:
        return
    total = workforce_kpis.kpi_total(workforce_kpis.picture_of_snapshot(snapshot))
    if total is None:
        return
    own.workforce_on = snapshot.as_at
    for code, column, scale in (
        ("Work_Force_Agecy_Rate", "agency_rate", 100),
        ("Work_Force_Vac_Rate", "vacancy_rate", 100),
        ("Work_Force_AvgNumCase_SW", "average_caseload", 1),
    ):
        value = _decimal(total[column])
        if value is not None:
            own.values[code] = value * scale


def _spend(authority: Authority, own: OwnFigures) -> None:
    """The latest run's forecast outturn (reported scenario) of the lines of looked-after
    children's placements, in pounds, as DfE's total spend on children looked after is."""
    run = _latest_run(authority)
    if run is None:
        return
    lines = ForecastLineResult.objects.filter(
        run=run, scenario=REPORTED_SCENARIO, line__placement_type__isnull=False
    ).exclude(line__placement_type__code__in=CONTINUES_AFTER_18)
    pence = [outturn for outturn in lines.values_list("forecast_outturn", flat=True)]
    if pence:
        own.values["TotalLACFinance"] = Decimal(sum(pence)) / 100
        own.spend_of = f"{run.year.label} period {run.period}"


def own_figures(authority: Authority, *, published_rate: tuple[Decimal, Decimal] | None) -> OwnFigures:
    """`published_rate`: DfE's latest (children looked after, rate per 10,000) for the council."""
    own = OwnFigures(as_at=as_at_of(authority))
    _register(authority, own)
    _spend(authority, own)
    _workforce(authority, own)
    if published_rate is not None and published_rate[1] > 0:
        own.population = published_rate[0] / published_rate[1] * 10000
        if "LACnum" in own.values:
            own.values["LAC"] = own.values["LACnum"] / own.population * 10000
    return own
