"""Reads for the period dashboard, the committee view and the PDF.

`dashboard_document(run, scenario)` turns one finished forecast run into a JSON-able document:
headline figures, services and lines, and every chart as {title, summary, table, figure}. The
table rows and the figure are made from the same frame (charts.py), so the screen, the PDF and
the CSV export show the same numbers. The director's dashboard shows the document of the latest
run; signing off copies it, with commentary, movement and accuracy, into the published period,
and from then on the committee view and the PDF read only that copy.

Figures come from the run's stored tables (placements by type and month, workforce by team and
month, savings, variance explained). A few drivers the run does not store — past years' children
in care, high-cost placements, agency workers by reason, vacancy rates and caseloads — are read
from the register and workforce lists as they stand, limited to dates up to the as-at date;
publishing freezes them with the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from accounts.models import Authority
from core.parsing import format_date_uk
from dashboards import charts
from dashboards.models import PublishedPeriod, ServiceCommentary
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.models import BudgetLine, FinancialYear, ForecastLineResult, ForecastRun, ForecastTable

log = logging.getLogger(__name__)

SCENARIO_ORDER = ("best", "middle", "worst")
REPORTED = "middle"
DOCUMENT_SCHEMA = 1
CACHE_SECONDS = 600
HIGH_COST_THRESHOLD = 410_000  # pence a week (FORECAST.md, High-cost placements)
HIGH_COST_EXCLUDED = ("secure",)
FAN_TYPES = 3  # fan charts for the types with the largest net cost
MIX_GROUPS = 3  # named types in the mix chart; the rest are "All other types"
PAST_YEARS = 2
SERVICE_KEYS = ("budget", "actual_ytd", "outturn", "variance")
STATUS_LABELS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "undeliverable": "Undeliverable",
    "absorbed": "Absorbed",
}
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "": "No RAG"}
REASON_LABELS = {
    "vacancy": "Vacancy",
    "additional_capacity": "Additional capacity",
    "asye_cover": "ASYE cover",
    "long_term_sickness": "Long-term sickness",
    "maternity": "Maternity",
    "suspension": "Suspension",
    "": "No reason recorded",
}


# --------------------------------------------------------------------------------------------
# Which run, which periods
# --------------------------------------------------------------------------------------------


def years_of(*, authority: Authority) -> list[FinancialYear]:
    return list(FinancialYear.objects.filter(authority=authority).order_by("-start_year"))


def year_of(*, authority: Authority, label: str | None) -> FinancialYear | None:
    """The named year, else the latest year with a finished run, else the latest year."""
    years = FinancialYear.objects.filter(authority=authority)
    if label:
        return years.filter(label=label).first()
    with_runs = years.filter(forecast_runs__status=ForecastRun.Status.SUCCEEDED).order_by("-start_year").first()
    return with_runs or years.order_by("-start_year").first()


def periods_with_runs(*, authority: Authority, year: FinancialYear) -> list[int]:
    return sorted(
        set(
            ForecastRun.objects.filter(authority=authority, year=year, status=ForecastRun.Status.SUCCEEDED).values_list(
                "period", flat=True
            )
        )
    )


def run_for_period(
    *, authority: Authority, year: FinancialYear, period: int | None, run_id: int | None = None
) -> ForecastRun | None:
    """The run the dashboard shows: the one asked for, else the latest finished run as at the
    period (the latest period with a run when none is given)."""
    runs = ForecastRun.objects.filter(authority=authority, year=year, status=ForecastRun.Status.SUCCEEDED)
    if run_id is not None:
        run = runs.select_related("year", "requested_by").filter(pk=run_id).first()
        if run is None:
            raise Http404("No such finished forecast run")
        return run
    if period is not None:
        runs = runs.filter(period=period)
    return runs.select_related("year", "requested_by").order_by("-period", "-finished_at", "-id").first()


def published_versions(*, authority: Authority, year: FinancialYear | None = None) -> list[PublishedPeriod]:
    """Every published version, newest period first, without the (large) documents."""
    rows = PublishedPeriod.objects.filter(authority=authority).select_related("year").defer("document")
    if year is not None:
        rows = rows.filter(year=year)
    return list(rows.order_by("-year__start_year", "-period", "-version"))


def current_versions(*, authority: Authority) -> list[PublishedPeriod]:
    """The newest version of each published period (what the committee reads by default)."""
    seen: set[tuple[int, int]] = set()
    out = []
    for row in published_versions(authority=authority):
        if (row.year_id, row.period) not in seen:
            seen.add((row.year_id, row.period))
            out.append(row)
    return out


def published_for(*, authority: Authority, published_id: int) -> PublishedPeriod:
    try:
        return PublishedPeriod.objects.select_related("year", "run", "signed_off_by").get(
            pk=published_id, authority=authority
        )
    except PublishedPeriod.DoesNotExist:
        raise Http404("No such published period") from None


def latest_version_number(*, authority: Authority, year: FinancialYear, period: int) -> int:
    found = PublishedPeriod.objects.filter(authority=authority, year=year, period=period).aggregate(v=Max("version"))
    return int(found["v"] or 0)


def newer_version_of(published: PublishedPeriod) -> PublishedPeriod | None:
    return (
        PublishedPeriod.objects.filter(
            authority_id=published.authority_id,
            year_id=published.year_id,
            period=published.period,
            version__gt=published.version,
        )
        .defer("document")
        .order_by("-version")
        .first()
    )


def previous_published(*, authority: Authority, year: FinancialYear, period: int) -> PublishedPeriod | None:
    """The newest version of the latest earlier period of the same year that was published."""
    return (
        PublishedPeriod.objects.filter(authority=authority, year=year, period__lt=period)
        .order_by("-period", "-version")
        .first()
    )


def commentary_for(*, authority: Authority, year: FinancialYear, period: int) -> dict[str, ServiceCommentary]:
    rows = ServiceCommentary.objects.filter(authority=authority, year=year, period=period).select_related("updated_by")
    return {row.service_area: row for row in rows}


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    run: ForecastRun
    scenario: str
    calendar: Calendar
    lines: pd.DataFrame  # every scenario
    tables: dict[str, pd.DataFrame]
    type_names: dict[str, str]
    care_leaver_types: set[str]
    line_types: dict[str, str]  # line code -> placement type code
    line_teams: dict[str, str]  # line code -> team code
    memo: dict[str, Any] = field(default_factory=dict)  # frames read once per build

    @property
    def period(self) -> int:
        return int(self.run.period)

    def month(self, period: int) -> str:
        return f"{self.calendar.month_start(period):%b %Y}"

    def table(self, name: str) -> pd.DataFrame:
        frame = self.tables.get(name, pd.DataFrame())
        if not frame.empty and "scenario" in frame.columns:
            frame = frame[frame["scenario"] == self.scenario]
        return frame


def _pct(variance: int, budget: int) -> float | None:
    return round(variance / abs(budget) * 100, 2) if budget else None


def _column(key: str, label: str, kind: str = "text") -> dict[str, str]:
    return {"key": key, "label": label, "kind": kind}


def _records(frame: pd.DataFrame, columns: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Table rows as plain JSON values: ints for money, floats rounded for numbers."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for column in columns:
            value = row.get(column["key"])
            if value is None or (isinstance(value, float) and np.isnan(value)):
                clean[column["key"]] = None
            elif column["kind"] == "money":
                clean[column["key"]] = int(value)
            elif column["kind"] in ("number", "percent"):
                clean[column["key"]] = round(float(value), 2)
            elif isinstance(value, np.integer | np.floating | np.bool_):
                clean[column["key"]] = value.item()
            else:
                clean[column["key"]] = value
        out.append(clean)
    return out


def _chart(
    key: str,
    section: str,
    title: str,
    summary: str,
    frame: pd.DataFrame,
    columns: list[dict[str, str]],
    draw: Callable[[pd.DataFrame], Any] | None,
    caption: str = "",
) -> dict[str, Any]:
    """A chart: its table rows and its figure, drawn from the same frame after rounding numbers to
    the two places the table shows, so the figure plots exactly the table's numbers."""
    shown = frame.copy()
    for column in columns:
        if column["kind"] in ("number", "percent") and column["key"] in shown.columns:
            shown[column["key"]] = [
                None if v is None or pd.isna(v) else round(float(v), 2) for v in shown[column["key"]]
            ]
            shown[column["key"]] = shown[column["key"]].astype(object)
    return {
        "key": key,
        "section": section,
        "title": title,
        "summary": summary,
        "figure": charts.figure_json(draw(shown)) if draw is not None else None,
        "table": {"caption": caption or title, "columns": columns, "rows": _records(shown, columns)},
    }


