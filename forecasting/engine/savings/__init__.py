"""Savings: delivery this year, the tracker's figures and programme benefits (FORECAST.md, Savings).

Everything here is money in integer pence; a saving is a positive amount. Rates are fractions
(0.5 means 50%). Years are financial-year labels such as "2022/23". Functions take and return
pandas DataFrames (or plain ints and lists) and never read the clock: the caller names the year.

Decisions FORECAST.md leaves open are written down in the project's docs (docs/engine/savings.md)
and repeated in the docstrings.

Where things are:

* `rules`: statuses, RAGs, versions, thresholds and `SavingsError`;
* `delivery`: forecast delivery and shortfall this year, the savings adjustment by line;
* `versions`: totals by year, differences between versions, key decisions;
* `programmes`: benefit profiles, return on investment, payback, delayed starts;
* `problems`: validation for the importer;
* `tables`: reading the tracker's cells and tables (shared helpers).

Every public name is importable from `forecasting.engine.savings` itself.
"""

from __future__ import annotations

from forecasting.engine.savings.delivery import (
    DELIVERY_COLUMNS,
    delivery_summary,
    savings_adjustment_by_line,
    savings_delivery,
)
from forecasting.engine.savings.problems import (
    amounts_problems,
    derive_rag,
    programme_problems,
    reprofile_problem,
    reprofile_problems,
    savings_problems,
)
from forecasting.engine.savings.programmes import (
    cumulative_benefit,
    delay_profile,
    delayed_profile_frame,
    payback_year,
    programme_benefits_by_year,
    programme_summary,
    return_on_investment,
)
from forecasting.engine.savings.rules import (
    ABSORBED,
    ACHIEVED,
    DEFAULT_PAYBACK_HURDLE,
    KEY_DECISION_THRESHOLD,
    METHODS_ADDING_SHORTFALL,
    METHODS_NOT_ADDING_SHORTFALL,
    PROGRAMME_PROFILES,
    RAG_FROM_STATUS,
    RAGS,
    VERSIONS,
    SavingsError,
)
from forecasting.engine.savings.versions import (
    key_decisions,
    savings_totals_by_year,
    version_differences,
    version_differences_by_year,
)
from forecasting.engine.scenarios import DEFAULT_DELIVERY_RATES, SAVING_STATUSES

__all__ = [
    "ABSORBED",
    "ACHIEVED",
    "DEFAULT_DELIVERY_RATES",
    "DEFAULT_PAYBACK_HURDLE",
    "DELIVERY_COLUMNS",
    "KEY_DECISION_THRESHOLD",
    "METHODS_ADDING_SHORTFALL",
    "METHODS_NOT_ADDING_SHORTFALL",
    "PROGRAMME_PROFILES",
    "RAGS",
    "RAG_FROM_STATUS",
    "SAVING_STATUSES",
    "VERSIONS",
    "SavingsError",
    "amounts_problems",
    "cumulative_benefit",
    "delay_profile",
    "delayed_profile_frame",
    "delivery_summary",
    "derive_rag",
    "key_decisions",
    "payback_year",
    "programme_benefits_by_year",
    "programme_problems",
    "programme_summary",
    "reprofile_problem",
    "reprofile_problems",
    "return_on_investment",
    "savings_adjustment_by_line",
    "savings_delivery",
    "savings_problems",
    "savings_totals_by_year",
    "version_differences",
    "version_differences_by_year",
]
