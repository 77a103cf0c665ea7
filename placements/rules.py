"""The rules a register row must meet, shared by the file import and the on-screen forms, so a
row refused on screen is refused in a file with the same words."""

from __future__ import annotations

import re
from datetime import date

MAX_WEEKLY_COST = 5_000_000  # £50,000 a week: above this a figure is an annual cost or a typo
CARE_LEAVER_AGE_LIMIT = 25  # leaving care support runs to 25 (Children and Social Work Act 2017)
CHILD_AGE_LIMIT = 18
PLACEMENT_REF_MAX = 60
CHILD_REF_MAX = 40
PROVIDER_MAX = 200
# A pseudonymous reference has a digit and no spaces; a name has neither digits nor, often,
# only one word. This is a guard against names being typed where a reference belongs.
CHILD_REF_PATTERN = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9_./-]*$")


def child_ref_problem(ref: str) -> str | None:
    if len(ref) > CHILD_REF_MAX:
        return f"is longer than {CHILD_REF_MAX} characters"
    if not CHILD_REF_PATTERN.match(ref):
        return (
            f"'{ref}' is not a pseudonymous child reference (letters and digits, at least one digit, "
            "no spaces); never enter a child's name"
        )
    return None


def weekly_money_problem(pence: int, what: str = "weekly cost") -> str | None:
    if pence < 0:
        return f"is negative; a {what} is £0 or more a week"
    if pence > MAX_WEEKLY_COST:
        return "is more than £50,000 a week; check the figure (is it an annual cost?)"
    return None


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def age_problem(age: int, type_code: str, continues_after_18: bool) -> str | None:
    """25 or more at the start of any placement is an error (a child of 25 in a children's
    placement). 18 to 24 in a children's placement is allowed: the forecast ends it at 18."""
    if age < CARE_LEAVER_AGE_LIMIT:
        return None
    if continues_after_18:
        return f"the young person is {age} on the start date; a {type_code} placement is for care leavers under 25"
    return f"the child is {age} on the start date; a {type_code} placement is for children"


def end_problem(end: date, start: date, column: str = "end date") -> str | None:
    if end <= start:
        return (
            f"the {column} ({end:%d/%m/%Y}) is on or before the start date ({start:%d/%m/%Y}); "
            f"the {column} is the first day no longer in placement"
        )
    return None
