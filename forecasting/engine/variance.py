"""Variance against budget and its volume / price split.

Implements FORECAST.md, Money (signs) and Outputs of a run (variance explained). Units:
integer pence; numbers of children as floats (full-year equivalents); weekly costs in pence a
week.

- Variance = forecast outturn − budget, so an overspend is positive and, on an income line
  (negative budget), income below budget is positive too.
- Variance % = variance / |budget| × 100, to 2 decimals, half up; blank (NaN) when the budget
  is zero. The absolute value keeps the sign of the percentage the sign of the variance on
  income lines.
- Variance explained, for placement lines that carry budgeted numbers:
  budgeted unit cost u = annual budget / (budgeted number B × 52);
  volume = (forecast FYE number F − B) × u × 52;
  price = (forecast average weekly cost c − u) × F × 52, with c = forecast placement cost of the
  year / (F × 52) (price is 0 when F = 0);
  other = the line's variance − volume − price. Volume and price are worked unrounded and
  rounded once per line to the whole pound (half up); `other` is exact in pence, so that
  volume + price + other = variance to the penny, and the three shown in whole pounds add up to
  the variance shown in whole pounds. Since c × F × 52 is the forecast placement cost, volume +
  price is (before rounding) forecast placement cost − budget, and other is the line's
  forecast outturn − its forecast placement cost: the ledger's actuals to date against the
  register's costs, and savings.
  F and c are the forecast's: the children already placed (the register's child-days to the
  end of the year, `placed_fye_number`, and their net cost, `placed_net_cost` — the FYE number
  and average weekly net cost of the placement KPI page for the same register) plus the new
  placements the forecast expects.
- Variance bridge, for a whole department or service: budget, then the volume and price of its
  placement lines with budgeted numbers (the sums of their variance explained), then other
  (everything else: the forecast outturn − budget − volume − price), to the forecast outturn.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .money import round_pence_array

IntArray = npt.NDArray[np.int64]

VARIANCE_EXPLAINED_COLUMNS = (
    "scenario",
    "line_code",
    "budget",
    "forecast",
    "variance",
    "volume",
    "price",
    "other",
    "budget_numbers",
    "forecast_fye_number",
    "budget_unit_cost",
    "forecast_unit_cost",
    "forecast_placement_cost",
    "placed_fye_number",
    "placed_net_cost",
)


def variance(outturn: npt.ArrayLike, budget: npt.ArrayLike) -> IntArray:
    """Forecast outturn − budget, pence (overspend positive)."""
    return np.asarray(outturn, dtype=np.int64) - np.asarray(budget, dtype=np.int64)


def variance_pct_hundredths(variance_pence: npt.ArrayLike, budget_pence: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Variance % in hundredths of a percent (1234 = 12.34%), exact half-up integer arithmetic.

    NaN where the budget is zero. Computed in integers, so no floating point drift:
    round_half_up(|v| × 10000 / |b|) with the sign of v.
    """
    v = np.asarray(variance_pence, dtype=np.int64)
    b = np.abs(np.asarray(budget_pence, dtype=np.int64))
    safe_b = np.where(b == 0, 1, b)
    magnitude = (2 * np.abs(v) * 10000 + safe_b) // (2 * safe_b)
    out = (np.sign(v) * magnitude).astype(np.float64)
    return np.where(b == 0, np.nan, out)


