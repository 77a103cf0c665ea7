"""The variance bridge from budget to forecast outturn: volume, price and other (FORECAST.md,
Outputs of a run). Money is pence."""

from __future__ import annotations

import pandas as pd

from forecasting.engine.variance import VarianceBridge, variance_bridge


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_code": ["CIC-RES-EXT", "LEG-EXT", "INC-UASC"],
            "annual_budget": [2_000_000, 500_000, -300_000],
            "forecast_outturn": [2_300_000, 450_000, -280_000],
        }
    )


def test_the_steps_go_from_budget_to_outturn_to_the_penny() -> None:
    explained = pd.DataFrame({"line_code": ["CIC-RES-EXT"], "volume": [180_001], "price": [95_333]})
    bridge = variance_bridge(_lines(), explained)
    # Budget 2,000,000 + 500,000 − 300,000 = 2,200,000p; outturn 2,300,000 + 450,000 − 280,000 =
    # 2,470,000p; variance 270,000p. Other = 270,000 − 180,001 − 95,333 = −5,334p.
    assert bridge == VarianceBridge(budget=2_200_000, volume=180_001, price=95_333, other=-5_334, outturn=2_470_000)
    assert bridge.budget + bridge.volume + bridge.price + bridge.other == bridge.outturn
    assert bridge.variance == 270_000


def test_volume_and_price_add_up_over_the_explained_lines() -> None:
    explained = pd.DataFrame(
        {"line_code": ["CIC-RES-EXT", "CIC-FOS-IFA"], "volume": [100_000, -40_000], "price": [-20_000, 5_000]}
    )
    bridge = variance_bridge(_lines(), explained)
    # Volume 100,000 − 40,000 = 60,000p; price −20,000 + 5,000 = −15,000p;
    # other 270,000 − 60,000 + 15,000 = 225,000p.
    assert (bridge.volume, bridge.price, bridge.other) == (60_000, -15_000, 225_000)


def test_without_budgeted_numbers_the_whole_variance_is_other() -> None:
    bridge = variance_bridge(_lines(), pd.DataFrame())
    assert (bridge.volume, bridge.price, bridge.other) == (0, 0, 270_000)
