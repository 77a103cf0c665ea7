"""Other and income lines: profile, run_rate and budget (FORECAST.md, Other lines).

Expected pence are worked out by hand in the comments; rounding is half up, once per line.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from forecasting.engine.other_lines import other_lines_forecast


def line(code: str, budget: int, method: str | None = "profile", profile: Any = None) -> dict[str, Any]:
    return {"line_code": code, "annual_budget": budget, "method": method, "profile": profile}


def forecast(rows: list[dict[str, Any]], actuals: dict[str, int], period: int) -> pd.DataFrame:
    return other_lines_forecast(pd.DataFrame(rows), actuals, period).set_index("line_code")


def test_profile_adds_the_budget_for_the_remaining_months_to_the_actuals() -> None:
    # P5: £100,000.01 budget → 10,000,001 × 7/12 = 5,833,333.9167 → 5,833,334p remaining.
    # Actuals £41,000.00 → outturn 4,100,000 + 5,833,334 = 9,933,334p.
    out = forecast([line("L1", 10_000_001)], {"L1": 4_100_000}, 5)
    assert out.loc["L1", "committed_remaining"] == 5_833_334
    assert out.loc["L1", "projected_change"] == 0
    assert out.loc["L1", "outturn"] == 9_933_334


def test_a_blank_method_means_profile() -> None:
    # P6: £12,000 budget × 6/12 = £6,000; actuals £7,000 → £13,000.
    out = forecast([line("L1", 1_200_000, method=None)], {"L1": 700_000}, 6)
    assert out.loc["L1", "method"] == "profile"
    assert out.loc["L1", "outturn"] == 1_300_000


def test_profile_uses_the_remaining_months_of_a_monthly_budget_profile_when_there_is_one() -> None:
    # Profile £1,000 April..September and £3,000 October..March (total £24,000).
    # P4: remaining periods 5..12: Aug £1,000 + Sep £1,000 + 6 × £3,000 = £20,000.
    profile = (100_000,) * 6 + (300_000,) * 6
    out = forecast([line("L1", 2_400_000, profile=profile)], {"L1": 350_000}, 4)
    assert out.loc["L1", "committed_remaining"] == 2_000_000
    assert out.loc["L1", "outturn"] == 2_350_000


def test_profile_at_period_0_is_the_budget_and_at_period_12_is_the_actuals() -> None:
    # p = 0: 0 + budget × 12/12 = £10,000. p = 12: actuals + budget × 0/12 = £9,876.54.
    assert forecast([line("L1", 1_000_000)], {}, 0).loc["L1", "outturn"] == 1_000_000
    assert forecast([line("L1", 1_000_000)], {"L1": 987_654}, 12).loc["L1", "outturn"] == 987_654


def test_run_rate_extends_the_average_month_to_date_over_the_remaining_months() -> None:
    # Income line, P5: actuals −£10,000.03 → −1,000,003 / 5 × 7 = −1,400,004.2 → −1,400,004p.
    # Outturn −1,000,003 − 1,400,004 = −2,400,007p.
    out = forecast([line("INC", -2_000_000, method="run_rate")], {"INC": -1_000_003}, 5)
    assert out.loc["INC", "committed_remaining"] == -1_400_004
    assert out.loc["INC", "outturn"] == -2_400_007


def test_run_rate_rounds_half_pence_away_from_zero_for_spend_and_income() -> None:
    # P8: 5p / 8 × 4 = 2.5p → 3p; −5p / 8 × 4 = −2.5p → −3p.
    out = forecast([line("S", 0, "run_rate"), line("I", 0, "run_rate")], {"S": 5, "I": -5}, 8)
    assert out.loc["S", "committed_remaining"] == 3
    assert out.loc["I", "committed_remaining"] == -3


def test_run_rate_at_period_0_is_the_budget_and_at_period_12_is_the_actuals() -> None:
    # p = 0: no actuals to extend, so the budget (−£20,000). p = 12: actuals / 12 × 0 added.
    assert forecast([line("I", -2_000_000, "run_rate")], {}, 0).loc["I", "outturn"] == -2_000_000
    assert forecast([line("I", -2_000_000, "run_rate")], {"I": -2_150_000}, 12).loc["I", "outturn"] == -2_150_000


def test_budget_method_forecasts_the_annual_budget_whatever_the_actuals() -> None:
    # P4: budget £50,000, actuals £30,000 → remaining £20,000, outturn £50,000.
    out = forecast([line("B", 5_000_000, "budget")], {"B": 3_000_000}, 4)
    assert out.loc["B", "committed_remaining"] == 2_000_000
    assert out.loc["B", "outturn"] == 5_000_000
    assert forecast([line("B", 5_000_000, "budget")], {}, 0).loc["B", "outturn"] == 5_000_000


def test_at_period_12_even_a_budget_method_line_is_its_actuals_because_the_ledger_is_final() -> None:
    # Documented decision: p = 12 is the outturn itself, so £51,234.00 not the £50,000 budget.
    out = forecast([line("B", 5_000_000, "budget")], {"B": 5_123_400}, 12)
    assert out.loc["B", "committed_remaining"] == 0
    assert out.loc["B", "outturn"] == 5_123_400


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="forecast method guess is not known"):
        forecast([line("L1", 100, "guess")], {}, 4)