def variance_pct(variance_pence: npt.ArrayLike, budget_pence: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Variance % = variance / |budget| × 100, 2 decimals half up; NaN when the budget is 0."""
    return variance_pct_hundredths(variance_pence, budget_pence) / 100.0


def variance_pct_decimal(variance_pence: int, budget_pence: int) -> Decimal | None:
    """The same percentage as an exact Decimal with 2 places (None when the budget is 0)."""
    hundredths = variance_pct_hundredths([variance_pence], [budget_pence])[0]
    if np.isnan(hundredths):
        return None
    return (Decimal(int(hundredths)) / 100).quantize(Decimal("0.01"))


def variance_explained(
    lines: pd.DataFrame,
    placements_by_line: pd.DataFrame,
    *,
    scenario: str,
) -> pd.DataFrame:
    """Split the variance of placement lines with budgeted numbers into volume, price and other.

    `lines`: line_code, annual_budget (pence), budget_numbers (B, average number of children),
    forecast_outturn (pence) — placement lines only; lines without a positive B or with a zero
    budget are left out (there is no budgeted unit cost).
    `placements_by_line`: line_code, fye_number (forecast full-year-equivalent number F),
    forecast_net_cost_year (pence, the register's cost of the whole year with the projection).

    Returns the columns of VARIANCE_EXPLAINED_COLUMNS; money in pence, unit costs in pence a
    week (floats, unrounded, for display).
    """
    frame = lines[["line_code", "annual_budget", "budget_numbers", "forecast_outturn"]].copy()
    frame["budget_numbers"] = pd.to_numeric(frame["budget_numbers"], errors="coerce")
    frame["annual_budget"] = pd.to_numeric(frame["annual_budget"]).fillna(0).astype(np.int64)
    frame = frame[(frame["budget_numbers"] > 0) & (frame["annual_budget"] != 0)]
    drivers = placements_by_line.set_index("line_code")
    fye = pd.to_numeric(drivers["fye_number"]).reindex(frame["line_code"]).fillna(0.0).to_numpy(dtype=np.float64)
    cost = (
        pd.to_numeric(drivers["forecast_net_cost_year"])
        .reindex(frame["line_code"])
        .fillna(0)
        .to_numpy(dtype=np.float64)
    )
    budget = frame["annual_budget"].to_numpy(dtype=np.int64)
    numbers = frame["budget_numbers"].to_numpy(dtype=np.float64)
    outturn = pd.to_numeric(frame["forecast_outturn"]).to_numpy(dtype=np.int64)

    unit_budget = budget / (numbers * 52.0)  # u, pence a week
    has_children = fye > 0
    unit_forecast = np.where(has_children, cost / np.where(has_children, fye, 1.0) / 52.0, np.nan)  # c
    at_budget_cost = fye * budget / numbers  # F × u × 52, unrounded
    volume = _whole_pounds(at_budget_cost - budget)
    price = np.where(has_children, _whole_pounds(cost - at_budget_cost), 0)
    var = variance(outturn, budget)
    placed_fye = _optional(drivers, "committed_fye_number", frame["line_code"])
    placed_cost = _optional(drivers, "register_net_cost_to_date", frame["line_code"]) + _optional(
        drivers, "committed_remaining", frame["line_code"]
    )
    return pd.DataFrame(
        {
            "scenario": scenario,
            "line_code": frame["line_code"].to_numpy(dtype=object),
            "budget": budget,
            "forecast": outturn,
            "variance": var,
            "volume": volume,
            "price": price,
            "other": var - volume - price,
            "budget_numbers": numbers,
            "forecast_fye_number": fye,
            "budget_unit_cost": unit_budget,
            "forecast_unit_cost": unit_forecast,
            "forecast_placement_cost": round_pence_array(cost),
            "placed_fye_number": placed_fye,
            "placed_net_cost": round_pence_array(placed_cost),
        },
        columns=list(VARIANCE_EXPLAINED_COLUMNS),
    )


def _whole_pounds(pence: npt.NDArray[np.float64]) -> IntArray:
    """Pence rounded half up (away from zero) to the whole pound, as pence."""
    return round_pence_array(np.asarray(pence, dtype=np.float64) / 100.0) * 100


def _optional(drivers: pd.DataFrame, column: str, codes: pd.Series) -> npt.NDArray[np.float64]:
    """A driver column by line (0 where absent, or for drivers made before it existed)."""
    if column not in drivers.columns:
        return np.zeros(len(codes), dtype=np.float64)
    values: npt.NDArray[np.float64] = pd.to_numeric(drivers[column]).reindex(codes).fillna(0).to_numpy(dtype=np.float64)
    return values


@dataclass(frozen=True)
class VarianceBridge:
    """The steps from budget to forecast outturn, pence: budget + volume + price + other =
    outturn exactly."""

    budget: int
    volume: int
    price: int
    other: int
    outturn: int

    @property
    def variance(self) -> int:
        return self.outturn - self.budget


def variance_bridge(lines: pd.DataFrame, explained: pd.DataFrame) -> VarianceBridge:
    """The variance bridge of `lines` (annual_budget, forecast_outturn: pence, one scenario) with
    `explained`, the variance_explained rows of the same scenario (volume, price: pence).

    Volume and price are the sums over the explained lines; other is the rest of the variance,
    so that it holds everything the volume / price split does not cover (lines without budgeted
    numbers, savings, income) and the steps add up to the penny.
    """
    budget = int(lines["annual_budget"].sum())
    outturn = int(lines["forecast_outturn"].sum())
    volume = int(explained["volume"].sum()) if not explained.empty else 0
    price = int(explained["price"].sum()) if not explained.empty else 0
    return VarianceBridge(
        budget=budget, volume=volume, price=price, other=outturn - budget - volume - price, outturn=outturn
    )
