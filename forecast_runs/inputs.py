"""Reading everything a forecast run needs from the database into the engine's inputs.

This is the only place that knows both the models and the engine's frames; the engine itself
stays free of Django.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from django.db.models import Sum

from accounts.models import Authority
from forecasting.engine.inputs import ACTUALS_COLUMNS, BUDGET_COLUMNS, EngineInputs, inputs_hash
from forecasting.models import Actual, Budget, BudgetLine, FinancialYear
from forecasting.scenarios import engine_scenarios
from placements.selectors import history_start, placement_register_frame, placement_types_frame
from savings.selectors import savings_frame
from workforce.selectors import posts_frame, workers_frame


def budget_lines_frame(*, authority: Authority, year: FinancialYear) -> pd.DataFrame:
    """Every line with a budget for the year or an actual in it (a line with neither is not part of
    this year's forecast)."""
    budgets = {
        line_id: (amount, numbers)
        for line_id, amount, numbers in Budget.objects.filter(year=year, line__authority=authority).values_list(
            "line_id", "amount", "budget_numbers"
        )
    }
    with_actuals = set(
        Actual.objects.filter(period__year=year, line__authority=authority).values_list("line_id", flat=True)
    )
    rows = []
    for line in BudgetLine.objects.filter(authority=authority).select_related("service_area", "placement_type"):
        if line.pk not in budgets and line.pk not in with_actuals:
            continue
        amount, numbers = budgets.get(line.pk, (0, None))
        rows.append(
            (
                line.code,
                line.name,
                line.service_area.name,
                line.category,
                line.placement_type.code if line.placement_type else None,
                line.team_code or None,
                line.method,
                int(amount),
                float(numbers) if numbers is not None else float("nan"),
                None,
            )
        )
    frame = pd.DataFrame(rows, columns=list(BUDGET_COLUMNS))
    frame["annual_budget"] = frame["annual_budget"].astype("int64")
    return frame


def actuals_frame(*, authority: Authority, year: FinancialYear, up_to_period: int) -> pd.DataFrame:
    rows = (
        Actual.objects.filter(period__year=year, period__number__lte=up_to_period, line__authority=authority)
        .values("line__code", "period__number")
        .annotate(total=Sum("amount"))
        .values_list("line__code", "period__number", "total")
    )
    frame = pd.DataFrame(list(rows), columns=list(ACTUALS_COLUMNS))
    return frame.astype({"period": "int64", "amount": "int64"})


def engine_inputs_build(*, authority: Authority, year: FinancialYear, period: int) -> EngineInputs:
    start = history_start(authority=authority, as_at=year.calendar.as_at_date(period))
    return EngineInputs(
        year=year.calendar,
        as_at_period=period,
        budget_lines=budget_lines_frame(authority=authority, year=year),
        actuals=actuals_frame(authority=authority, year=year, up_to_period=period),
        placements=placement_register_frame(authority=authority),
        placement_types=placement_types_frame(),
        posts=posts_frame(authority=authority),
        workers=workers_frame(authority=authority),
        savings=savings_frame(authority=authority, year_label=year.label),
        scenarios=engine_scenarios(authority=authority),
        history_from=start.day,
        history_from_reason=start.why,
    )


def inputs_summary(inputs: EngineInputs) -> dict[str, Any]:
    """What a run was given, in counts (shown on the run page)."""
    return {
        "budget_lines": len(inputs.budget_lines),
        "actuals": len(inputs.actuals),
        "placement_rows": len(inputs.placements),
        "workers": len(inputs.workers),
        "posts": len(inputs.posts),
        "savings": len(inputs.savings),
        "scenarios": [s.name for s in inputs.scenarios],
        "history_from": inputs.history_from.isoformat() if inputs.history_from else None,
        "history_from_reason": inputs.history_from_reason,
    }


def inputs_digest(inputs: EngineInputs) -> str:
    """Two requests with the same digest would compute the same forecast: the second joins the first."""
    try:
        return inputs_hash(inputs)
    except Exception:  # noqa: BLE001 - inputs the engine will reject; the run will say why
        return f"unhashable-{time.time_ns()}"
