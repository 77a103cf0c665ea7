"""Reads for the dashboard pages: which year, period and run a page shows, the published versions,
and each page's context in one call (the views only parse the request and render).

The period document itself is made by `dashboards.document` (its database reads are in
`dashboards/document/reads.py`); the committee view and the PDF read only a published copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from accounts.models import Authority
from core.exports import Title
from dashboards.benchmark_reads import ATTRIBUTION, panel_sentences
from dashboards.display import display_document
from dashboards.document import CACHE_SECONDS, drill, live_body, period_document, reads, run_document
from dashboards.document.downloads import document_table, service_tables, table_what
from dashboards.line_words import rest_of_year_words
from dashboards.models import PublishedPeriod, SnapshotPdf
from dashboards.month_path import variance_words
from dashboards.page_stamp import dashboard_stamp
from dashboards.published_outturn import LineForecast, PublishedForecast, published_against_outturn
from dashboards.sign_off_reads import carried_forward_commentary, sign_off_checks
from forecast_runs.backtest_sections import Section
from forecast_runs.selectors import department_ranges, run_for
from forecasting.download_titles import run_title, run_words, when_words
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import Actual, FinancialYear, ForecastRun, Period
from forecasting.period_rules import PeriodNotReadyError, period_gaps

# --------------------------------------------------------------------------------------------
# Which run, which periods
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunAsked:
    """What a dashboard address asks for: ?year=2019/20&period=4&run=12&scenario=middle."""

    year: str | None = None
    period: int | None = None
    run_id: int | None = None
    scenario: str = REPORTED_SCENARIO


def years_of(*, authority: Authority) -> list[FinancialYear]:
    return list(FinancialYear.objects.filter(authority=authority).order_by("-start_year"))


def year_of(
    *, authority: Authority, label: str | None, years: list[FinancialYear] | None = None
) -> FinancialYear | None:
    """The named year, else the latest year with a finished run, else the latest year. `years`,
    when the caller has them (`years_of`), saves looking the named one up."""
    if label and years is not None:
        return next((y for y in years if y.label == label), None)
    rows = FinancialYear.objects.filter(authority=authority)
    if label:
        return rows.filter(label=label).first()
    with_runs = rows.filter(forecast_runs__status=ForecastRun.Status.SUCCEEDED).order_by("-start_year").first()
    return with_runs or rows.order_by("-start_year").first()


def periods_with_runs(*, authority: Authority, year: FinancialYear) -> list[int]:
    runs = ForecastRun.objects.filter(authority=authority, year=year, status=ForecastRun.Status.SUCCEEDED)
    return sorted(set(runs.values_list("period", flat=True)))


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


def run_asked(
    *, authority: Authority, asked: RunAsked, years: list[FinancialYear] | None = None
) -> tuple[FinancialYear | None, ForecastRun | None]:
    year = year_of(authority=authority, label=asked.year, years=years)
    if year is None:
        return None, None
    return year, run_for_period(authority=authority, year=year, period=asked.period, run_id=asked.run_id)


def finished_run(*, authority: Authority, asked: RunAsked, missing: str) -> tuple[FinancialYear, ForecastRun]:
    """The year and run asked for; 404 with `missing` when there is none."""
    year, run = run_asked(authority=authority, asked=asked)
    if run is None or year is None:
        raise Http404(missing)
    return year, run


def posted_run(*, authority: Authority, run_id: int | None) -> tuple[FinancialYear | None, ForecastRun | None]:
    """The run a form posted (any run of the authority; signing off checks it is finished)."""
    if run_id is None:
        return None, None
    run = run_for(authority=authority, run_id=run_id)
    return run.year, run


def run_query(run: ForecastRun, scenario: str, **extra: Any) -> str:
    """The dashboard address's query for a run and scenario."""
    return urlencode({"year": run.year.label, "period": run.period, "run": run.pk, "scenario": scenario, **extra})


# --------------------------------------------------------------------------------------------
# Published versions
# --------------------------------------------------------------------------------------------


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


def period_versions(*, authority: Authority, year: FinancialYear, period: int) -> list[PublishedPeriod]:
    """The published versions of one period, newest first."""
    return [p for p in published_versions(authority=authority, year=year) if p.period == period]


def snapshot_pdf_of(published: PublishedPeriod, *, ready: bool = False) -> SnapshotPdf | None:
    """The published version's PDF row (with its file only when `ready` asks for a made one)."""
    rows = SnapshotPdf.objects.filter(published=published)
    if ready:
        return rows.filter(status=SnapshotPdf.Status.READY).first()
    return rows.defer("content").first()


