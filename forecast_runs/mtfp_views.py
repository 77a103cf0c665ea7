"""The medium-term forecast page: budget requirement by placements line and year, best / middle /
worst, its downloads, and next year's requirement as a file the budget import loads."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.http import Http404, HttpResponse
from django.shortcuts import render

import wording
from accounts.access import FINANCE_AND_DIRECTORS, AuthenticatedHttpRequest, authority_of, role_required
from core.exports import table_download
from core.spreadsheet import Title
from forecast_runs.demand.methods import LABELS as METHOD_WORDS
from forecast_runs.demand.mtfp import SCENARIOS, budget_rows, plan_years
from forecast_runs.mtfp_inputs import AuthorityMtfp, authority_mtfp
from forecasting import selectors
from forecasting.engine.money import pence_to_pounds, round_pence
from forecasting.models import PlacementType

SCENARIO_WORDS = {"best": "Best", "middle": "Middle", "worst": "Worst"}
TABLE_WORDS = {
    "requirement": "Medium-term forecast: budget requirement by line and year",
    "numbers": "Medium-term forecast: children by placement type at 31 March",
}


@role_required(*FINANCE_AND_DIRECTORS)
def mtfp_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year = selectors.year_for(authority=authority, label=request.GET.get("year"))
    if year is None:
        return render(request, "forecast_runs/mtfp.html", {"year": None})
    plan = authority_mtfp(authority=authority, year=year)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _download(authority.name, plan, request.GET.get("table", ""), fmt)
    return render(request, "forecast_runs/mtfp.html", page_context(plan))


def _download(authority_name: str, plan: AuthorityMtfp, table: str, fmt: str) -> HttpResponse:
    as_at = f"As at {wording.date_text(plan.as_at)}"
    if table == "budget":
        if fmt != "csv":
            raise Http404("The budget file is a CSV")
        frame = budget_rows(plan.table, plan.settings.lines, plan.service_areas)
        label = plan_years(plan.settings.first_year)[0][0]
        return table_download(
            frame,
            filename=f"budget-{label.replace('/', '-')}-from-medium-term-forecast",
            fmt="csv",
            title=Title(authority_name, "Budget", as_at),
            file_columns=True,
        )
    tables = download_tables(plan)
    if table not in tables:
        raise Http404("No such table")
    frame, money = tables[table]
    return table_download(
        frame,
        filename=f"medium-term-forecast-{table}-{plan.as_at:%Y-%m-%d}",
        fmt=fmt,
        title=Title(authority_name, TABLE_WORDS[table], as_at),
        money=money,
    )


def _type_names() -> dict[str, str]:
    return dict(PlacementType.objects.values_list("code", "name"))


def download_tables(plan: AuthorityMtfp) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    t = plan.table
    pounds = ["Cost", "Savings", "Budget requirement", "Weekly cost"]
    requirement = pd.DataFrame(
        {
            "Year": t["year"],
            "Line": t["line_name"],
            "Scenario": t["scenario"].map(SCENARIO_WORDS),
            "Average number of children": t["average_number"].round(1),
            "Number at 31 March": t["march_number"].round(1),
            "Weekly cost": [pence_to_pounds(round_pence(float(v))) for v in t["weekly_cost"]],
            "Cost": [pence_to_pounds(int(v)) for v in t["cost"]],
            "Savings": [pence_to_pounds(int(v)) for v in t["savings"]],
            "Budget requirement": [pence_to_pounds(int(v)) for v in t["requirement"]],
        }
    )
    names = _type_names()
    rows = []
    for code, path in plan.paths.items():
        for d, low, mid, high in zip(path.dates, path.p10, path.mid, path.p90, strict=True):
            if d.month == 3 and d.day == 31:
                rows.append((names.get(code, code), wording.date_text(d), round(low, 1), round(mid, 1), round(high, 1)))
    numbers = pd.DataFrame(rows, columns=["Placement type", "Date", "Low (10%)", "Middle", "High (90%)"])
    return {"requirement": (requirement, pounds), "numbers": (numbers, [])}


def page_context(plan: AuthorityMtfp) -> dict[str, Any]:
    t = plan.table
    years = list(dict.fromkeys(t["year"]))
    tables = []
    for label in years:
        part = t[t["year"] == label]
        rows = []
        for line in plan.settings.lines:
            cells = part[part["line_code"] == line.code].set_index("scenario")
            middle = cells.loc["middle"]
            rows.append(
                {
                    "line": line.name,
                    "number": wording.decimal_count(round(float(middle["average_number"]), 1)),
                    "savings": wording.money(int(middle["savings"])),
                    "cells": [wording.money(int(cells.loc[s, "requirement"])) for s in SCENARIOS],
                }
            )
        for other in plan.settings.other_lines:
            cells = part[part["line_code"] == other.code].set_index("scenario")
            if cells.empty:
                continue
            rows.append(
                {
                    "line": other.name,
                    "number": "",
                    "savings": wording.money(int(cells.loc["middle", "savings"])),
                    "cells": [wording.money(int(cells.loc[s, "requirement"])) for s in SCENARIOS],
                }
            )
        totals = [wording.money(int(part[part["scenario"] == s]["requirement"].sum())) for s in SCENARIOS]
        tables.append({"year": label, "rows": rows, "totals": totals})
    names = _type_names()
    numbers = []
    for code, path in sorted(plan.paths.items(), key=lambda kv: names.get(kv[0], kv[0])):
        marches = [i for i, d in enumerate(path.dates) if d.month == 3 and d.day == 31][-3:]
        numbers.append(
            {
                "type": names.get(code, code),
                "method": METHOD_WORDS.get(path.method, path.method),
                "cells": [
                    f"{wording.count(float(path.mid[i]))} ({wording.count(float(path.p10[i]))} to "
                    f"{wording.count(float(path.p90[i]))})"
                    for i in marches
                ],
            }
        )
    headings = [f"31 March {int(label[:4]) + 1}" for label in years]
    return {
        "year": plan.year,
        "as_at": plan.as_at,
        "years": tables,
        "next_year": years[0] if years else "",
        "scenarios": [SCENARIO_WORDS[s] for s in SCENARIOS],
        "numbers": numbers,
        "marches": headings,
        "inflation": inflation_rows(plan, names),
        "used_published": plan.used_published,
        "published": published_words(plan),
    }


def published_words(plan: AuthorityMtfp) -> str:
    """Which weight the published 31 March numbers were given and why, in a sentence."""
    blend = plan.blend
    if blend is None:
        return ""
    said = f"Our published numbers of children looked after at 31 March: {blend.reason}."
    if blend.published_last and blend.published_end:
        (last, number), (end, forecast) = blend.published_last, blend.published_end
        said += (
            f" They were {wording.count(number)} on 31 March {last}, the last year published by the as-at date, "
            f"and are forecast at {wording.count(forecast)} on 31 March {end}."
        )
    return said


def inflation_rows(plan: AuthorityMtfp, names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "type": names.get(code, code),
            "weekly": wording.money(weekly),
            "rates": [wording.percent(plan.settings.rate(s, code)) for s in SCENARIOS],
        }
        for code, weekly in sorted(plan.settings.weekly_costs.items(), key=lambda kv: names.get(kv[0], kv[0]))
    ]