def _load(run: ForecastRun, scenario: str) -> _Context:
    lines = pd.DataFrame(
        list(
            ForecastLineResult.objects.filter(run=run).values(
                "scenario",
                "line_code",
                "line_name",
                "service_area",
                "category",
                "annual_budget",
                "actual_ytd",
                "committed_remaining",
                "projected_change",
                "savings_adjustment",
                "forecast_outturn",
                "variance",
            )
        )
    )
    tables = {
        t.name: pd.DataFrame(t.rows, columns=t.columns)
        for t in ForecastTable.objects.filter(
            run=run, name__in=("placements", "workforce", "savings", "variance_explained", "models_used")
        )
    }
    from placements.models import PlacementType

    type_rows = list(PlacementType.objects.values_list("code", "name", "continues_after_18"))
    line_rows = BudgetLine.objects.filter(authority_id=run.authority_id).values_list(
        "code", "placement_type__code", "team_code"
    )
    return _Context(
        run=run,
        scenario=scenario,
        calendar=run.year.calendar,
        lines=lines,
        tables=tables,
        type_names={code: name for code, name, _ in type_rows},
        care_leaver_types={code for code, _, after18 in type_rows if after18},
        line_types={code: t for code, t, _ in line_rows if t},
        line_teams={code: team for code, _, team in line_rows if team},
    )


def dashboard_document(run: ForecastRun, scenario: str = REPORTED) -> dict[str, Any]:
    """The document for a finished run and scenario, cached per run (a run never changes; the
    register-based drivers may, so the cache lasts minutes, not forever)."""
    key = f"dashboards:document:{DOCUMENT_SCHEMA}:{run.pk}:{run.inputs_hash}:{scenario}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = build_document(run, scenario)
        cache.set(key, document, CACHE_SECONDS)
    return document


def build_document(run: ForecastRun, scenario: str = REPORTED) -> dict[str, Any]:
    if run.status != ForecastRun.Status.SUCCEEDED:
        raise ValueError("Only a finished run has figures to show")
    ctx = _load(run, scenario)
    as_at = ctx.calendar.as_at_date(ctx.period)
    headlines = _headlines(ctx)
    services = _services(ctx)
    department = next((h for h in headlines if h["scenario"] == scenario), None)
    sections: list[dict[str, Any]] = []
    for builder in (
        _children_charts,
        _mix_chart,
        _high_cost_chart,
        _spend_chart,
        _bridge_chart,
        _agency_chart,
        _agency_reason_chart,
        _rates_chart,
        _caseload_chart,
        _savings_charts,
        _scenarios_chart,
    ):
        try:
            sections += builder(ctx)
        except Exception:  # noqa: BLE001 - one driver with odd data must not take the whole page down
            log.exception("dashboard chart %s failed for run %s", builder.__name__, run.pk)
    return {
        "schema": DOCUMENT_SCHEMA,
        "meta": {
            "authority": run.authority.name,
            "year": run.year.label,
            "period": ctx.period,
            "as_at": as_at.isoformat(),
            "as_at_text": format_date_uk(as_at),
            "month": ctx.month(ctx.period) if ctx.period else "before April",
            "run_id": run.pk,
            "engine_version": run.engine_version,
            "inputs_hash": run.inputs_hash,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "made_from": run.input_summary,
            "scenario": scenario,
        },
        "headlines": headlines,
        "department": department,
        "services": services,
        "charts": sections,
        "savings": _savings_rows(ctx),
        "models": _records(
            ctx.table("models_used"),
            [
                _column("placement_type", "Placement type"),
                _column("demand_method", "Method"),
                _column("model", "Model"),
                _column("unit_cost_new", "New placement weekly cost", "money"),
            ],
        ),
        "assumptions": list(run.assumptions.get("rows", [])) if isinstance(run.assumptions, dict) else [],
    }


def _headlines(ctx: _Context) -> list[dict[str, Any]]:
    if ctx.lines.empty:
        return []
    totals = ctx.lines.groupby("scenario")[["annual_budget", "actual_ytd", "forecast_outturn"]].sum()
    names = [s for s in SCENARIO_ORDER if s in totals.index] + sorted(
        s for s in totals.index if s not in SCENARIO_ORDER
    )
    out = []
    for name in names:
        budget, outturn = int(totals.loc[name, "annual_budget"]), int(totals.loc[name, "forecast_outturn"])
        out.append(
            {
                "scenario": name,
                "budget": budget,
                "actual_ytd": int(totals.loc[name, "actual_ytd"]),
                "outturn": outturn,
                "variance": outturn - budget,
                "variance_pct": _pct(outturn - budget, budget),
            }
        )
    return out


def _services(ctx: _Context) -> list[dict[str, Any]]:
    frame = ctx.lines[ctx.lines["scenario"] == ctx.scenario] if not ctx.lines.empty else ctx.lines
    services: dict[str, dict[str, Any]] = {}
    for row in frame.sort_values(["service_area", "line_code"]).to_dict("records"):
        group = services.setdefault(
            row["service_area"], {"name": row["service_area"], "lines": [], **{k: 0 for k in SERVICE_KEYS}}
        )
        group["budget"] += int(row["annual_budget"])
        group["actual_ytd"] += int(row["actual_ytd"])
        group["outturn"] += int(row["forecast_outturn"])
        group["variance"] += int(row["variance"])
        group["lines"].append(
            {
                "line_code": row["line_code"],
                "line_name": row["line_name"],
                "category": row["category"],
                "budget": int(row["annual_budget"]),
                "actual_ytd": int(row["actual_ytd"]),
                "committed": int(row["committed_remaining"]),
                "projected": int(row["projected_change"]),
                "savings": int(row["savings_adjustment"]),
                "outturn": int(row["forecast_outturn"]),
                "variance": int(row["variance"]),
                "variance_pct": _pct(int(row["variance"]), int(row["annual_budget"])),
                "placement_type": ctx.line_types.get(row["line_code"]),
                "team": ctx.line_teams.get(row["line_code"]),
            }
        )
    for group in services.values():
        group["variance_pct"] = _pct(group["variance"], group["budget"])
    return list(services.values())