# --------------------------------------------------------------------------------------------
# The pages' contexts
# --------------------------------------------------------------------------------------------


def period_page(*, authority: Authority, asked: RunAsked) -> dict[str, Any]:
    """The director's dashboard: the selectors and, when there is a run, its whole document.
    What it reads from the database is kept under `dashboard_stamp` (one read a request); the
    document itself is read only when its body has to be drawn."""
    stamp = dashboard_stamp(authority=authority)
    frame_key = (
        "dashboards:period-frame:"
        + hashlib.blake2b(repr((authority.pk, asked, stamp)).encode(), digest_size=20).hexdigest()
    )
    frame: dict[str, Any] | None = cache.get(frame_key)
    if frame is None:
        frame = _period_frame(authority=authority, asked=asked)
        cache.set(frame_key, frame, CACHE_SECONDS)
    context = {**frame, "scenario": asked.scenario, "benchmarks_attribution": ATTRIBUTION}
    run = frame["run"]
    if run is None or frame["year"] is None:
        return context
    body = live_body(run, asked.scenario, page_stamp=stamp)
    if asked.scenario not in body.scenarios:
        raise Http404("No such scenario in this run")
    scenario = asked.scenario
    context.update(
        {
            # Read only when the body is drawn: a body already drawn under `body_key` is served
            # from the cache without it.
            "doc": SimpleLazyObject(lambda: display_document(period_document(run, scenario))),
            "scenarios": body.scenarios,
            "body_key": body.key,
            "query": run_query(run, asked.scenario),
        }
    )
    return context


def _period_frame(*, authority: Authority, asked: RunAsked) -> dict[str, Any]:
    years = years_of(authority=authority)
    year, run = run_asked(authority=authority, asked=asked, years=years)
    frame: dict[str, Any] = {
        "years": years,
        "year": year,
        "run": run,
        # How the council compares in DfE's published statistics (the benchmarks page's headlines).
        "benchmarks": panel_sentences(authority=authority),
    }
    if year is not None:
        frame["periods"] = periods_with_runs(authority=authority, year=year)
    if run is not None and year is not None:
        versions = period_versions(authority=authority, year=year, period=run.period)
        frame["versions"] = versions
        frame["is_published_run"] = any(v.run_id == run.pk for v in versions[:1])
    return frame


