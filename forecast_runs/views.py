"""Forecast runs: the Run forecast button, progress, the results page and its downloads."""

from __future__ import annotations

import pandas as pd
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from core.exports import table_download
from forecast_runs import backtest_page as backtest_page_tables
from forecast_runs import backtest_sections
from forecast_runs import selectors as run_selectors
from forecast_runs.backtests import backtest_request, replay_words
from forecast_runs.demand.methods import LABELS as METHOD_WORDS
from forecast_runs.dispatch import backtest_dispatch, forecast_run_request
from forecast_runs.downloads import run_download_table
from forecast_runs.forms import run_request_form, scenario_picker
from forecasting import selectors
from forecasting.download_titles import run_title
from forecasting.engine.result import EXPORT_COLUMNS
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.forms import year_picker
from forecasting.models import BacktestReport, FinancialYear, ForecastRun, ScenarioAssumption
from forecasting.period_rules import PeriodNotReadyError

SCENARIO_METHOD_WORDS = dict(ScenarioAssumption.DemandMethod.choices)
DOWNLOADS = (
    "lines",
    "placements",
    "workforce",
    "savings",
    "variance_explained",
    "models_used",
    "movement",
    "likely_range",
)
DOWNLOAD_WORDS = {"likely_range": "Likely range (middle scenario)"}


@role_required(*STAFF_READERS)
def runs(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year = selectors.year_for(authority=authority, label=request.GET.get("year"))
    recent = (
        ForecastRun.objects.filter(authority=authority, year=year).select_related("requested_by")[:30] if year else []
    )
    latest_closed = year.periods.exclude(status="open").order_by("-number").first() if year is not None else None
    years = FinancialYear.objects.filter(authority=authority)
    return render(
        request,
        "forecast_runs/runs.html",
        {
            "year": year,
            "years": years,
            "year_picker": year_picker(years, year),
            "run_form": run_request_form(year, latest_closed.number if latest_closed else 0) if year else None,
            "runs": recent,
        },
    )


@require_POST
@role_required(*FINANCE)
def run_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year = selectors.year_for(authority=authority, label=request.POST.get("year"))
    try:
        period = int(request.POST.get("period", ""))
    except ValueError:
        period = -1
    if year is None or not 0 <= period <= 12:
        messages.error(request, "Choose a financial year and a period from 0 to 12.")
        return redirect("forecast_runs:runs")
    try:
        run = forecast_run_request(authority=authority, year=year, period=period, user=request.user)
    except PeriodNotReadyError as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('forecast_runs:runs')}?{urlencode({'year': year.label})}")
    return redirect("forecast_runs:run", run_id=run.pk)


@role_required(*STAFF_READERS)
def run_status(request: AuthenticatedHttpRequest, run_id: int) -> JsonResponse:
    run = run_selectors.run_for(authority=authority_of(request), run_id=run_id)
    return JsonResponse(
        {
            "status": run.status,
            "label": run.get_status_display(),
            "stage": run.stage,
            "progress": run.progress,
            "finished": run.is_finished,
            "error": run.error,
        }
    )


def _scenario(request: AuthenticatedHttpRequest) -> str:
    name = request.GET.get("scenario", REPORTED_SCENARIO)
    return name if name.replace("_", "").replace("-", "").isalnum() else REPORTED_SCENARIO