# --- children in care ------------------------------------------------------------------------


def _register_frames(ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    if "register" not in ctx.memo:
        ctx.memo["register"] = _read_register(ctx)
    return ctx.memo["register"]  # type: ignore[no-any-return]


def _read_register(ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    from placements.selectors import placement_register_frame, placement_types_frame

    register = placement_register_frame(authority=ctx.run.authority)
    if register.empty:
        return None
    # Only what was known at the as-at date: rows that had started by then.
    as_at = pd.Timestamp(ctx.calendar.as_at_date(ctx.period))
    register = register[register["start_date"] <= as_at]
    return (register, placement_types_frame()) if len(register) else None


def _past_year_numbers(ctx: _Context, frames: tuple[pd.DataFrame, pd.DataFrame] | None) -> dict[str, list[float]]:
    """Month-end children in care (types that stop at 18) for up to two past years, April..March."""
    if frames is None:
        return {}
    from forecasting.engine.placements import placement_kpis

    register, types = frames
    first = Calendar(ctx.calendar.start_year - PAST_YEARS)
    last = Calendar(ctx.calendar.start_year - 1)
    kpis = placement_kpis(register, types, months_from=first.start, months_to=last.end)
    kpis = kpis[~kpis["placement_type"].isin(ctx.care_leaver_types)]
    by_month = kpis.groupby("month")["month_end_number"].sum()
    out: dict[str, list[float]] = {}
    for back in range(PAST_YEARS, 0, -1):
        year = Calendar(ctx.calendar.start_year - back)
        values = [float(by_month.get(year.month_label(p), 0)) for p in range(1, 13)]
        if any(values):
            out[year.label] = values
    return out


def _budgeted_numbers(ctx: _Context) -> dict[str, float]:
    explained = ctx.table("variance_explained")
    out: dict[str, float] = {}
    if explained.empty or "budget_numbers" not in explained.columns:
        return out
    for row in explained.to_dict("records"):
        code = ctx.line_types.get(row["line_code"])
        if code and row.get("budget_numbers") is not None and not pd.isna(row["budget_numbers"]):
            out[code] = out.get(code, 0.0) + float(row["budget_numbers"])
    return out


def _year_series(group: pd.DataFrame, period: int) -> tuple[list[float | None], list[float | None]]:
    """Actual month-end numbers to the as-at period and the forecast after it; the forecast
    starts at the last actual so that the two lines meet."""
    values = {int(p): float(v) for p, v in zip(group["period"], group["month_end_number"], strict=True)}
    actual = [values.get(p) if p <= period else None for p in range(1, 13)]
    forecast = [values.get(p) if p > period or (p == period and period > 0) else None for p in range(1, 13)]
    return actual, forecast


def _money(pence: Any) -> str:
    """Whole pounds as the pages write them: £1,234 or -£1,234."""
    from core.templatetags.outturn import pounds

    return pounds(int(pence))


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:,.0f}"


def _children_charts(ctx: _Context) -> list[dict[str, Any]]:
    placements = ctx.table("placements")
    if placements.empty:
        return []
    months = [ctx.month(p) for p in range(1, 13)]
    frames = _register_frames(ctx)
    out = []
    in_care = placements[~placements["placement_type"].isin(ctx.care_leaver_types)]
    total = in_care.groupby("period", as_index=False)["month_end_number"].sum()
    actual, forecast = _year_series(total, ctx.period)
    frame = pd.DataFrame({"month": months, "actual": actual, "forecast": forecast})
    budgeted = _budgeted_numbers(ctx)
    in_care_budget = sum(v for k, v in budgeted.items() if k not in ctx.care_leaver_types)
    if in_care_budget:
        frame["budgeted"] = in_care_budget
    past = _past_year_numbers(ctx, frames)
    for label, values in past.items():
        frame[f"past:{label}"] = values
    columns = [
        _column("month", "Month"),
        _column("actual", f"{ctx.run.year.label} actual", "number"),
        _column("forecast", f"{ctx.run.year.label} forecast", "number"),
    ]
    if in_care_budget:
        columns.append(_column("budgeted", "Budgeted", "number"))
    columns += [_column(f"past:{label}", f"{label} actual", "number") for label in past]
    now = actual[ctx.period - 1] if ctx.period else None
    summary = (
        f"Children in care: {_fmt(now)} at {format_date_uk(ctx.calendar.as_at_date(ctx.period))}, "
        f"forecast {_fmt(forecast[11])} at March"
    )
    if in_care_budget:
        summary += f" against {_fmt(in_care_budget)} budgeted"
    if past:
        last_label = list(past)[-1]
        summary += f"; {_fmt(past[last_label][11])} at March in {last_label}"
    out.append(
        _chart(
            "children",
            "Children in care",
            "Children in care: month-end numbers",
            summary + ".",
            frame,
            columns,
            lambda f: charts.numbers_over_year_figure(f),
            caption="Children in care at each month end (placement types that stop at 18)",
        )
    )

    # Fans for the types that cost the most.
    cost = placements.groupby("placement_type")["net_cost"].sum().sort_values(ascending=False)
    for code in [c for c, v in cost.items() if v > 0][:FAN_TYPES]:
        group = placements[placements["placement_type"] == code].sort_values("period")
        actual, forecast = _year_series(group, ctx.period)
        p10 = {int(p): v for p, v in zip(group["period"], group["number_p10"], strict=True)}
        p90 = {int(p): v for p, v in zip(group["period"], group["number_p90"], strict=True)}

        def edge(values: dict[int, Any], p: int, fallback: float | None) -> float | None:
            if p < ctx.period:
                return None
            if p == ctx.period:
                return fallback  # the fan opens from the last actual number
            value = values.get(p)
            return None if value is None or pd.isna(value) else float(value)

        low = [edge(p10, p, actual[p - 1] if p else None) for p in range(1, 13)]
        high = [edge(p90, p, actual[p - 1] if p else None) for p in range(1, 13)]
        has_band = any(v is not None for p, v in enumerate(low, start=1) if p > ctx.period)
        if not has_band:
            low = high = [None] * 12
        frame = pd.DataFrame(
            {"month": months, "actual": actual, "forecast": forecast, "p10": low, "p90": high}, dtype=object
        )
        if code in budgeted:
            frame["budgeted"] = budgeted[code]
        name = ctx.type_names.get(code, code)
        now = actual[ctx.period - 1] if ctx.period else None
        when = format_date_uk(ctx.calendar.as_at_date(ctx.period))
        summary = f"{name}: {_fmt(now)} at {when}, forecast {_fmt(forecast[11])}"
        if has_band:
            summary += f" (range {_fmt(low[11])}–{_fmt(high[11])})"
        summary += " at March"
        if code in budgeted:
            summary += f"; {_fmt(budgeted[code])} budgeted"
        if not has_band:
            summary += ". This scenario's method gives no 10–90% range"
        columns = [
            _column("month", "Month"),
            _column("actual", "Actual", "number"),
            _column("forecast", "Forecast", "number"),
            _column("p10", "10% (low)", "number"),
            _column("p90", "90% (high)", "number"),
        ]
        if code in budgeted:
            columns.append(_column("budgeted", "Budgeted", "number"))
        chart = _chart(
            f"fan-{code}",
            "Children in care",
            f"{name}: actual and forecast numbers",
            summary + ".",
            frame,
            columns,
            lambda f: charts.fan_figure(f),
            caption=f"{name}: month-end numbers, forecast and its 10–90% range",
        )
        chart["placement_type"] = code
        out.append(chart)
    return out


def _mix_chart(ctx: _Context) -> list[dict[str, Any]]:
    placements = ctx.table("placements")
    if placements.empty:
        return []
    in_care = placements[~placements["placement_type"].isin(ctx.care_leaver_types)]
    at = max(ctx.period, 1)
    size = in_care[in_care["period"] == at].groupby("placement_type")["month_end_number"].sum()
    size = size[size > 0].sort_values(ascending=False)
    if size.empty:
        return []
    named = list(size.index[:MIX_GROUPS])
    pivot = in_care.pivot_table(index="period", columns="placement_type", values="month_end_number", aggfunc="sum")
    pivot = pivot.reindex(range(1, 13)).fillna(0.0)
    frame = pd.DataFrame({"month": [ctx.month(p) for p in range(1, 13)]})
    columns = [_column("month", "Month")]
    for code in named:
        label = ctx.type_names.get(code, code)
        frame[label] = pivot[code].to_numpy()
        columns.append(_column(label, label, "number"))
    others = [c for c in pivot.columns if c not in named]
    if others and pivot[others].to_numpy().any():
        frame["All other types"] = pivot[others].sum(axis=1).to_numpy()
        columns.append(_column("All other types", "All other types", "number"))
    total = float(size.sum())
    shares = ", ".join(f"{ctx.type_names.get(c, c)} {size[c] / total:.0%}" for c in named)
    when = ctx.month(at)
    summary = (
        f"Placement mix at {when}: {shares} of {total:,.0f} children in care. Months after "
        f"{ctx.month(ctx.period) if ctx.period else 'March'} are forecast."
    )
    return [
        _chart(
            "mix",
            "Children in care",
            "Placement mix over the year",
            summary,
            frame,
            columns,
            lambda f: charts.stacked_numbers_figure(f),
            caption="Children in care at each month end by placement type (actual, then forecast)",
        )
    ]


def _high_cost_chart(ctx: _Context) -> list[dict[str, Any]]:
    if ctx.period == 0:
        return []
    frames = _register_frames(ctx)
    if frames is None:
        return []
    from forecasting.engine.placements import effective_end, placement_kpis

    register, types = frames
    kpis = placement_kpis(
        register,
        types,
        months_from=ctx.calendar.start,
        months_to=ctx.calendar.month_end(ctx.period),
        high_cost_threshold=HIGH_COST_THRESHOLD,
        high_cost_excluded_types=HIGH_COST_EXCLUDED,
    )
    by_month = kpis.groupby("month")[["high_cost_number", "high_cost_cost"]].sum()
    ends = effective_end(register, types)
    high = (
        (register["weekly_cost"] > HIGH_COST_THRESHOLD)
        & ~register["uasc"]
        & ~register["placement_type"].isin(HIGH_COST_EXCLUDED)
    )
    rows = []
    for p in range(1, ctx.period + 1):
        day = pd.Timestamp(ctx.calendar.month_end(p))
        active = high & (register["start_date"] <= day) & (ends.isna() | (ends > day))
        rates = register.loc[active, "weekly_cost"]
        label = ctx.calendar.month_label(p)
        rows.append(
            {
                "month": ctx.month(p),
                "number": float(by_month.loc[label, "high_cost_number"]) if label in by_month.index else 0.0,
                "gross_cost": int(by_month.loc[label, "high_cost_cost"]) if label in by_month.index else 0,
                "average_weekly_cost": int(round(float(rates.mean()))) if len(rates) else None,
            }
        )
    frame = pd.DataFrame(rows)
    if not frame["number"].any():
        return []
    last = rows[-1]
    summary = (
        f"High-cost placements (over £{HIGH_COST_THRESHOLD // 100:,} a week, excluding secure and "
        f"unaccompanied asylum-seeking children): {last['number']:,.0f} at "
        f"{format_date_uk(ctx.calendar.month_end(ctx.period))}, average weekly rate "
        f"{'none' if last['average_weekly_cost'] is None else _money(last['average_weekly_cost'])}"
        f"; {_money(frame['gross_cost'].sum())} spent on them so far this year."
    )
    columns = [
        _column("month", "Month"),
        _column("number", "Number at month end", "number"),
        _column("gross_cost", "Gross cost in month", "money"),
        _column("average_weekly_cost", "Average weekly rate", "money2"),
    ]
    return [
        _chart(
            "high-cost",
            "Children in care",
            "High-cost placements",
            summary,
            frame,
            columns,
            lambda f: charts.high_cost_figure(f),
            caption="High-cost placements by month (actual)",
        )
    ]


# --- money -----------------------------------------------------------------------------------


def _spend_chart(ctx: _Context) -> list[dict[str, Any]]:
    frame = (
        ctx.lines[(ctx.lines["scenario"] == ctx.scenario) & (ctx.lines["category"] == "placements")]
        if not ctx.lines.empty
        else ctx.lines
    )
    if frame.empty:
        return []
    frame = frame.sort_values("annual_budget", ascending=False)
    frame = pd.DataFrame(
        {
            "line": [f"{n}" for n in frame["line_name"]],
            "line_code": frame["line_code"].tolist(),
            "budget": frame["annual_budget"].astype("int64").tolist(),
            "actual_ytd": frame["actual_ytd"].astype("int64").tolist(),
            "forecast_outturn": frame["forecast_outturn"].astype("int64").tolist(),
            "variance": frame["variance"].astype("int64").tolist(),
        }
    )
    biggest = frame.loc[frame["variance"].abs().idxmax()]
    direction = "overspend" if biggest["variance"] > 0 else "underspend"
    summary = (
        f"Placements: budget {_money(frame['budget'].sum())}, spent {_money(frame['actual_ytd'].sum())} "
        f"to date, forecast outturn {_money(frame['forecast_outturn'].sum())}. The largest variance is "
        f"{biggest['line']}: {_money(abs(biggest['variance']))} {direction}."
    )
    columns = [
        _column("line", "Placement line"),
        _column("budget", "Budget", "money"),
        _column("actual_ytd", "Actual to date", "money"),
        _column("forecast_outturn", "Forecast outturn", "money"),
        _column("variance", "Variance", "money"),
    ]
    return [
        _chart(
            "spend",
            "Spend and variance",
            "Spend by placement type",
            summary,
            frame,
            columns,
            lambda f: charts.money_bars_figure(
                f,
                category="line",
                horizontal=True,
                series=(
                    ("budget", "Budget"),
                    ("actual_ytd", "Actual to date"),
                    ("forecast_outturn", "Forecast outturn"),
                ),
            ),
            caption="Placement lines: budget, actual to date and forecast outturn",
        )
    ]


def _bridge_chart(ctx: _Context) -> list[dict[str, Any]]:
    if ctx.lines.empty:
        return []
    lines = ctx.lines[ctx.lines["scenario"] == ctx.scenario]
    budget, outturn = int(lines["annual_budget"].sum()), int(lines["forecast_outturn"].sum())
    explained = ctx.table("variance_explained")
    volume = int(explained["volume"].sum()) if not explained.empty else 0
    price = int(explained["price"].sum()) if not explained.empty else 0
    other = outturn - budget - volume - price
    frame = pd.DataFrame(
        {
            "step": ["Budget", "Volume (numbers)", "Price (weekly cost)", "Other", "Forecast outturn"],
            "amount": [budget, volume, price, other, outturn],
            "measure": ["absolute", "relative", "relative", "relative", "total"],
        }
    )

    def signed(pence: int) -> str:
        return f"{_money(abs(pence))} {'more' if pence > 0 else 'less' if pence < 0 else 'change'}"

    summary = (
        f"Budget {_money(budget)}; volume {signed(volume)}; price {signed(price)}; other {signed(other)}; "
        f"forecast outturn {_money(outturn)} (variance {_money(outturn - budget)})."
    )
    columns = [_column("step", "Step"), _column("amount", "Amount", "money")]
    out = [
        _chart(
            "bridge",
            "Spend and variance",
            "Variance bridge: budget to forecast outturn",
            summary,
            frame,
            columns,
            lambda f: charts.bridge_figure(f),
            caption="From budget to forecast outturn: volume and price on placement lines with budgeted numbers, "
            "then everything else",
        )
    ]
    if not explained.empty:
        names = dict(zip(lines["line_code"], lines["line_name"], strict=True))
        by_line = explained.assign(line=explained["line_code"].map(lambda c: names.get(c, c)))
        columns = [
            _column("line", "Line"),
            _column("budget", "Budget", "money"),
            _column("volume", "Volume", "money"),
            _column("price", "Price", "money"),
            _column("other", "Other", "money"),
            _column("forecast", "Forecast outturn", "money"),
        ]
        out.append(
            _chart(
                "explained",
                "Spend and variance",
                "Variance explained by line",
                "For each placement line with "
                "budgeted numbers: volume is the cost of more or fewer children than budgeted, price the "
                "cost of a different average weekly cost; other is the rest of the line's variance.",
                by_line,
                columns,
                None,
                caption="Variance explained: volume, price and other by line",
            )
        )
    return out


# --- workforce -------------------------------------------------------------------------------


def _agency_chart(ctx: _Context) -> list[dict[str, Any]]:
    workforce = ctx.table("workforce")
    if workforce.empty or not workforce["agency_fte"].any():
        return []
    total = workforce.groupby("period", as_index=False)[["agency_fte", "permanent_fte", "vacancies"]].sum()
    values = {int(p): float(v) for p, v in zip(total["period"], total["agency_fte"], strict=True)}
    actual = [values.get(p) if p <= ctx.period else None for p in range(1, 13)]
    trajectory = [values.get(p) if p >= max(ctx.period, 1) else None for p in range(1, 13)]
    frame = pd.DataFrame(
        {
            "month": [ctx.month(p) for p in range(1, 13)],
            "actual": actual,
            "trajectory": trajectory,
            "permanent": total.set_index("period")["permanent_fte"].reindex(range(1, 13)).tolist(),
        }
    )
    now = actual[ctx.period - 1] if ctx.period else None
    summary = (
        f"Agency social workers: {_fmt(now)} FTE at {format_date_uk(ctx.calendar.as_at_date(ctx.period))}, "
        f"{_fmt(trajectory[11])} FTE by March on the trajectory."
    )
    columns = [
        _column("month", "Month"),
        _column("actual", "Agency FTE (actual)", "number"),
        _column("trajectory", "Agency FTE (trajectory)", "number"),
        _column("permanent", "Permanent FTE", "number"),
    ]
    return [
        _chart(
            "agency",
            "Social work staffing",
            "Agency workers against the trajectory",
            summary,
            frame,
            columns,
            lambda f: charts.fte_lines_figure(
                f, series=(("actual", "Agency FTE (actual)"), ("trajectory", "Agency FTE (trajectory)"))
            ),
            caption="Agency FTE by month: actual, then the scenario's trajectory",
        )
    ]


def _workforce_frames(ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    if "workforce" not in ctx.memo:
        from workforce.selectors import current_frames

        workers, posts, teams = current_frames(authority=ctx.run.authority, level="team")
        ctx.memo["workforce"] = (workers, posts, teams) if len(workers) or len(posts) else None
    return ctx.memo["workforce"]  # type: ignore[no-any-return]


def _team_kpis(ctx: _Context) -> pd.DataFrame | None:
    """The workforce KPIs by team at the as-at date, with the engine's arithmetic (the same as the
    workforce KPI page): rates, vacancies, average and manageable caseloads."""
    frames = _workforce_frames(ctx)
    if frames is None:
        return None
    if "team_kpis" not in ctx.memo:
        from forecasting.engine.workforce import workforce_kpis

        workers, posts, teams = frames
        kpis = workforce_kpis(workers, posts, ctx.calendar.as_at_date(ctx.period), teams=teams, by="team")
        names = dict(zip(teams["team"], teams["team_name"], strict=True))
        ctx.memo["team_kpis"] = kpis.assign(team_name=kpis["group"].map(lambda t: names.get(t, t)))
    return ctx.memo["team_kpis"]


def _active_on(workers: pd.DataFrame, day: date) -> pd.DataFrame:
    stamp = pd.Timestamp(day)
    return workers[(workers["start_date"] <= stamp) & (workers["end_date"].isna() | (workers["end_date"] >= stamp))]


def _agency_reason_chart(ctx: _Context) -> list[dict[str, Any]]:
    frames = _workforce_frames(ctx)
    if frames is None:
        return []
    workers = _active_on(frames[0], ctx.calendar.as_at_date(ctx.period))
    agency = workers[workers["worker_type"] == "agency"]
    if agency.empty:
        return []
    reason = agency["agency_reason"].fillna("").astype(str)
    grouped = agency.assign(reason=reason).groupby("reason").agg(fte=("fte", "sum"), workers=("fte", "size"))
    grouped = grouped.sort_values("fte", ascending=False).reset_index()
    grouped["reason"] = grouped["reason"].map(lambda r: REASON_LABELS.get(r, r))
    parts = "; ".join(f"{r} {f:,.1f}" for r, f in zip(grouped["reason"], grouped["fte"], strict=True))
    summary = f"Agency FTE by reason at {format_date_uk(ctx.calendar.as_at_date(ctx.period))}: {parts}."
    columns = [_column("reason", "Reason"), _column("workers", "Workers", "integer"), _column("fte", "FTE", "number")]
    return [
        _chart(
            "agency-reason",
            "Social work staffing",
            "Agency workers by reason",
            summary,
            grouped,
            columns,
            lambda f: charts.category_bars_figure(f, category="reason", series=(("fte", "Agency FTE"),), y_title="FTE"),
            caption="Agency workers engaged at the as-at date, by reason",
        )
    ]


def _rates_chart(ctx: _Context) -> list[dict[str, Any]]:
    kpis = _team_kpis(ctx)
    if kpis is None:
        return []
    kpis = kpis[(kpis["budgeted_fte"] > 0) | (kpis["agency_fte"] > 0)]
    if kpis.empty:
        return []
    frame = pd.DataFrame(
        {
            "team": kpis["team_name"].tolist(),
            "team_code": kpis["group"].tolist(),
            "budgeted_fte": kpis["budgeted_fte"].tolist(),
            "fte_in_post": kpis["fte_in_post"].tolist(),
            "vacancies": kpis["vacancies"].tolist(),
            "agency_fte": kpis["agency_fte"].tolist(),
            "vacancy_rate": (kpis["vacancy_rate"] * 100).tolist(),
            "agency_rate": (kpis["agency_rate"] * 100).tolist(),
        }
    )
    budgeted, vacancies = frame["budgeted_fte"].sum(), frame["vacancies"].sum()
    in_post, agency = frame["fte_in_post"].sum(), frame["agency_fte"].sum()
    agency_rate = agency / (in_post + agency) * 100 if in_post + agency else 0
    summary = (
        f"Vacancy rate {vacancies / budgeted * 100 if budgeted else 0:.1f}% ({vacancies:,.1f} of "
        f"{budgeted:,.1f} budgeted FTE); agency rate {agency_rate:.1f}%"
        f" (DfE definition) at {format_date_uk(ctx.calendar.as_at_date(ctx.period))}."
    )
    columns = [
        _column("team", "Team"),
        _column("budgeted_fte", "Budgeted FTE", "number"),
        _column("fte_in_post", "Permanent FTE in post", "number"),
        _column("vacancies", "Vacant FTE", "number"),
        _column("agency_fte", "Agency FTE", "number"),
        _column("vacancy_rate", "Vacancy rate", "percent"),
        _column("agency_rate", "Agency rate", "percent"),
    ]
    chart = _chart(
        "rates",
        "Social work staffing",
        "Vacancy and agency rates by team",
        summary,
        frame,
        columns,
        lambda f: charts.category_bars_figure(
            f,
            category="team",
            percent=True,
            y_title="Per cent",
            series=(("vacancy_rate", "Vacancy rate"), ("agency_rate", "Agency rate")),
        ),
        caption="Vacancy and agency rates by team at the as-at date",
    )
    chart["teams"] = frame["team_code"].tolist()
    return [chart]


def _caseload_chart(ctx: _Context) -> list[dict[str, Any]]:
    kpis = _team_kpis(ctx)
    if kpis is None or not kpis["average_caseload"].notna().any():
        return []
    frame = kpis[kpis["average_caseload"].notna()]
    frame = pd.DataFrame(
        {
            "team_name": frame["team_name"].tolist(),
            "average": frame["average_caseload"].tolist(),
            "manageable": frame["manageable_caseload"].tolist(),
        }
    )
    over = [
        f"{n} ({a:.1f} against {m:.0f})"
        for n, a, m in zip(frame["team_name"], frame["average"], frame["manageable"], strict=True)
        if m is not None and not pd.isna(m) and a > m
    ]
    summary = "Average caseload per case-holding FTE by team. " + (
        f"Above a manageable caseload: {'; '.join(over)}." if over else "No team is above its manageable caseload."
    )
    columns = [
        _column("team_name", "Team"),
        _column("average", "Average caseload", "number"),
        _column("manageable", "Manageable caseload", "number"),
    ]
    return [
        _chart(
            "caseloads",
            "Social work staffing",
            "Caseloads",
            summary,
            frame,
            columns,
            lambda f: charts.category_bars_figure(
                f,
                category="team_name",
                series=(("average", "Average caseload"),),
                y_title="Cases per FTE",
                marker_column="manageable",
                marker_name="Manageable caseload",
            ),
            caption="Average caseload per case-holding FTE and the manageable caseload, by team",
        )
    ]


# --- savings and scenarios -------------------------------------------------------------------


def _savings_frame(ctx: _Context) -> pd.DataFrame:
    savings = ctx.table("savings")
    if savings.empty:
        return savings
    return savings[savings["status"] != "absorbed"]  # counted in the programme that absorbed them


def _savings_rows(ctx: _Context) -> list[dict[str, Any]]:
    savings = ctx.table("savings")
    if savings.empty:
        return []
    frame = savings.assign(
        status_label=savings["status"].map(lambda s: STATUS_LABELS.get(s, s)),
        rag_label=savings.get("rag", pd.Series([""] * len(savings))).fillna("").map(lambda r: RAG_LABELS.get(r, r)),
    )
    return _records(
        frame,
        [
            _column("ref", "Reference"),
            _column("title", "Saving"),
            _column("line_code", "Line"),
            _column("status_label", "Status"),
            _column("rag_label", "RAG"),
            _column("planned", "Planned", "money"),
            _column("forecast_delivery", "Forecast delivery", "money"),
            _column("shortfall", "Shortfall", "money"),
            _column("added_to_outturn", "In outturn"),
        ],
    )


def _savings_charts(ctx: _Context) -> list[dict[str, Any]]:
    savings = _savings_frame(ctx)
    if savings.empty:
        return []
    out = []
    planned, delivery = int(savings["planned"].sum()), int(savings["forecast_delivery"].sum())
    for key, column, labels, title in (
        ("savings-rag", "rag", RAG_LABELS, "Savings by RAG: planned and forecast delivery"),
        ("savings-status", "status", STATUS_LABELS, "Savings by delivery status"),
    ):
        values = savings[column].fillna("") if column in savings.columns else pd.Series([""] * len(savings))
        order = list(labels)
        grouped = savings.assign(group=values).groupby("group")[["planned", "forecast_delivery", "shortfall"]].sum()
        grouped = grouped.reindex(
            [g for g in order if g in grouped.index] + [g for g in grouped.index if g not in order]
        )
        grouped = grouped.reset_index().rename(columns={"index": "group"})
        grouped["label"] = grouped["group"].map(lambda g, labels=labels: labels.get(g, g))
        grouped["savings"] = values.groupby(values).size().reindex(grouped["group"]).fillna(0).to_numpy()
        parts = "; ".join(
            f"{lab} {_money(p)} planned, {_money(d)} forecast"
            for lab, p, d in zip(grouped["label"], grouped["planned"], grouped["forecast_delivery"], strict=True)
        )
        summary = (
            f"Savings planned {_money(planned)}, forecast to deliver {_money(delivery)} "
            f"({delivery / planned * 100 if planned else 0:.0f}%), shortfall {_money(planned - delivery)}. "
            f"{parts}."
        )
        columns = [
            _column("label", "RAG" if column == "rag" else "Status"),
            _column("savings", "Savings", "integer"),
            _column("planned", "Planned", "money"),
            _column("forecast_delivery", "Forecast delivery", "money"),
            _column("shortfall", "Shortfall", "money"),
        ]
        out.append(
            _chart(
                key,
                "Savings",
                title,
                summary,
                grouped,
                columns,
                lambda f: charts.money_bars_figure(
                    f, category="label", series=(("planned", "Planned"), ("forecast_delivery", "Forecast delivery"))
                ),
                caption=title + " (absorbed savings are counted in their programme)",
            )
        )
    return out


def _scenarios_chart(ctx: _Context) -> list[dict[str, Any]]:
    heads = _headlines(ctx)
    if not heads:
        return []
    frame = pd.DataFrame(heads)
    frame["scenario_label"] = frame["scenario"].map(lambda s: s.capitalize() + (" (reported)" if s == REPORTED else ""))
    parts = "; ".join(
        f"{s.capitalize()} {_money(o)} (variance {_money(v)})"
        for s, o, v in zip(frame["scenario"], frame["outturn"], frame["variance"], strict=True)
    )
    summary = f"Forecast outturn by scenario against a budget of {_money(int(frame['budget'].iloc[0]))}: {parts}."
    columns = [
        _column("scenario_label", "Scenario"),
        _column("budget", "Budget", "money"),
        _column("outturn", "Forecast outturn", "money"),
        _column("variance", "Variance", "money"),
        _column("variance_pct", "% of budget", "percent"),
    ]
    return [
        _chart(
            "scenarios",
            "Scenarios",
            "Best, middle and worst forecast outturn",
            summary,
            frame,
            columns,
            lambda f: charts.scenarios_figure(f),
            caption="Department forecast outturn by scenario",
        )
    ]


# --------------------------------------------------------------------------------------------
# Movement, accuracy and commentary: what depends on other runs and on publication
# --------------------------------------------------------------------------------------------


def movement_since(document: dict[str, Any], previous: PublishedPeriod | None) -> dict[str, Any] | None:
    """Department and service outturn now against the last published period (from its frozen
    document, so a republished earlier period is compared as the committee saw it)."""
    if previous is None:
        return None
    before = previous.document
    before_services = {s["name"]: s for s in before.get("services", [])}
    rows = []
    for service in document["services"]:
        then = before_services.get(service["name"])
        rows.append(
            {
                "service": service["name"],
                "previous": then["outturn"] if then else None,
                "outturn": service["outturn"],
                "movement": service["outturn"] - then["outturn"] if then else None,
            }
        )
    dept_now = document["department"]["outturn"] if document.get("department") else 0
    dept_then = (before.get("department") or {}).get("outturn")
    return {
        "previous_id": previous.pk,
        "previous_title": f"{previous.year.label} period {previous.period}",
        "previous_period": previous.period,
        "previous_version": previous.version,
        "department": {
            "previous": dept_then,
            "outturn": dept_now,
            "movement": dept_now - dept_then if dept_then is not None else None,
        },
        "services": rows,
    }


def accuracy_chart_cached(*, authority: Authority, run: ForecastRun) -> dict[str, Any] | None:
    """accuracy_chart for the live dashboard, cached until a run finishes or a period is published
    (the two things that change it)."""
    runs = ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    last_published = PublishedPeriod.objects.filter(authority=authority).aggregate(last=Max("pk"))["last"]
    key = f"dashboards:accuracy:{DOCUMENT_SCHEMA}:{run.pk}:{runs['n']}:{runs['last']}:{last_published}"
    found: dict[str, Any] | None | str = cache.get(key, "missing")
    if found == "missing":
        found = accuracy_chart(authority=authority, run=run)
        cache.set(key, found, CACHE_SECONDS)
    return found if isinstance(found, dict) else None


def accuracy_chart(*, authority: Authority, run: ForecastRun) -> dict[str, Any] | None:
    """How each period's forecast (middle scenario, department total) compared with the year's
    outturn: the period-12 run once a year has closed, else the latest forecast. Each period is
    represented by its published run when there is one, else its latest finished run. Only runs
    finished by the time of `run` count, so a published document never sees later runs."""
    runs = ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED)
    if run.finished_at is not None:
        runs = runs.filter(Q(finished_at__lte=run.finished_at) | Q(pk=run.pk))
    runs_list = list(runs.values("pk", "year__label", "year__start_year", "period", "finished_at"))
    published: dict[tuple[int | None, int], int] = {
        (row["year_id"], row["period"]): row["run_id"]
        for row in PublishedPeriod.objects.filter(authority=authority)
        .order_by("version")
        .values("year_id", "period", "run_id")
    }
    totals = dict(
        ForecastLineResult.objects.filter(run_id__in=[r["pk"] for r in runs_list], scenario=REPORTED)
        .values("run_id")
        .annotate(total=Sum("forecast_outturn"))
        .values_list("run_id", "total")
    )
    chosen: dict[tuple[str, int], Any] = {}
    year_ids: dict[str, int | None] = dict(FinancialYear.objects.filter(authority=authority).values_list("label", "pk"))
    for row in sorted(runs_list, key=lambda r: (r["finished_at"] is None, r["finished_at"], r["pk"])):
        key = (row["year__label"], row["period"])
        if row["pk"] not in totals:
            continue
        pinned = published.get((year_ids.get(row["year__label"]), row["period"]))
        if pinned is not None and pinned != row["pk"] and pinned in totals:
            continue
        chosen[key] = row  # later finished runs replace earlier ones
    if len(chosen) < 2:
        return None
    records = []
    labels = sorted({k[0] for k in chosen}, key=lambda label: Calendar.from_label(label).start_year)[-4:]
    for label in labels:
        periods = sorted(p for y, p in chosen if y == label)
        final = chosen[(label, periods[-1])]
        kind = "outturn" if periods[-1] == 12 else f"latest forecast (P{periods[-1]})"
        reference = int(totals[final["pk"]])
        for p in periods:
            value = int(totals[chosen[(label, p)]["pk"]])
            records.append(
                {
                    "year": label,
                    "period": p,
                    "forecast": value,
                    "reference": reference,
                    "reference_kind": kind,
                    "difference": value - reference,
                    "difference_pct": round((value - reference) / abs(reference) * 100, 2) if reference else None,
                }
            )
    frame = pd.DataFrame(records)
    errors = frame[frame["period"] < frame.groupby("year")["period"].transform("max")]
    if errors.empty:
        return None
    mean_abs = errors["difference_pct"].abs().mean()
    summary = (
        f"Forecasts of {', '.join(labels)} made at {len(errors)} earlier periods were on average "
        f"{mean_abs:.1f}% away from the outturn (or, for a year still open, from its latest forecast)."
    )
    columns = [
        _column("year", "Year"),
        _column("period", "Forecast made at period", "integer"),
        _column("forecast", "Forecast outturn", "money"),
        _column("reference", "Outturn or latest", "money"),
        _column("reference_kind", "Compared with"),
        _column("difference", "Difference", "money"),
        _column("difference_pct", "Difference %", "percent"),
    ]
    return _chart(
        "accuracy",
        "Forecast accuracy",
        "Forecast accuracy: each period's forecast against the outturn",
        summary,
        frame,
        columns,
        lambda f: charts.accuracy_figure(f),
        caption="Department forecast outturn (middle scenario) made at each period, against the outturn",
    )


# --------------------------------------------------------------------------------------------
# Display and export helpers
# --------------------------------------------------------------------------------------------


def find_chart(document: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((c for c in document.get("charts", []) if c["key"] == key), None)


def chart_table_frame(chart: dict[str, Any]) -> pd.DataFrame:
    """A chart's table for CSV/XLSX: the screen's column labels, money in pounds (2 places)."""
    from decimal import Decimal

    columns = chart["table"]["columns"]
    data = []
    for row in chart["table"]["rows"]:
        out = []
        for column in columns:
            value = row.get(column["key"])
            if value is not None and column["kind"] in ("money", "money2"):
                value = (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
            elif value is not None and column["kind"] in ("number", "percent"):
                value = Decimal(str(value)).quantize(Decimal("0.01"))
            out.append(value)
        data.append(out)
    return pd.DataFrame(data, columns=[c["label"] for c in columns])


def headline_frame(document: dict[str, Any]) -> pd.DataFrame:
    from decimal import Decimal

    rows = [
        [
            h["scenario"],
            *((Decimal(h[k]) / 100).quantize(Decimal("0.01")) for k in ("budget", "outturn", "variance")),
            None if h["variance_pct"] is None else Decimal(str(h["variance_pct"])).quantize(Decimal("0.01")),
        ]
        for h in document.get("headlines", [])
    ]
    return pd.DataFrame(rows, columns=["scenario", "budget", "forecast_outturn", "variance", "variance_pct"])


def services_frame(document: dict[str, Any]) -> pd.DataFrame:
    from decimal import Decimal

    def money(v: int) -> Decimal:
        return (Decimal(int(v)) / 100).quantize(Decimal("0.01"))

    rows = []
    for service in document.get("services", []):
        rows.append(
            [
                service["name"],
                "",
                "Service total",
                money(service["budget"]),
                money(service["actual_ytd"]),
                money(service["outturn"]),
                money(service["variance"]),
                service["variance_pct"],
            ]
        )
        for line in service["lines"]:
            rows.append(
                [
                    service["name"],
                    line["line_code"],
                    line["line_name"],
                    money(line["budget"]),
                    money(line["actual_ytd"]),
                    money(line["outturn"]),
                    money(line["variance"]),
                    line["variance_pct"],
                ]
            )
    return pd.DataFrame(
        rows,
        columns=[
            "service_area",
            "line_code",
            "line_name",
            "annual_budget",
            "actual_ytd",
            "forecast_outturn",
            "variance",
            "variance_pct",
        ],
    )


def drill_links(*, authority: Authority, service: dict[str, Any], as_at: date) -> dict[str, list[tuple[str, str]]]:
    """Per line code: links to the placements or workers behind it, using the other apps' URL
    names where they exist: the register filtered by type and open at the as-at date (its filter
    form's fields), and the workforce team pages."""
    from urllib.parse import urlencode

    out: dict[str, list[tuple[str, str]]] = {}
    register = _reverse("placements:register")
    from workforce.models import Team

    teams = list(
        Team.objects.filter(
            authority=authority, budget_line__code__in=[line["line_code"] for line in service["lines"]]
        ).values_list("pk", "name", "budget_line__code")
    )
    for line in service["lines"]:
        links: list[tuple[str, str]] = []
        if line.get("placement_type") and register:
            query = urlencode({"placement_type": line["placement_type"], "open_on": f"{as_at:%d/%m/%Y}"})
            links.append((f"{register}?{query}", f"Placements open on {format_date_uk(as_at)} in the register"))
        for pk, name, code in teams:
            if code == line["line_code"]:
                url = _reverse("workforce:team", pk)
                if url:
                    links.append((url, f"Team: {name}"))
        out[line["line_code"]] = links
    return out


def _reverse(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def table_rows_for_lines(
    *, run: ForecastRun, scenario: str, service: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Month by month, the placements (by type) and workers (by team) behind a service's lines,
    from the run's stored tables."""
    wanted_types = {line["placement_type"]: line for line in service["lines"] if line.get("placement_type")}
    wanted_teams = {line["team"]: line for line in service["lines"] if line.get("team")}
    names = set()
    if wanted_types:
        names.add("placements")
    if wanted_teams:
        names.add("workforce")
    tables = {
        t.name: pd.DataFrame(t.rows, columns=t.columns) for t in ForecastTable.objects.filter(run=run, name__in=names)
    }
    calendar = run.year.calendar
    out: dict[str, list[dict[str, Any]]] = {"placements": [], "workforce": []}
    placements = tables.get("placements")
    if placements is not None and not placements.empty:
        placements = placements[(placements["scenario"] == scenario) & placements["placement_type"].isin(wanted_types)]
        for code in wanted_types:  # in the order of the service's lines
            group = placements[placements["placement_type"] == code]
            if group.empty:
                continue
            out["placements"].append(
                {
                    "code": code,
                    "line": wanted_types[code],
                    "rows": [
                        {
                            "month": f"{calendar.month_start(int(r['period'])):%b %Y}",
                            "actual": bool(r["is_actual"]),
                            "month_end_number": r["month_end_number"],
                            "average_number": r["average_number"],
                            "p10": r.get("number_p10"),
                            "p90": r.get("number_p90"),
                            "net_cost": int(r["net_cost"]),
                        }
                        for r in group.sort_values("period").to_dict("records")
                    ],
                }
            )
    workforce = tables.get("workforce")
    if workforce is not None and not workforce.empty:
        workforce = workforce[(workforce["scenario"] == scenario) & workforce["team"].isin(wanted_teams)]
        for team, group in workforce.groupby("team", sort=False):
            out["workforce"].append(
                {
                    "team": team,
                    "line": wanted_teams[team],
                    "rows": [
                        {
                            "month": f"{calendar.month_start(int(r['period'])):%b %Y}",
                            "actual": int(r["period"]) <= run.period,
                            "permanent_fte": r["permanent_fte"],
                            "agency_fte": r["agency_fte"],
                            "vacancies": r["vacancies"],
                            "total_cost": int(r["total_cost"]),
                        }
                        for r in group.sort_values("period").to_dict("records")
                    ],
                }
            )
    return out
