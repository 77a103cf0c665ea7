"""Reads of the savings tracker for pages, exports and the forecast engine.

Every figure is a pandas DataFrame built here and nowhere else, so a page and its CSV/XLSX
download show the same numbers. The arithmetic is the engine's (forecasting/engine/savings.py);
these functions only fetch rows (values_list, no model instances) and hand them over.
Money is integer pence throughout; exports convert to pounds at the last moment.

- lookups: single objects and short lists, scoped to the authority
- frames: the engine's savings frame and the long-form amounts and benefits
- tracker: delivery in a year, totals and differences across the plan, programmes
- saving: one saving's versions, reporting cycles and mitigations
- programme: one programme's profiles, return on investment and payback
- pence: money in frames, and pounds for exports
"""

from savings.selectors.frames import (
    CURRENT_ORDER,
    SAVINGS_FRAME_COLUMNS,
    amounts_frame,
    current_amounts_frame,
    line_methods,
    programme_benefits_frame,
    register_frame,
    savings_frame,
)
from savings.selectors.lookups import (
    default_year,
    plan_for,
    programme_for,
    programme_profile_amounts,
    saving_approved_total,
    saving_current_amounts,
    saving_for,
    service_area_names,
)
from savings.selectors.pence import for_export
from savings.selectors.programme import (
    ProgrammeFigures,
    programme_figures,
    programme_investments_frame,
    programme_savings_frame,
)
from savings.selectors.saving import (
    saving_history_frame,
    saving_mitigations_frame,
    saving_profiles_frame,
    saving_versions_meta,
)
from savings.selectors.tracker import (
    TrackerFilters,
    delivery_by,
    delivery_frame,
    differences_by_saving,
    differences_by_year,
    key_decision_frame,
    programmes_frame,
    totals_by_year,
)

__all__ = [
    "CURRENT_ORDER",
    "SAVINGS_FRAME_COLUMNS",
    "ProgrammeFigures",
    "TrackerFilters",
    "amounts_frame",
    "current_amounts_frame",
    "default_year",
    "delivery_by",
    "delivery_frame",
    "differences_by_saving",
    "differences_by_year",
    "for_export",
    "key_decision_frame",
    "line_methods",
    "plan_for",
    "programme_benefits_frame",
    "programme_figures",
    "programme_for",
    "programme_investments_frame",
    "programme_profile_amounts",
    "programme_savings_frame",
    "programmes_frame",
    "register_frame",
    "saving_approved_total",
    "saving_current_amounts",
    "saving_for",
    "saving_history_frame",
    "saving_mitigations_frame",
    "saving_profiles_frame",
    "saving_versions_meta",
    "savings_frame",
    "service_area_names",
    "totals_by_year",
]
