"""Everything one forecast run needs, checked before any arithmetic starts.

`EngineInputs` bundles the frames and assumptions of a run (units: money in integer pence,
weekly costs in pence a week, FTE and numbers of children as floats, dates as datetime64).
`validate()` refuses inputs that make a forecast impossible with one `EngineInputError` that
lists every problem in words a finance officer can act on (the product's "all or nothing, every
error at once" convention). `inputs_hash` is the fingerprint stored with a run (FORECAST.md,
Outputs of a run: "a hash of every input").

Where things are:

* `tables`: the columns of each table and the values some columns allow;
* `engine_inputs`: `EngineInputs` and `EngineInputError`;
* `checks`: `input_problems`, a tuple of named checks run in order;
* `fingerprint`: `inputs_hash`.

Every public name is importable from `forecasting.engine.inputs` itself.
"""

from __future__ import annotations

from .checks import input_problems
from .engine_inputs import EngineInputError, EngineInputs
from .fingerprint import inputs_hash
from .tables import (
    ACTUALS_COLUMNS,
    BILLABLE_FACTOR_RANGE,
    BUDGET_COLUMNS,
    CATEGORIES,
    DEFAULT_HIGH_COST_THRESHOLD,
    OTHER_METHODS,
    POSTS_COLUMNS,
    REGISTER_COLUMNS,
    REQUIRED_SCENARIOS,
    SAVINGS_COLUMNS,
    TYPES_COLUMNS,
    WORKERS_COLUMNS,
    empty_frame,
)

__all__ = [
    "ACTUALS_COLUMNS",
    "BILLABLE_FACTOR_RANGE",
    "BUDGET_COLUMNS",
    "CATEGORIES",
    "DEFAULT_HIGH_COST_THRESHOLD",
    "OTHER_METHODS",
    "POSTS_COLUMNS",
    "REGISTER_COLUMNS",
    "REQUIRED_SCENARIOS",
    "SAVINGS_COLUMNS",
    "TYPES_COLUMNS",
    "WORKERS_COLUMNS",
    "EngineInputError",
    "EngineInputs",
    "empty_frame",
    "input_problems",
    "inputs_hash",
]
