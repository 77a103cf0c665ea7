"""What every savings page shares: template rows, downloads, service problems on a form, and the
plan's years."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.access import authority_of
from core.exports import Title, table_download
from core.spreadsheet import header_words
from savings import selectors
from savings.services import SavingInputError

MONEY_COLUMNS = [
    "planned",
    "forecast_delivery",
    "shortfall",
    "mitigated",
    "net_shortfall",
    "delivered",
    "gross",
    "absorbed",
    "net_of_absorbed",
    "programme_benefit",
    "total",
    "from_amount",
    "to_amount",
    "difference",
    "investment",
    "target_lifetime",
    "stretch_lifetime",
    "full_year_effect",
    "amount",
    "benefit",
    "cumulative_benefit",
    "implementation_cost",
    "net_benefit",
    "cumulative_net_benefit",
    "target",
    "target_reprofiled",
    "stretch",
    "stretch_reprofiled",
    "original",
    "reprofiled",
    "consultation",
    "approved",
    "largest_amount",
]
# A page's tables by download name, each built when first asked for.
Tables = dict[str, Callable[[], pd.DataFrame]]


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Rows for a template, with pandas' missing values as None (the `pounds` filter shows blank)."""
    if frame is None:
        return []
    out = []
    for row in frame.to_dict("records"):
        out.append({k: (None if _missing(v) else v) for k, v in row.items()})
    return out


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def download_table(
    request: HttpRequest, tables: Tables, stem: str, *, what: str, period: str = ""
) -> HttpResponse | None:
    """`?table=NAME&format=csv|xlsx`: that table in pounds, else None (show the page); the
    title row says `what` the page is, the table's name in words and the `period`."""
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    name = request.GET.get("table", "")
    if name not in tables:
        raise Http404("No such table")
    frame = selectors.for_export(tables[name](), money=MONEY_COLUMNS)
    title = Title(authority_of(request).name, f"{what}: {header_words(name).lower()}", period)
    filename = f"{stem}-{name}".replace("/", "-")
    return table_download(frame, filename=filename, fmt=fmt, title=title, money=MONEY_COLUMNS)


def problems_to_form(form: Any, error: SavingInputError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


def plan_years_or_redirect(request: HttpRequest) -> list[str] | HttpResponse:
    """The plan's years, or a redirect to set them: a saving's amounts need them."""
    plan = selectors.plan_for(authority=authority_of(request))
    if plan is None:
        messages.error(request, "Set the years of the medium-term financial plan before adding savings.")
        return redirect("savings:plan")
    return plan.years