def _reverse(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def service_page(*, authority: Authority, asked: RunAsked, service_name: str) -> dict[str, Any]:
    """Drill-down: one service's lines, and the placements or workers behind each line."""
    year, run = finished_run(authority=authority, asked=asked, missing="No finished forecast run")
    document = run_document(run, asked.scenario)
    found = next((s for s in document["services"] if s["name"] == service_name), None)
    if found is None:
        raise Http404("No such service")
    calendar = run.year.calendar
    teams = reads.teams_behind(authority=authority, line_codes=[line["line_code"] for line in found["lines"]])
    links = drill.line_links(
        found,
        as_at=calendar.as_at_date(run.period),
        register_url=_reverse("placements:register"),
        team_links=[(_reverse("workforce:team", pk), name, code) for pk, name, code in teams],
    )
    wanted = {"placements"} if any(line.get("placement_type") for line in found["lines"]) else set()
    wanted |= {"workforce"} if any(line.get("team") for line in found["lines"]) else set()
    tables = reads.run_tables(run, wanted) if wanted else {}
    return {
        "run": run,
        "year": year,
        "scenario": asked.scenario,
        "service": found,
        "links": links,
        "placements": drill.placement_rows(tables.get("placements"), found, scenario=asked.scenario, calendar=calendar),
        "workforce": drill.workforce_rows(
            tables.get("workforce"), found, scenario=asked.scenario, calendar=calendar, period=run.period
        ),
        "rest_of_year": rest_of_year_words(authority=authority, lines=found["lines"]),
        "query": run_query(run, asked.scenario),
        "download_query": run_query(run, asked.scenario, service=service_name),
        "doc": document,
    }


def commentary_page(*, authority: Authority, year: FinancialYear, run: ForecastRun) -> dict[str, Any]:
    """Each service of the reported scenario with its commentary so far; a service without any
    for the period is offered its latest earlier commentary, marked as carried forward."""
    document = run_document(run, REPORTED_SCENARIO)
    existing = {n.service: n.text for n in reads.commentary_notes(authority=authority, year=year, period=run.period)}
    carried = carried_forward_commentary(
        authority=authority, year=year, period=run.period, services=[s["name"] for s in document["services"]]
    )
    rows = []
    for i, service in enumerate(document["services"]):
        offered = carried.get(service["name"])
        text = existing.get(service["name"]) or (offered.text if offered else "")
        rows.append(
            {
                "index": i,
                **service,
                "text": text,
                "carried_from": offered.source if offered else "",
                "variance_words": variance_words(service["variance"]).lower(),
            }
        )
    return {"run": run, "rows": rows, "doc": document, "query": run_query(run, REPORTED_SCENARIO)}


def commentary_services(*, run: ForecastRun) -> list[str]:
    """The services a commentary form has a field for, in the form's order."""
    return [s["name"] for s in run_document(run, REPORTED_SCENARIO)["services"]]


def sign_off_refusal(run: ForecastRun) -> PeriodNotReadyError | None:
    """Why the run's period cannot be signed off: a line without an actual for a period up to it."""
    return period_gaps(year=run.year, number=run.period).refusal("{period} cannot be signed off yet.", earlier=False)


def sign_off_page(*, authority: Authority, year: FinancialYear, run: ForecastRun) -> dict[str, Any]:
    """What the director signs off: the reported scenario, what needs a look (each to be
    acknowledged), the versions already published, and what is missing when it cannot be signed
    off yet."""
    document = run_document(run, REPORTED_SCENARIO)
    written = {n.service for n in reads.commentary_notes(authority=authority, year=year, period=run.period)}
    return {
        "run": run,
        "doc": document,
        "missing_commentary": [s["name"] for s in document["services"] if s["name"] not in written],
        "versions": period_versions(authority=authority, year=year, period=run.period),
        "query": run_query(run, REPORTED_SCENARIO),
        "not_ready": sign_off_refusal(run),
        "checks": sign_off_checks(run),
        # The optional benchmarks section is offered when the council's figures are loaded.
        "benchmarks_available": bool(panel_sentences(authority=authority)),
    }


def published_list_page(*, authority: Authority) -> dict[str, Any]:
    return {
        "versions": published_versions(authority=authority),
        "current": {p.pk for p in current_versions(authority=authority)},
    }


def published_page(*, authority: Authority, published_id: int) -> dict[str, Any]:
    """A published version as the committee reads it: only its frozen document."""
    snapshot = published_for(authority=authority, published_id=published_id)
    return {
        "published": snapshot,
        "doc": display_document(snapshot.document),
        "pdf": snapshot_pdf_of(snapshot),
        "newer": newer_version_of(snapshot),
        "older": [
            v
            for v in published_versions(authority=authority, year=snapshot.year)
            if v.period == snapshot.period and v.version < snapshot.version
        ],
    }


def pdf_status(*, authority: Authority, published_id: int) -> dict[str, Any]:
    """Where the PDF of a published version is, for the page's progress poll."""
    snapshot = published_for(authority=authority, published_id=published_id)
    pdf = snapshot_pdf_of(snapshot)
    if pdf is None:
        return {"status": "none", "finished": False}
    return {
        "status": pdf.status,
        "label": pdf.get_status_display(),
        "stage": pdf.stage,
        "progress": pdf.progress,
        "finished": pdf.is_finished,
        "error": pdf.error,
        "pages": pdf.pages,
        "download": reverse("dashboards:published_pdf_download", args=[snapshot.pk])
        if pdf.status == SnapshotPdf.Status.READY
        else None,
    }


# --------------------------------------------------------------------------------------------
# Downloads: every table as CSV and XLSX
# --------------------------------------------------------------------------------------------


def run_table(*, authority: Authority, asked: RunAsked, name: str) -> tuple[pd.DataFrame, str, Title]:
    """A table of the live document, its file name (without extension) and its title; 404 if none."""
    year, run = finished_run(authority=authority, asked=asked, missing="No finished forecast run")
    document = period_document(run, asked.scenario)
    frame = document_table(document, name)
    if frame is None:
        raise Http404("No such table")
    filename = f"forecast-{year.label.replace('/', '-')}-P{run.period}-run{run.pk}-{asked.scenario}-{name}"
    return frame, filename, run_title(run, table_what(document, name))


def service_table(
    *, authority: Authority, asked: RunAsked, service_name: str, name: str
) -> tuple[pd.DataFrame, str, Title]:
    """A table of the service drill-down page, its file name and its title; 404 if none."""
    page = service_page(authority=authority, asked=asked, service_name=service_name)
    found = service_tables(page).get(name)
    if found is None:
        raise Http404("No such table")
    what, frame = found
    run = page["run"]
    slug = "".join(c if c.isalnum() else "-" for c in service_name.lower()).strip("-")
    filename = f"forecast-{run.year.label.replace('/', '-')}-P{run.period}-run{run.pk}-{asked.scenario}-{slug}-{name}"
    return frame, filename, run_title(run, f"{what} ({asked.scenario} scenario)")


def published_table(*, authority: Authority, published_id: int, name: str) -> tuple[pd.DataFrame, str, Title]:
    """A table of a published version, its file name (without extension) and its title; 404 if none."""
    snapshot = published_for(authority=authority, published_id=published_id)
    frame = document_table(snapshot.document, name)
    if frame is None:
        raise Http404("No such table")
    year = snapshot.year.label.replace("/", "-")
    title = run_title(snapshot.run, table_what(snapshot.document, name))
    version = f"published version {snapshot.version}, signed off {when_words(snapshot.signed_off_at)}"
    title = Title(title.authority, title.what, title.period, f"{run_words(snapshot.run)}, {version}")
    return frame, f"published-{year}-P{snapshot.period}-v{snapshot.version}-{name}", title


def published_pdf_file(*, authority: Authority, published_id: int) -> tuple[bytes, str, str]:
    """The made PDF of a published version: its bytes, file name and checksum; 404 until made."""
    snapshot = published_for(authority=authority, published_id=published_id)
    pdf = snapshot_pdf_of(snapshot, ready=True)
    if pdf is None or pdf.content is None:
        raise Http404("The PDF has not been made yet")
    name = f"{snapshot.authority.code}-{snapshot.year.label.replace('/', '-')}-P{snapshot.period}-v{snapshot.version}"
    return bytes(pdf.content), f"outturn-{name}.pdf", pdf.sha256


# --------------------------------------------------------------------------------------------
# Published forecasts against the outturn (a section of the back-test page)
# --------------------------------------------------------------------------------------------


def published_outturn_section(authority: Authority) -> Section:
    """How the newest version of each of the authority's published periods compared with its
    year's outturn, for years whose twelve periods are all submitted or locked."""
    current = [p.pk for p in current_versions(authority=authority)]
    snapshots = PublishedPeriod.objects.filter(authority=authority, pk__in=current).select_related("year", "run")
    forecasts = [_published_forecast(snapshot) for snapshot in snapshots]
    known = (
        FinancialYear.objects.filter(authority=authority, pk__in={s.year_id for s in snapshots})
        .annotate(
            closed=Count("periods", filter=Q(periods__status__in=[Period.Status.SUBMITTED, Period.Status.LOCKED]))
        )
        .filter(closed=12)
        .values_list("label", flat=True)
    )
    actuals: dict[str, dict[str, int]] = {label: {} for label in known}
    totals = (
        Actual.objects.filter(line__authority=authority, period__year__authority=authority)
        .filter(period__year__label__in=list(actuals))
        .values_list("period__year__label", "line__code")
        .annotate(total=Sum("amount"))
    )
    for label, code, total in totals:
        actuals[label][code] = int(total)
    return Section(
        "dashboards/_published_outturn.html",
        {"outturn": published_against_outturn(forecasts, actuals), "published": len(forecasts)},
    )


def _published_forecast(snapshot: PublishedPeriod) -> PublishedForecast:
    """A published version's forecast as the snapshot holds it. A snapshot made before the
    range's ends were kept in it, but whose headline gave a range in words, takes the ends from
    its run's stored range (the figures those words were made from; a run never changes)."""
    document = snapshot.document
    department = document.get("department") or {}
    lines = [line for service in document.get("services", []) for line in service.get("lines", [])]
    low, high = department.get("likely_low"), department.get("likely_high")
    if department.get("likely_range") and (low is None or high is None):
        scenario = (document.get("meta") or {}).get("scenario", REPORTED_SCENARIO)
        low, high = department_ranges(snapshot.run).get(scenario, (None, None))
    return PublishedForecast(
        year=snapshot.year.label,
        period=snapshot.period,
        version=snapshot.version,
        outturn=int(department.get("outturn", 0)),
        line_codes=tuple(str(line["line_code"]) for line in lines),
        likely_low=None if low is None else int(low),
        likely_high=None if high is None else int(high),
        placement_lines=tuple(
            LineForecast(str(line["line_code"]), str(line["line_name"]), int(line["outturn"]))
            for line in sorted(lines, key=lambda line: str(line["line_code"]))
            if line.get("category") == "placements"
        ),
    )
