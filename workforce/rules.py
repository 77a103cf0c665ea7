"""Checks on one post or worker row, shared by the file import and the browser forms.

Each check returns (column, message) pairs; the message completes the sentence
"<file> row <n>, column <c>: ..." so the same words appear on the upload preview, in the
import_data command's output and beside a form field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from forecasting.engine.money import pounds_text
from workforce.models import MAX_FTE, WorkerType

# Bounds for "absurd" money, per FTE. Outside them a figure is almost certainly keyed in the
# wrong column or unit (a yearly salary in the weekly-rate column, pence typed as pounds).
MIN_WEEKLY_RATE_PER_FTE = 250_00  # £250 a week
MAX_WEEKLY_RATE_PER_FTE = 5_000_00  # £5,000 a week
MIN_ANNUAL_COST_PER_FTE = 10_000_00  # £10,000 a year
MAX_ANNUAL_COST_PER_FTE = 250_000_00  # £250,000 a year


def fte_text(fte: Decimal) -> str:
    """1.00 → '1', 0.50 → '0.5': FTE as people write it."""
    return f"{fte.normalize():f}"


def fte_problems(fte: Decimal | None) -> list[tuple[str, str]]:
    if fte is None:
        return []
    if fte <= 0:
        return [("fte", f"FTE must be more than 0 (got {fte_text(fte)}); leave the row out if nobody works it")]
    if fte > MAX_FTE:
        return [("fte", f"FTE must be at most {MAX_FTE} (got {fte_text(fte)}); give full-time equivalent, not hours")]
    return []


def annual_cost_problems(
    annual_cost: int | None, fte: Decimal | None, *, column: str = "annual_cost"
) -> list[tuple[str, str]]:
    if annual_cost is None or fte is None or fte_problems(fte):
        return []  # a bad FTE is reported once, on its own column
    per_fte = Decimal(annual_cost) / fte
    if not MIN_ANNUAL_COST_PER_FTE <= per_fte <= MAX_ANNUAL_COST_PER_FTE:
        return [
            (
                column,
                f"{pounds_text(annual_cost)} a year at {fte_text(fte)} FTE is "
                f"{pounds_text(int(per_fte))} per full-time post, outside "
                f"{pounds_text(MIN_ANNUAL_COST_PER_FTE)}–{pounds_text(MAX_ANNUAL_COST_PER_FTE)}; "
                "give the full yearly cost in pounds",
            )
        ]
    return []


def weekly_rate_problems(weekly_rate: int | None, fte: Decimal | None) -> list[tuple[str, str]]:
    if weekly_rate is None or fte is None or fte_problems(fte):
        return []
    per_fte = Decimal(weekly_rate) / fte
    if not MIN_WEEKLY_RATE_PER_FTE <= per_fte <= MAX_WEEKLY_RATE_PER_FTE:
        return [
            (
                "weekly_rate",
                f"{pounds_text(weekly_rate)} a week at {fte_text(fte)} FTE is "
                f"{pounds_text(int(per_fte))} per full-time week, "
                f"outside {pounds_text(MIN_WEEKLY_RATE_PER_FTE)}–{pounds_text(MAX_WEEKLY_RATE_PER_FTE)}; "
                "give the agency's charge per week in pounds",
            )
        ]
    return []


@dataclass
class WorkerValues:
    """A worker's values as entered (money in pence; None where blank)."""

    worker_type: str | None
    fte: Decimal | None
    start_date: date | None
    end_date: date | None
    annual_cost: int | None
    weekly_rate: int | None
    agency_reason: str | None
    caseload: int | None = None


def worker_problems(values: WorkerValues) -> list[tuple[str, str]]:
    """Everything wrong with one worker row on its own (team and post checks need context)."""
    problems = fte_problems(values.fte)
    if values.start_date and values.end_date and values.end_date < values.start_date:
        problems.append(
            (
                "end_date",
                f"the last day ({values.end_date.isoformat()}) is before the start date "
                f"({values.start_date.isoformat()}); the end date is the last day worked",
            )
        )
    if values.worker_type == WorkerType.AGENCY:
        if values.weekly_rate is None:
            problems.append(("weekly_rate", "is blank; an agency worker needs a weekly rate to be costed"))
        problems += weekly_rate_problems(values.weekly_rate, values.fte)
        if not values.agency_reason:
            problems.append(
                (
                    "agency_reason",
                    "is blank; say why the agency worker is engaged (vacancy, additional_capacity, asye_cover, "
                    "long_term_sickness, maternity or suspension)",
                )
            )
    elif values.worker_type == WorkerType.PERMANENT:
        if values.annual_cost is None:
            problems.append(("annual_cost", "is blank; a permanent worker needs their annual cost to be costed"))
        problems += annual_cost_problems(values.annual_cost, values.fte)
    if values.caseload is not None and values.caseload > 200:
        problems.append(("caseload", f"{values.caseload} open cases is not believable; give the number of cases held"))
    return problems


@dataclass(frozen=True)
class Holder:
    """A permanent worker filling a post over [start, end] (end inclusive; None = open)."""

    label: str
    fte: Decimal
    start: date
    end: date | None


def overfilled(post_fte: Decimal, holders: Iterable[Holder]) -> list[tuple[Holder, list[Holder]]]:
    """Holders who, with those overlapping them, fill the post beyond its FTE.

    Checked at each holder's start day: the FTE of every holder engaged on that day. Returns
    (holder, the others engaged with them) for each holder whose start over-fills the post.
    Two 0.5 FTE job-sharers in a 1.0 post are fine; two 1.0 FTE workers over the same dates are not.
    """
    rows = list(holders)
    out = []
    for holder in rows:
        day = holder.start
        others = [h for h in rows if h is not holder and h.start <= day and (h.end is None or day <= h.end)]
        if others and holder.fte + sum((h.fte for h in others), Decimal(0)) > post_fte:
            out.append((holder, others))
    return out
