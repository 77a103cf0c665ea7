"""How the rest of a budget line's year is forecast, in words, for the service drill-down.

The engine reports one amount added to each line's actuals, `committed_remaining`. Only on
placement and workforce lines is it a commitment (children already placed, staff in post); on
other and income lines it is the budget profile's remaining months, the run rate or the budget
(`forecasting/engine/other_lines.py`). Calling all of it "Committed" overstated what is
committed, so each line says which it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Authority
from forecasting.models import BudgetLine

COMMITTED = {
    BudgetLine.Category.PLACEMENTS: "Committed: children already placed",
    BudgetLine.Category.WORKFORCE: "Committed: staff in post",
}


def rest_of_year_word(category: str, method: str | None) -> str:
    """The words for how a line's rest of the year is forecast: its commitment on placement and
    workforce lines, else its method's label ("Budget profile", "Run rate", "Budget")."""
    if category in COMMITTED:
        return COMMITTED[category]  # type: ignore[index]
    labels = dict(BudgetLine.Method.choices)
    return str(labels.get(method or BudgetLine.Method.PROFILE, labels[BudgetLine.Method.PROFILE]))


def rest_of_year_words(*, authority: Authority, lines: Iterable[dict[str, object]]) -> dict[str, str]:
    """Per line code of a document's service lines, how its rest of the year is forecast. The
    method is the line's as it stands (the run keeps no copy of it)."""
    wanted = list(lines)
    methods = dict(
        BudgetLine.objects.filter(
            authority=authority, code__in=[str(line["line_code"]) for line in wanted]
        ).values_list("code", "method")
    )
    return {
        str(line["line_code"]): rest_of_year_word(str(line["category"]), methods.get(str(line["line_code"])))
        for line in wanted
    }
