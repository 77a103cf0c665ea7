"""The tables of a run: their columns, the values some columns allow, and reading one cell."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from forecasting.engine.money import pounds_text
from forecasting.engine.placements.kpis import DEFAULT_HIGH_COST_THRESHOLD as DEFAULT_HIGH_COST_THRESHOLD
from forecasting.engine.scenarios import SCENARIO_ORDER

CATEGORIES = ("placements", "workforce", "other", "income")

OTHER_METHODS = ("profile", "run_rate", "budget")

REQUIRED_SCENARIOS = SCENARIO_ORDER

BILLABLE_FACTOR_RANGE = (0.0, 1.5)  # exclusive lower bound, inclusive upper bound


BUDGET_COLUMNS = (
    "line_code",
    "line_name",
    "service_area",
    "category",
    "placement_type",
    "team",
    "method",
    "annual_budget",
    "budget_numbers",
    "profile",
)

ACTUALS_COLUMNS = ("line_code", "period", "amount")

REGISTER_COLUMNS = (
    "placement_ref",
    "child_ref",
    "child_dob",
    "placement_type",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line_code",
)

TYPES_COLUMNS = ("code", "continues_after_18")

POSTS_COLUMNS = ("post_ref", "team", "fte", "annual_cost")

WORKERS_COLUMNS = (
    "worker_ref",
    "team",
    "post_ref",
    "worker_type",
    "fte",
    "start_date",
    "end_date",
    "annual_cost",
    "weekly_rate",
    "agency_reason",
    "absence",
    "caseload",
    "asye",
)

SAVINGS_COLUMNS = ("ref", "title", "line_code", "status", "rag", "programme", "planned", "forecast_delivery")


def empty_frame(columns: Iterable[str]) -> pd.DataFrame:
    """An empty frame with the given columns (object dtype)."""
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})


def blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return bool(value is pd.NA or value is pd.NaT)


def text_or_none(value: object) -> str | None:
    return None if blank(value) else str(value).strip()


def pounds(pence: int) -> str:
    """Pounds and pence in messages, by the one money formatter."""
    return pounds_text(pence, 2)


def listing(values: Iterable[object], limit: int = 5) -> str:
    items = sorted({str(v) for v in values})
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