@role_required(*STAFF_READERS)
def run_detail(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    authority = authority_of(request)
    run = run_selectors.run_for(authority=authority, run_id=run_id)
    scenario = _scenario(request)
    context: dict[str, object] = {"run": run, "scenario": scenario}
    if run.status == ForecastRun.Status.SUCCEEDED:
        previous = run_selectors.latest_finished_run(authority=authority, year=run.year, before=run)
        heads = run_selectors.headlines(run)
        context.update(
            {
                "headlines": heads,
                "scenario_picker": scenario_picker([h.scenario for h in heads], scenario),
                "services": run_selectors.lines_by_service(run, scenario),
                "previous": previous,
                "movement": [
                    r
                    for r in run_selectors.movement_since(run, previous, scenario).to_dict("records")
                    if r.get("movement")
                ],
                "placements": _placement_summary(run, scenario),
                "workforce": _workforce_summary(run, scenario),
                "savings": run_selectors.table(run, "savings", scenario).to_dict("records"),
                "explained": run_selectors.table(run, "variance_explained", scenario).to_dict("records"),
                "models": _models(run_selectors.table(run, "models_used", scenario)),
                "assumption_rows": run.assumptions.get("rows", []),
                "downloads": [
                    (name, DOWNLOAD_WORDS.get(name, name.replace("_", " ").capitalize())) for name in DOWNLOADS
                ],
            }
        )
    return render(request, "forecast_runs/run_detail.html", context)


def _models(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The models used, the method in words; `auto` names the method the back-test chose."""
    rows: list[dict[str, object]] = frame.to_dict("records")
    for row in rows:
        asked = str(row.get("demand_method") or "")
        chosen = str(row.get("chosen_method") or "")
        row["method_words"] = (
            f"chosen by our own back-test: {METHOD_WORDS.get(chosen, chosen)}"
            if asked == "auto"
            else SCENARIO_METHOD_WORDS.get(asked, asked)
        )
    return rows


def _placement_summary(run: ForecastRun, scenario: str) -> list[dict[str, object]]:
    """Per placement type: actual month-end at the as-at period, March projection, cost for the year."""
    frame = run_selectors.table(run, "placements", scenario)
    if frame.empty:
        return []
    rows = []
    for code, group in frame.groupby("placement_type", sort=True):
        group = group.sort_values("period")
        at = group[group["period"] == run.period]
        march = group[group["period"] == 12]
        rows.append(
            {
                "placement_type": code,
                "now": float(at["month_end_number"].iloc[0]) if len(at) else None,
                "march": float(march["month_end_number"].iloc[0]) if len(march) else None,
                "march_p10": march["number_p10"].iloc[0] if len(march) and "number_p10" in march else None,
                "march_p90": march["number_p90"].iloc[0] if len(march) and "number_p90" in march else None,
                "average": round(float(group["average_number"].mean()), 1),
                "net_cost": int(group["net_cost"].sum()),
            }
        )
    return rows


def _workforce_summary(run: ForecastRun, scenario: str) -> list[dict[str, object]]:
    frame = run_selectors.table(run, "workforce", scenario)
    if frame.empty:
        return []
    rows = []
    for team, group in frame.groupby("team", sort=True):
        at = group[group["period"] == max(run.period, 1)]
        march = group[group["period"] == 12]
        rows.append(
            {
                "team": team,
                "agency_now": float(at["agency_fte"].iloc[0]) if len(at) else None,
                "agency_march": float(march["agency_fte"].iloc[0]) if len(march) else None,
                "vacancies": float(at["vacancies"].iloc[0]) if len(at) else None,
                "cost": int(group["total_cost"].sum()),
            }
        )
    return rows


@role_required(*STAFF_READERS)
def run_download(request: AuthenticatedHttpRequest, run_id: int, table: str, fmt: str) -> HttpResponse:
    authority = authority_of(request)
    run = run_selectors.run_for(authority=authority, run_id=run_id)
    if table not in DOWNLOADS or fmt not in ("csv", "xlsx") or run.status != ForecastRun.Status.SUCCEEDED:
        return HttpResponse(status=404)
    scenario = _scenario(request)
    previous = run_selectors.latest_finished_run(authority=authority, year=run.year, before=run)
    download = run_download_table(run, table, scenario=scenario, previous=previous)
    what = DOWNLOAD_WORDS.get(table, table.replace("_", " ").capitalize())
    if table == "movement":
        what = f"{what} since run {previous.pk} ({scenario} scenario)" if previous else f"{what} ({scenario} scenario)"
    return table_download(
        download.frame,
        filename=f"forecast-run-{run.pk}-{table}",
        fmt=fmt,
        title=run_title(run, what),
        money=download.money,
        file_columns=table in EXPORT_COLUMNS,
    )


@role_required(*STAFF_READERS)
def backtest_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How good each demand method has been on this authority's history, the method and range
    each forecast uses, and how published forecasts compared with the outturn."""
    authority = authority_of(request)
    if request.method == "POST":
        user = request.user
        if not user.is_finance_officer:
            return HttpResponse(status=403)
        year = selectors.year_for(authority=authority)
        closed = year.periods.exclude(status="open").order_by("-number").first() if year else None
        if year is None:
            messages.error(request, "Load a budget and placements before back-testing.")
            return redirect("forecast_runs:backtest")
        as_at = year.calendar.as_at_date(closed.number if closed else 0)
        report = backtest_request(authority=authority, as_at=as_at, user=user)
        backtest_dispatch(report_id=report.pk)
        messages.success(request, f"Back-test as at {as_at:%d %B %Y} requested; it takes a minute or two.")
        return redirect("forecast_runs:backtest")
    reports = list(BacktestReport.objects.filter(authority=authority)[:10])
    latest = backtest_page_tables.latest_report(reports)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        name = request.GET.get("table", "")
        tables = backtest_page_tables.backtest_tables(latest) if latest else {}
        if name not in tables or latest is None:
            raise Http404("No such table")
        title = backtest_page_tables.backtest_title(authority.name, latest, name)
        return table_download(tables[name], filename=f"backtest-{latest.as_at:%Y-%m-%d}-{name}", fmt=fmt, title=title)
    return render(
        request,
        "forecast_runs/backtest.html",
        {
            "reports": reports,
            "latest": latest,
            "rows": backtest_page_tables.accuracy_rows(latest) if latest else [],
            "horizons": backtest_page_tables.HORIZONS,
            "choices": backtest_page_tables.choices(latest, backtest_page_tables.type_names()) if latest else [],
            "reported": backtest_page_tables.reported_words(latest) if latest else "",
            "replay": replay_words(latest) if latest else None,
            "sections": backtest_sections.sections(authority=authority),
        },
    )
