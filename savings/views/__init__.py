"""Pages of the savings tracker and programmes.

Finance officers change things; directors and administrators read; committee members see
nothing here (they see savings in published snapshots). Every table comes from a selector's
DataFrame, and `?table=NAME&format=csv|xlsx` downloads that same frame.

- tracker: the tracker and the plan's years
- saving: a saving, its reporting cycles, re-profiles and mitigations
- programmes: a programme, its profiles and investment
- shared: template rows, downloads and form problems every page uses
"""

from savings.views.programmes import programme_detail, programme_edit, programme_investment_new, programme_profiles
from savings.views.saving import (
    mitigation_new,
    saving_detail,
    saving_edit,
    saving_new,
    saving_reprofile,
    saving_update_new,
)
from savings.views.shared import MONEY_COLUMNS, records
from savings.views.tracker import plan_edit, tracker

__all__ = [
    "MONEY_COLUMNS",
    "mitigation_new",
    "plan_edit",
    "programme_detail",
    "programme_edit",
    "programme_investment_new",
    "programme_profiles",
    "records",
    "saving_detail",
    "saving_edit",
    "saving_new",
    "saving_reprofile",
    "saving_update_new",
    "tracker",
]
