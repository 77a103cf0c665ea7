"""Validation for the importer: every problem with the tracker, in messages a finance officer
can act on (FORECAST.md, Savings; DATA_FORMATS.md, savings)."""

from __future__ import annotations

import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.savings.rules import ABSORBED, RAG_FROM_STATUS, RAGS, VERSIONS, SavingsError
from forecasting.engine.savings.tables import (
    blank_to_none,
    checked_programme_rows,
    pence_or_none,
    pounds,
    require_columns,
    unknown_status_message,
    version_rows,
)
from forecasting.engine.scenarios import SAVING_STATUSES


def derive_rag(status: str, rag: str | None) -> str | None:
    """The RAG to store: the tracker's own when given, else the one its status implies.

    achieved → green, on_track → green, at_risk → amber, undeliverable → red, absorbed → None
    (no RAG of its own; it is rated within the programme that absorbed it). An unknown status or
    RAG is a SavingsError.
    """
    if status not in SAVING_STATUSES:
        raise SavingsError(unknown_status_message(None, status))
    given = blank_to_none(rag)
    if given is None:
        return RAG_FROM_STATUS[status]
    if given not in RAGS:
        raise SavingsError(f"RAG '{given}' is not one of {', '.join(RAGS)}")
    return str(given)


def savings_problems(savings: pd.DataFrame) -> list[str]:
    """Every problem with the tracker rows, one message each (empty when the rows are usable).

    Checks: a known status; a known RAG when one is given; an absorbed saving names the
    programme that absorbed it; planned amounts are not negative (savings are written as positive
    amounts, so a bracketed "(0.200)" from a committee paper should be entered as 0.200).
    """
    require_columns(savings, ("ref", "status"), "savings")
    problems: list[str] = []
    for record in savings.to_dict("records"):
        ref = str(record["ref"])
        status = record["status"]
        if status not in SAVING_STATUSES:
            problems.append(unknown_status_message(ref, status))
        rag = blank_to_none(record.get("rag"))
        if rag is not None and rag not in RAGS:
            problems.append(f"saving {ref}: RAG '{rag}' is not one of {', '.join(RAGS)}")
        if status == ABSORBED and blank_to_none(record.get("programme")) is None:
            problems.append(f"saving {ref}: it is absorbed, so name the programme that absorbed it")
        try:
            planned = pence_or_none(record.get("planned"), ref=ref, column="planned amount")
        except SavingsError as error:
            problems.append(str(error))
            continue
        if planned is not None and planned < 0:
            problems.append(f"saving {ref}: the planned amount is negative; write savings as positive amounts")
    return problems


def amounts_problems(amounts: pd.DataFrame) -> list[str]:
    """Problems with long-form yearly amounts: unknown versions, bad years, repeated rows."""
    require_columns(amounts, ("ref", "version", "year_label", "amount"), "amounts")
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for record in amounts.to_dict("records"):
        ref, version, label = str(record["ref"]), record["version"], str(record["year_label"])
        if version not in VERSIONS:
            problems.append(f"saving {ref}: version '{version}' is not one of {', '.join(VERSIONS)}")
        try:
            parse_year_label(label)
        except ValueError as error:
            problems.append(f"saving {ref}: {error}")
        key = (ref, str(version), label)
        if key in seen:
            problems.append(f"saving {ref}: {version} has more than one amount for {label}")
        seen.add(key)
    return problems


def reprofile_problems(amounts: pd.DataFrame, *, base_version: str = "approved") -> list[str]:
    """A re-profile moves savings between years; it must not change the lifetime total.

    For every ref with `reprofiled` rows, Σ reprofiled must equal Σ `base_version` (pence), as
    in "there will be a delay in realising savings but over the lifetime of the programme the
    savings will be the same". Returns one message per ref that changes its total.
    """
    base = version_rows(amounts, base_version).groupby("ref")["amount"].sum()
    new = version_rows(amounts, "reprofiled").groupby("ref")["amount"].sum()
    problems = []
    for ref, total in new.items():
        before = int(base.get(ref, 0))
        message = reprofile_problem(str(ref), before, int(total))
        if message:
            problems.append(message)
    return problems


def reprofile_problem(ref: str, original_total: int, reprofiled_total: int) -> str | None:
    """The message for one re-profile whose lifetime total (pence) differs, or None when it matches."""
    if original_total == reprofiled_total:
        return None
    return (
        f"saving {ref}: the re-profile totals {pounds(reprofiled_total)} over its lifetime but the "
        f"profile it replaces totals {pounds(original_total)} (a difference of "
        f"{pounds(reprofiled_total - original_total)}); a re-profile may move savings between years "
        "but must not change the total"
    )


def programme_problems(savings: pd.DataFrame, programme_benefits: pd.DataFrame) -> list[str]:
    """Absorbed savings whose programme has no benefit profile would vanish from every total."""
    known = set(checked_programme_rows(programme_benefits)["programme"])
    problems = []
    for record in savings.to_dict("records"):
        programme = blank_to_none(record.get("programme"))
        if record.get("status") == ABSORBED and programme is not None and programme not in known:
            problems.append(
                f"saving {record['ref']}: it is absorbed into programme '{programme}', which has no benefit profile"
            )
    return problems
