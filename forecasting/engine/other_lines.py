"""Other and income budget lines: the `profile`, `run_rate` and `budget` methods.

Implements FORECAST.md, Other lines. Units: integer pence; income lines are negative.

- `profile` (default): outturn = actuals to date + annual budget × (12 − p)/12, or, when the
  line has a monthly budget profile, actuals to date + the profile's months p+1..12.
- `run_rate`: outturn = actuals to date + (actuals to date / p) × (12 − p); at p = 0 the budget.
- `budget`: outturn = annual budget.

The amount added to the actuals (the "remainder") is reported as the line's committed
remaining; these lines have no projected change. It is rounded to the penny, half up, once per
line (FORECAST.md, Money).

At p = 12 the ledger is final and the outturn is the actuals themselves (FORECAST.md,
Calendar: "p = 12 is the outturn itself"), so the remainder is zero for every method, `budget`
included.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .money import round_pence_array

OTHER_METHODS = ("profile", "run_rate", "budget")
DEFAULT_METHOD = "profile"


def normalise_method(value: object) -> str:
    """The line's method, `profile` when blank."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return DEFAULT_METHOD
    text = str(value).strip().lower()
    return text or DEFAULT_METHOD


def other_lines_forecast(
    lines: pd.DataFrame,
    actual_ytd: Mapping[str, int] | pd.Series,
    as_at_period: int,
) -> pd.DataFrame:
    """Forecast other and income lines.

    `lines`: line_code, annual_budget (pence), method, profile (None or 12 pence amounts).
    `actual_ytd`: ledger actuals of periods 1..p by line code, pence (missing = 0).

    Returns line_code, method, actual_ytd, committed_remaining (the method's remainder),
    projected_change (always 0) and outturn (before any savings adjustment), all pence.
    """
    p = int(as_at_period)
    codes = lines["line_code"].astype(str).to_numpy(dtype=object)
    n = len(codes)
    budget = pd.to_numeric(lines["annual_budget"]).fillna(0).to_numpy(dtype=np.int64)
    actual_map = actual_ytd if isinstance(actual_ytd, pd.Series) else pd.Series(dict(actual_ytd), dtype=np.int64)
    actual = actual_map.reindex(codes).fillna(0).to_numpy(dtype=np.int64)
    methods = (
        np.array([normalise_method(m) for m in lines["method"]], dtype=object)
        if "method" in lines.columns
        else np.full(n, DEFAULT_METHOD, dtype=object)
    )
    unknown = sorted(set(methods) - set(OTHER_METHODS))
    if unknown:
        raise ValueError(f"forecast method {', '.join(unknown)} is not known; use profile, run_rate or budget")

    # profile: budget × (12 − p) / 12, or the remaining months of a monthly profile
    remainder_profile = round_pence_array(budget * (12 - p) / 12.0)
    profiles = lines["profile"] if "profile" in lines.columns else pd.Series([None] * n)
    has_profile = np.array([isinstance(v, (tuple, list, np.ndarray)) for v in profiles], dtype=bool)
    if has_profile.any():
        matrix = np.zeros((n, 12), dtype=np.int64)
        matrix[has_profile] = np.array([list(v) for v in profiles[has_profile]], dtype=np.int64)
        remainder_profile = np.where(has_profile, matrix[:, p:].sum(axis=1), remainder_profile)

    # run rate: (actuals / p) × (12 − p); at p = 0 there are no actuals, so the budget
    if p == 0:
        remainder_run = budget.copy()
    else:
        remainder_run = round_pence_array(actual / p * (12 - p))

    # budget: whatever makes the outturn equal to the annual budget
    remainder_budget = budget - actual

    remainder = np.select(
        [methods == "profile", methods == "run_rate", methods == "budget"],
        [remainder_profile, remainder_run, remainder_budget],
        default=0,
    ).astype(np.int64)
    if p == 12:
        remainder = np.zeros(n, dtype=np.int64)
    return pd.DataFrame(
        {
            "line_code": codes,
            "method": methods,
            "actual_ytd": actual,
            "committed_remaining": remainder,
            "projected_change": np.zeros(n, dtype=np.int64),
            "outturn": actual + remainder,
        }
    )
