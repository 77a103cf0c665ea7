"""Programmes: benefit profiles, return on investment, payback and delayed starts (FORECAST.md,
Savings). Money in pence; years are financial-year labels such as "2022/23"."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.calendar import year_label as label_for_start
from forecasting.engine.money import round_pence
from forecasting.engine.savings.rules import DEFAULT_PAYBACK_HURDLE, PROGRAMME_PROFILES, SavingsError
from forecasting.engine.savings.tables import checked_programme_rows, sorted_years, with_money_dtypes, year_series


def programme_benefits_by_year(
    programme_benefits: pd.DataFrame, *, programme: str, profile: str = "target"
) -> pd.Series:
    """One programme's benefit per FY (pence) for `target` or `stretch`, indexed by year label.

    Years between the first and the last with no row count 0, so the series is contiguous
    (needed for cumulative figures and the delay re-profile).
    """
    if profile not in PROGRAMME_PROFILES:
        raise SavingsError(f"profile '{profile}' is not one of {', '.join(PROGRAMME_PROFILES)}")
    rows = checked_programme_rows(programme_benefits)
    rows = rows[(rows["programme"] == programme) & (rows["profile"] == profile)]
    if rows.empty:
        raise SavingsError(f"programme '{programme}' has no {profile} benefit profile")
    by_year = rows.groupby("year_label")["benefit"].sum()
    starts = [parse_year_label(y) for y in by_year.index]
    years = [label_for_start(s) for s in range(min(starts), max(starts) + 1)]
    return pd.Series([int(by_year.get(y, 0)) for y in years], index=pd.Index(years, name="year_label"), dtype="int64")


def cumulative_benefit(
    benefits: pd.Series | Mapping[str, int], *, first_year: str | None = None, last_year: str | None = None
) -> int:
    """Σ benefit (pence) over the FYs from `first_year` to `last_year` inclusive.

    FORECAST.md, Savings: cumulative benefit over a window. An open end means the first or last
    year of the profile.
    """
    series = year_series(benefits)
    low = parse_year_label(first_year) if first_year is not None else -math.inf
    high = parse_year_label(last_year) if last_year is not None else math.inf
    if low > high:
        raise SavingsError(f"the window {first_year} to {last_year} ends before it starts")
    return int(sum(int(v) for y, v in series.items() if low <= parse_year_label(str(y)) <= high))


def return_on_investment(gross_benefit: int, investment: int) -> float:
    """Return on investment = cumulative gross benefit / investment (both pence), e.g. 7.1 for 7.1:1.

    FORECAST.md, Savings. The investment must be more than zero.
    """
    if investment <= 0:
        raise SavingsError(f"an investment of {investment} pence cannot give a return on investment")
    return gross_benefit / investment


def payback_year(
    benefits: pd.Series | Mapping[str, int], *, investment: int, hurdle: float = DEFAULT_PAYBACK_HURDLE
) -> str | None:
    """The first FY in which cumulative gross benefit / investment reaches `hurdle`, else None.

    FORECAST.md, Savings. "Reaches" means ≥: a programme exactly at 3:1 has paid back. The test is
    done in exact decimal arithmetic (benefit ≥ hurdle × investment) so a boundary year is not
    lost to binary floating point.
    """
    if investment <= 0:
        raise SavingsError(f"an investment of {investment} pence cannot pay back")
    needed = Decimal(str(hurdle)) * investment
    running = 0
    for year, value in year_series(benefits).items():
        running += int(value)
        if Decimal(running) >= needed:
            return str(year)
    return None


def programme_summary(
    benefits: pd.Series | Mapping[str, int],
    *,
    investment: int,
    implementation_costs: pd.Series | Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The programme table by FY: benefit, cumulative benefit, costs, net benefit and the ratio.

    Columns: year_label, benefit, cumulative_benefit, implementation_cost, net_benefit
    (benefit − implementation cost), cumulative_net_benefit, roi (cumulative gross benefit /
    `investment`, a float; FORECAST.md, Savings). Money in pence. The ratio's denominator is the
    whole investment, not the costs to date, as in the committee reports ("by year 4 the RoI is
    2.3:1"). Cost years outside the benefit profile are added as rows with no benefit.
    """
    if investment <= 0:
        raise SavingsError(f"an investment of {investment} pence cannot give a return on investment")
    gains = year_series(benefits)
    costs = year_series(implementation_costs) if implementation_costs is not None else pd.Series(dtype="int64")
    years = sorted_years([*gains.index, *costs.index])
    out = pd.DataFrame({"year_label": years})
    out["benefit"] = [int(gains.get(y, 0)) for y in years]
    out["cumulative_benefit"] = out["benefit"].cumsum()
    out["implementation_cost"] = [int(costs.get(y, 0)) for y in years]
    out["net_benefit"] = out["benefit"] - out["implementation_cost"]
    out["cumulative_net_benefit"] = out["net_benefit"].cumsum()
    out = with_money_dtypes(
        out, ("benefit", "cumulative_benefit", "implementation_cost", "net_benefit", "cumulative_net_benefit")
    )
    out["roi"] = out["cumulative_benefit"] / investment
    return out


def delay_profile(profile: Sequence[int] | pd.Series, months: int) -> list[int]:
    """Re-profile yearly benefits (pence) for a start delayed by `months` (0..12).

    FORECAST.md, Savings: b'(k) = b(k−1)·d/12 + b(k)·(12−d)/12 with b(−1) = 0, extended by one
    more year (b(n) = 0) so that the lifetime total is unchanged. Each year is rounded to the
    penny half up, except the added final year, which takes whatever makes the total exactly
    equal the original total (the rounding remainder is a few pence at most).

    d = 0 returns the profile unchanged, with no added year (nothing moves). d = 12 shifts every
    year's benefit a whole year later. Anything else is a ValueError.
    """
    if isinstance(months, bool) or not isinstance(months, numbers.Integral) or not 0 <= int(months) <= 12:
        raise SavingsError(f"a delay must be a whole number of months from 0 to 12, not {months!r}")
    d = int(months)
    values = [int(v) for v in (profile.tolist() if isinstance(profile, pd.Series) else profile)]
    if d == 0 or not values:
        return list(values)
    shifted: list[int] = []
    previous = 0
    for current in values:
        # The exact value is a whole number of twelfths of a penny.
        shifted.append(round_pence(Decimal(previous * d + current * (12 - d)) / 12))
        previous = current
    shifted.append(sum(values) - sum(shifted))
    return shifted


def delayed_profile_frame(benefits: pd.Series | Mapping[str, int], months: int) -> pd.DataFrame:
    """Original and re-profiled benefit side by side, by FY (pence).

    Columns: year_label, original, reprofiled, difference (reprofiled − original). For a delay
    of 1..12 months the frame has one more year than the profile, where the original is 0.
    """
    series = year_series(benefits)
    reprofiled = delay_profile(series, months)
    years = [str(y) for y in series.index]
    if len(reprofiled) > len(years):
        years.append(label_for_start(parse_year_label(years[-1]) + 1) if years else "")
    original = [int(v) for v in series.tolist()] + [0] * (len(reprofiled) - len(series))
    out = pd.DataFrame({"year_label": years, "original": original, "reprofiled": reprofiled})
    out["difference"] = out["reprofiled"] - out["original"]
    return with_money_dtypes(out, ("original", "reprofiled", "difference"))
