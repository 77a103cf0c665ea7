"""Variance and the volume / price split (FORECAST.md, Money and Outputs of a run)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.variance import variance, variance_explained, variance_pct, variance_pct_decimal


def test_an_overspend_is_a_positive_variance() -> None:
    # Outturn £110,000 against £100,000 → +£10,000 = +10.00%.
    assert variance([11_000_000], [10_000_000])[0] == 1_000_000
    assert variance_pct([1_000_000], [10_000_000])[0] == pytest.approx(10.0)


def test_income_below_budget_on_an_income_line_is_a_positive_variance_and_percentage() -> None:
    # Income budget −£100,000, forecast −£80,000 → variance −80,000 − (−100,000) = +£20,000.
    # Percentage over |budget|: +20.00% (an overspend, so positive).
    var = variance([-8_000_000], [-10_000_000])
    assert var[0] == 2_000_000
    assert variance_pct(var, [-10_000_000])[0] == pytest.approx(20.0)


def test_the_variance_percentage_is_blank_when_the_budget_is_zero() -> None:
    assert np.isnan(variance_pct([500], [0])[0])
    assert variance_pct_decimal(500, 0) is None


def test_the_variance_percentage_rounds_half_up_to_2_decimals_without_float_drift() -> None:
    # 1p over £200.00 = 0.005% → 0.01% (half up); −1p → −0.01%. 2p over 300p = 0.6667% → 0.67.
    assert variance_pct_decimal(1, 20_000) == Decimal("0.01")
    assert variance_pct_decimal(-1, 20_000) == Decimal("-0.01")
    assert variance_pct_decimal(2, 300) == Decimal("0.67")


def explained(outturn: int, cost: int, fye: float, budget: int = 52_000_000, numbers: float = 10.0) -> pd.Series:
    lines = pd.DataFrame(
        {
            "line_code": ["PL"],
            "annual_budget": [budget],
            "budget_numbers": [numbers],
            "forecast_outturn": [outturn],
        }
    )
    drivers = pd.DataFrame({"line_code": ["PL"], "fye_number": [fye], "forecast_net_cost_year": [cost]})
    return variance_explained(lines, drivers, scenario="middle").iloc[0]


def test_volume_and_price_explain_the_placement_variance() -> None:
    # Budget £520,000 for 10 children → u = 52,000,000 / (10 × 52) = 100,000p (£1,000 a week).
    # Forecast 12 FYE costing £686,400 → c = 68,640,000 / (12 × 52) = 110,000p (£1,100 a week).
    # Volume = (12 − 10) × 100,000 × 52 = 10,400,000p (£104,000).
    # Price  = (110,000 − 100,000) × 12 × 52 = 6,240,000p (£62,400).
    # Line outturn £690,000 (ledger £3,600 above the register) → variance 17,000,000p;
    # other = 17,000,000 − 10,400,000 − 6,240,000 = 360,000p.
    row = explained(outturn=69_000_000, cost=68_640_000, fye=12.0)
    assert row["variance"] == 17_000_000
    assert row["volume"] == 10_400_000
    assert row["price"] == 6_240_000
    assert row["other"] == 360_000
    assert row["budget_unit_cost"] == pytest.approx(100_000)
    assert row["forecast_unit_cost"] == pytest.approx(110_000)


def test_volume_price_and_other_always_add_up_to_the_variance_to_the_penny() -> None:
    # Awkward figures: B = 7.5, F = 8.3, budget 12,345,678p, cost 14,000,001p, outturn 14,100,003p.
    # Volume = (8.3 − 7.5) × 12,345,678 / 7.5 = 1,316,872.32p = £13,168.72 → £13,169.
    # Price = 14,000,001 − 12,345,678 × 8.3 / 7.5 = 14,000,001 − 13,662,550.32 = 337,450.68p
    # = £3,374.51 → £3,375. Other = 1,754,325 − 1,316,900 − 337,500 = 99,925p.
    row = explained(outturn=14_100_003, cost=14_000_001, fye=8.3, budget=12_345_678, numbers=7.5)
    assert row["volume"] == 1_316_900
    assert row["price"] == 337_500
    assert row["other"] == 99_925
    assert row["volume"] + row["price"] + row["other"] == row["variance"] == 14_100_003 - 12_345_678


def test_a_line_with_no_children_forecast_is_all_volume() -> None:
    # F = 0: price 0; volume = (0 − 10) × 100,000 × 52 = −52,000,000 = −budget; other = outturn.
    row = explained(outturn=120_000, cost=0, fye=0.0)
    assert row["price"] == 0
    assert row["volume"] == -52_000_000
    assert row["other"] == 120_000


def test_lines_without_budgeted_numbers_are_not_explained() -> None:
    lines = pd.DataFrame(
        {
            "line_code": ["A", "B"],
            "annual_budget": [100, 100],
            "budget_numbers": [np.nan, 0.0],
            "forecast_outturn": [1, 1],
        }
    )
    drivers = pd.DataFrame({"line_code": ["A", "B"], "fye_number": [1.0, 1.0], "forecast_net_cost_year": [1, 1]})
    assert variance_explained(lines, drivers, scenario="middle").empty
