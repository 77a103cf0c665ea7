"""Shared fixtures of the forecasting tests."""

from __future__ import annotations

import pytest

from forecasting.services import actuals_save, budget_set


@pytest.fixture
def ledger(year, lines, finance_officer):  # type: ignore[no-untyped-def]
    """LEG-EXT (run_rate) £2,600,000 budget, £216,000 + £240,000 spent in P1–P2;
    INC-UASC (profile) −£2,940,000 budget, −£250,000 + −£240,000 received.
    The placements line has no budget and no actuals this year, so it is not part of the forecast."""
    authority = year.authority
    budget_set(
        authority=authority, user=finance_officer, line=lines["LEG-EXT"], year=year, amount=260_000_000, reason=""
    )
    budget_set(
        authority=authority, user=finance_officer, line=lines["INC-UASC"], year=year, amount=-294_000_000, reason=""
    )
    for number, legal, grant in ((1, 21_600_000, -25_000_000), (2, 24_000_000, -24_000_000)):
        actuals_save(
            authority=authority,
            user=finance_officer,
            period=year.periods.get(number=number),
            amounts={lines["LEG-EXT"].pk: legal, lines["INC-UASC"].pk: grant},
        )
    return year
