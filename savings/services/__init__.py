"""Writes for the savings tracker and programmes. Every change is audited.

Each service checks its input and raises SavingInputError listing every problem (in the words a
finance officer would use) before anything is written; each runs in one transaction.

- problems: SavingInputError and the checks every service makes first
- plan: the medium-term financial plan
- programmes: transformation programmes, their profiles and investment
- versions: a saving's consultation, approved and re-profiled amounts
- tracker: adding and changing savings, reporting cycles, mitigations
"""

from savings.services.plan import medium_term_plan_set, plan_years_problems
from savings.services.problems import SavingInputError
from savings.services.programmes import programme_investment_add, programme_profiles_set, programme_save
from savings.services.tracker import (
    saving_create,
    saving_details_save,
    saving_mitigation_add,
    saving_status_record,
)
from savings.services.versions import APPROVED, REPROFILED, VersionInput, saving_versions_check, saving_versions_set

__all__ = [
    "APPROVED",
    "REPROFILED",
    "SavingInputError",
    "VersionInput",
    "medium_term_plan_set",
    "plan_years_problems",
    "programme_investment_add",
    "programme_profiles_set",
    "programme_save",
    "saving_create",
    "saving_details_save",
    "saving_mitigation_add",
    "saving_status_record",
    "saving_versions_check",
    "saving_versions_set",
]
