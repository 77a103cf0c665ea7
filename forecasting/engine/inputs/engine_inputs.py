"""`EngineInputs`: the frames and assumptions of one run, and `EngineInputError`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..calendar import FinancialYear
from ..scenarios import ChosenDemand, Scenario
from .checks import input_problems
from .tables import (
    ACTUALS_COLUMNS,
    DEFAULT_HIGH_COST_THRESHOLD,
    POSTS_COLUMNS,
    REGISTER_COLUMNS,
    SAVINGS_COLUMNS,
    TYPES_COLUMNS,
    WORKERS_COLUMNS,
    empty_frame,
)


class EngineInputError(ValueError):
    """Inputs that make a forecast impossible. `problems` lists each one; str() joins them."""

    def __init__(self, message: str, problems: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems is not None else [message]


def _empty(columns: tuple[str, ...]) -> Any:
    return field(default_factory=lambda: empty_frame(columns))


@dataclass(frozen=True, eq=False, kw_only=True)
class EngineInputs:
    """The inputs of one run. Frames follow the column lists above; money is integer pence.

    - year: the financial year; as_at_period: 0..12 (FORECAST.md, Calendar).
    - budget_lines: BUDGET_COLUMNS; annual_budget in pence (income negative); profile None or
      12 pence amounts that add up to the annual budget.
    - actuals: ACTUALS_COLUMNS; only periods 1..as_at_period are used, later ones are ignored.
    - placements: the placement register (REGISTER_COLUMNS, end dates exclusive); a blank
      line_code means the placements line of the row's type.
    - placement_types: code, continues_after_18.
    - posts, workers: the establishment and the people (worker end dates inclusive).
    - savings: SAVINGS_COLUMNS, planned and forecast_delivery in pence for this year.
    - scenarios: best, middle and worst at least.
    - high_cost_threshold: pence a week (default £4,100).
    - history_from: the date from which the register holds every placement; the demand methods
      learn from month-ends after it only (None: from the register's first placement), with
      `history_from_reason` saying why in words.
    - chosen_demand: what the authority's own back-test says per type: the method `auto` takes
      and the calibrated interval ratios of every method (FORECAST.md, Accuracy); None = `auto`
      means no change, and only the statistical method has an interval (the model's own).
    """

    year: FinancialYear
    as_at_period: int
    budget_lines: pd.DataFrame
    scenarios: Sequence[Scenario]
    actuals: pd.DataFrame = _empty(ACTUALS_COLUMNS)
    placements: pd.DataFrame = _empty(REGISTER_COLUMNS)
    placement_types: pd.DataFrame = _empty(TYPES_COLUMNS)
    posts: pd.DataFrame = _empty(POSTS_COLUMNS)
    workers: pd.DataFrame = _empty(WORKERS_COLUMNS)
    savings: pd.DataFrame = _empty(SAVINGS_COLUMNS)
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD
    chosen_demand: ChosenDemand | None = None
    history_from: date | None = None
    history_from_reason: str = ""

    def validate(self) -> None:
        """Raise EngineInputError listing every problem that makes a forecast impossible."""
        problems = input_problems(self)
        if problems:
            count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
            raise EngineInputError(f"The forecast cannot run ({count}): " + " ".join(problems), problems)
