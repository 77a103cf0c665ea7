"""A programme's figures: its profiles before and after the delayed start, cumulative benefit,
return on investment and payback (the engine's arithmetic), and what is linked to it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.savings import (
    PROGRAMME_PROFILES,
    SavingsError,
    cumulative_benefit,
    delayed_profile_frame,
    payback_year,
    programme_benefits_by_year,
    programme_summary,
    return_on_investment,
)
from savings.models import Programme, ProgrammeBenefit, ProgrammeCost, ProgrammeInvestment


@dataclass
class ProgrammeFigures:
    profiles: pd.DataFrame  # year_label, target, target_reprofiled, stretch, stretch_reprofiled
    summary: pd.DataFrame | None  # engine programme_summary of the chosen profile and basis
    investment: int
    cumulative: int  # pence over the window
    roi: float | None  # cumulative / investment over the window
    payback: str | None  # first FY cumulative benefit ≥ hurdle × investment
    hurdle: Decimal
    window: tuple[str | None, str | None]
    profile: str
    basis: str
    problems: list[str]


@dataclass
class _Returns:
    summary: pd.DataFrame | None = None
    cumulative: int = 0
    roi: float | None = None
    payback: str | None = None


def programme_figures(
    *,
    programme: Programme,
    profile: str = "target",
    basis: str = "reprofiled",
    first_year: str | None = None,
    last_year: str | None = None,
    hurdle: Decimal | None = None,
) -> ProgrammeFigures:
    """A programme's profiles (approved and re-profiled for the delayed start, side by side),
    the programme table, cumulative benefit over a window, return on investment and payback.

    The window limits the cumulative benefit and the ratio (engine cumulative_benefit,
    return_on_investment); payback counts from the programme's first year, since a programme
    pays back on everything it has delivered, not only inside a window.
    """
    if profile not in PROGRAMME_PROFILES:
        profile = "target"
    basis = basis if basis in ("original", "reprofiled") else "reprofiled"
    hurdle = Decimal(programme.hurdle if hurdle is None else hurdle)
    investment = sum(ProgrammeInvestment.objects.filter(programme=programme).values_list("amount", flat=True))
    problems: list[str] = []
    side, chosen = _profiles_side_by_side(programme, profile=profile, basis=basis)
    if side is None:
        side = pd.DataFrame(columns=["year_label"])
    if chosen is None:
        problems.append(f"the programme has no {profile} benefit profile yet")
        returns = _Returns()
    else:
        costs = dict(ProgrammeCost.objects.filter(programme=programme).values_list("year_label", "amount"))
        returns = _returns(chosen, int(investment), costs, (first_year, last_year), hurdle, problems)
    return ProgrammeFigures(
        profiles=side,
        summary=returns.summary,
        investment=int(investment),
        cumulative=int(returns.cumulative),
        roi=returns.roi,
        payback=returns.payback,
        hurdle=hurdle,
        window=(first_year, last_year),
        profile=profile,
        basis=basis,
        problems=problems,
    )


def _profiles_side_by_side(
    programme: Programme, *, profile: str, basis: str
) -> tuple[pd.DataFrame | None, pd.Series | None]:
    """(each profile as entered and re-profiled for the delay, by year; the chosen profile's
    benefit by year on the chosen basis), None where there is no such profile."""
    rows = list(ProgrammeBenefit.objects.filter(programme=programme).values_list("profile", "year_label", "amount"))
    benefits = pd.DataFrame.from_records(
        [(programme.code, p, y, a) for p, y, a in rows], columns=["programme", "profile", "year_label", "benefit"]
    )
    side: pd.DataFrame | None = None
    chosen: pd.Series | None = None
    for name in PROGRAMME_PROFILES:
        if benefits.empty or name not in set(benefits["profile"]):
            continue
        series = programme_benefits_by_year(benefits, programme=programme.code, profile=name)
        delayed = delayed_profile_frame(series, int(programme.delay_months))
        part = delayed[["year_label", "original", "reprofiled"]].rename(
            columns={"original": name, "reprofiled": f"{name}_reprofiled"}
        )
        side = part if side is None else side.merge(part, on="year_label", how="outer")
        if name == profile:
            chosen = (
                series
                if basis == "original"
                else pd.Series(
                    delayed["reprofiled"].to_numpy(),
                    index=pd.Index(delayed["year_label"], name="year_label"),
                    dtype="int64",
                )
            )
    if side is not None:
        side = side.sort_values("year_label", key=lambda s: s.map(parse_year_label)).reset_index(drop=True)
        for column in side.columns[1:]:
            side[column] = side[column].fillna(0).astype("int64")
    return side, chosen


def _returns(
    chosen: pd.Series,
    investment: int,
    costs: dict[str, int],
    window: tuple[str | None, str | None],
    hurdle: Decimal,
    problems: list[str],
) -> _Returns:
    """Cumulative benefit over the window, and (with an investment) the programme table, return
    on investment and payback year; what cannot be worked out is added to `problems`."""
    returns = _Returns()
    try:
        returns.cumulative = cumulative_benefit(chosen, first_year=window[0], last_year=window[1])
    except SavingsError as error:
        problems.append(str(error))
    if investment > 0:
        returns.summary = programme_summary(chosen, investment=investment, implementation_costs=costs or None)
        returns.roi = return_on_investment(returns.cumulative, investment)
        returns.payback = payback_year(chosen, investment=investment, hurdle=float(hurdle))
    else:
        problems.append("no investment is recorded, so there is no return on investment or payback year")
    return returns


def programme_investments_frame(*, programme: Programme) -> pd.DataFrame:
    rows = programme.investments.values_list("description", "amount", "funding_source")
    return pd.DataFrame.from_records(list(rows), columns=["description", "amount", "funding_source"])


def programme_savings_frame(*, programme: Programme) -> pd.DataFrame:
    """Savings linked to the programme, absorbed or belonging to it."""
    rows = programme.savings.order_by("ref").values_list("pk", "ref", "title", "status", "service_area__name")
    return pd.DataFrame.from_records(list(rows), columns=["id", "ref", "title", "status", "service_area"])
