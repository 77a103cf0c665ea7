"""The period dashboard, commentary, sign-off, the committee view, its PDF and the downloads.

Staff (finance officers, directors, administrators) read the live dashboard of any finished run.
Committee members only ever reach published periods, through `PublishedPeriod` rows of their own
authority; asking for the live dashboard sends them to the published list.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import DIRECTORS, FINANCE, STAFF_READERS, authority_of, role_required
from accounts.models import Role, User
from core.exports import table_download
from dashboards import selectors, services
from dashboards.display import SAVINGS_COLUMNS, display_document
from dashboards.models import SnapshotPdf
from forecasting.models import FinancialYear, ForecastRun

EVERYONE = (*STAFF_READERS, Role.COMMITTEE_MEMBER)


def _scenario(request: HttpRequest) -> str:
    name = request.GET.get("scenario", selectors.REPORTED)
    return name if name.replace("_", "").replace("-", "").isalnum() and len(name) <= 40 else selectors.REPORTED


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _run_from_query(request: HttpRequest) -> tuple[FinancialYear | None, ForecastRun | None]:
    authority = authority_of(request)
    year = selectors.year_of(authority=authority, label=request.GET.get("year"))
    if year is None:
        return None, None
    run = selectors.run_for_period(
        authority=authority, year=year, period=_int(request.GET.get("period")), run_id=_int(request.GET.get("run"))
    )
    return year, run


def _query(run: ForecastRun, scenario: str, **extra: Any) -> str:
    return urlencode({"year": run.year.label, "period": run.period, "run": run.pk, "scenario": scenario, **extra})


# --------------------------------------------------------------------------------------------
# The director's dashboard
# --------------------------------------------------------------------------------------------


def period(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role == Role.COMMITTEE_MEMBER and user.authority_id is not None:
        return redirect("dashboards:published_list")
    return _period_dashboard(request)


@role_required(*STAFF_READERS)
def _period_dashboard(request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    authority = authority_of(request)
    scenario = _scenario(request)
    year, run = _run_from_query(request)
    context: dict[str, Any] = {
        "years": selectors.years_of(authority=authority),
        "year": year,
        "run": run,
        "scenario": scenario,
    }
    if year is not None:
        context["periods"] = selectors.periods_with_runs(authority=authority, year=year)
    if run is None or year is None:
        return render(request, "dashboards/period.html", context)
    document = selectors.dashboard_document(run, scenario)
    if not any(h["scenario"] == scenario for h in document["headlines"]):
        raise Http404("No such scenario in this run")
    document = dict(document)
    previous = selectors.previous_published(authority=authority, year=year, period=run.period)
    document["movement"] = selectors.movement_since(document, previous)
    accuracy = selectors.accuracy_chart_cached(authority=authority, run=run)
    document["charts"] = [*document["charts"], *([accuracy] if accuracy else [])]
    commentary = selectors.commentary_for(authority=authority, year=year, period=run.period)
    document["commentary"] = [
        {"service": k, "text": v.text, "author": v.updated_by.get_full_name() if v.updated_by else ""}
        for k, v in commentary.items()
    ]
    versions = [p for p in selectors.published_versions(authority=authority, year=year) if p.period == run.period]
    context.update(
        {
            "doc": display_document(document),
            "query": _query(run, scenario),
            "versions": versions,
            "is_published_run": any(v.run_id == run.pk for v in versions[:1]),
            "missing_commentary": [s["name"] for s in document["services"] if s["name"] not in commentary],
            "server_ms": round((time.perf_counter() - started) * 1000),
        }
    )
    return render(request, "dashboards/period.html", context)


@role_required(*STAFF_READERS)
def service(request: HttpRequest) -> HttpResponse:
    """Drill-down: one service's lines, and the placements or workers behind each line."""
    authority = authority_of(request)
    scenario = _scenario(request)
    year, run = _run_from_query(request)
    if run is None:
        raise Http404("No finished forecast run")
    document = selectors.dashboard_document(run, scenario)
    name = request.GET.get("service", "")
    found = next((s for s in document["services"] if s["name"] == name), None)
    if found is None:
        raise Http404("No such service")
    links = selectors.drill_links(authority=authority, service=found, as_at=run.year.calendar.as_at_date(run.period))
    placements = selectors.table_rows_for_lines(run=run, scenario=scenario, service=found)
    return render(
        request,
        "dashboards/service.html",
        {
            "run": run,
            "year": year,
            "scenario": scenario,
            "service": found,
            "links": links,
            "placements": placements["placements"],
            "workforce": placements["workforce"],
            "query": _query(run, scenario),
            "doc": document,
        },
    )


# --------------------------------------------------------------------------------------------
# Commentary and sign-off
# --------------------------------------------------------------------------------------------


@role_required(*FINANCE)
def commentary(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year, run = _run_from_query(request)
    if run is None or year is None:
        raise Http404("No finished forecast run to comment on")
    document = selectors.dashboard_document(run, selectors.REPORTED)
    names = [s["name"] for s in document["services"]]
    if request.method == "POST":
        texts = {name: request.POST.get(f"commentary-{index}", "") for index, name in enumerate(names)}
        changed = services.commentary_save(
            authority=authority, user=_user(request), year=year, period=run.period, texts=texts
        )
        messages.success(request, f"Commentary saved ({changed} service{'s' if changed != 1 else ''} changed).")
        return redirect(f"{reverse('dashboards:period')}?{_query(run, selectors.REPORTED)}#services")
    existing = selectors.commentary_for(authority=authority, year=year, period=run.period)
    rows = [
        {"index": i, **s, "text": existing[s["name"]].text if s["name"] in existing else ""}
        for i, s in enumerate(document["services"])
    ]
    return render(
        request,
        "dashboards/commentary.html",
        {"run": run, "rows": rows, "doc": document, "query": _query(run, selectors.REPORTED)},
    )


@role_required(*DIRECTORS)
def sign_off(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year, run = _run_from_query(request) if request.method == "GET" else _posted_run(request)
    if run is None or year is None:
        raise Http404("No finished forecast run to sign off")
    error = ""
    if request.method == "POST":
        try:
            published = services.period_sign_off(
                authority=authority, user=_user(request), run=run, comment=request.POST.get("comment", "")
            )
        except services.SignOffError as problem:
            error = str(problem)
        else:
            messages.success(
                request, f"Period {published.period} signed off and published as version {published.version}."
            )
            return redirect("dashboards:published", published_id=published.pk)
    document = selectors.dashboard_document(run, selectors.REPORTED)
    existing = selectors.commentary_for(authority=authority, year=year, period=run.period)
    versions = [p for p in selectors.published_versions(authority=authority, year=year) if p.period == run.period]
    return render(
        request,
        "dashboards/sign_off.html",
        {
            "run": run,
            "doc": document,
            "error": error,
            "comment": request.POST.get("comment", ""),
            "missing_commentary": [s["name"] for s in document["services"] if s["name"] not in existing],
            "versions": versions,
            "query": _query(run, selectors.REPORTED),
        },
        status=400 if error else 200,
    )


def _posted_run(request: HttpRequest) -> tuple[FinancialYear | None, ForecastRun | None]:
    run_id = _int(request.POST.get("run"))
    if run_id is None:
        return None, None
    from forecasting.run_selectors import run_for

    run = run_for(authority=authority_of(request), run_id=run_id)
    return run.year, run


# --------------------------------------------------------------------------------------------
# Published periods: the committee view, its PDF and downloads
# --------------------------------------------------------------------------------------------


@role_required(*EVERYONE)
def published_list(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    return render(
        request,
        "dashboards/published_list.html",
        {
            "versions": selectors.published_versions(authority=authority),
            "current": {p.pk for p in selectors.current_versions(authority=authority)},
        },
    )


@role_required(*EVERYONE)
def published(request: HttpRequest, published_id: int) -> HttpResponse:
    authority = authority_of(request)
    snapshot = selectors.published_for(authority=authority, published_id=published_id)
    pdf = SnapshotPdf.objects.filter(published=snapshot).defer("content").first()
    return render(
        request,
        "dashboards/published.html",
        {
            "published": snapshot,
            "doc": display_document(snapshot.document),
            "pdf": pdf,
            "newer": selectors.newer_version_of(snapshot),
            "older": [
                v
                for v in selectors.published_versions(authority=authority, year=snapshot.year)
                if v.period == snapshot.period and v.version < snapshot.version
            ],
        },
    )


@require_POST
@role_required(*EVERYONE)
def published_pdf(request: HttpRequest, published_id: int) -> HttpResponse:
    authority = authority_of(request)
    snapshot = selectors.published_for(authority=authority, published_id=published_id)
    services.snapshot_pdf_request(published=snapshot, user=_user(request))
    return redirect(f"{reverse('dashboards:published', args=[snapshot.pk])}#pdf")


@role_required(*EVERYONE)
def published_pdf_status(request: HttpRequest, published_id: int) -> JsonResponse:
    authority = authority_of(request)
    snapshot = selectors.published_for(authority=authority, published_id=published_id)
    pdf = SnapshotPdf.objects.filter(published=snapshot).defer("content").first()
    if pdf is None:
        return JsonResponse({"status": "none", "finished": False})
    return JsonResponse(
        {
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
    )


@role_required(*EVERYONE)
def published_pdf_download(request: HttpRequest, published_id: int) -> HttpResponse:
    authority = authority_of(request)
    snapshot = selectors.published_for(authority=authority, published_id=published_id)
    pdf = SnapshotPdf.objects.filter(published=snapshot, status=SnapshotPdf.Status.READY).first()
    if pdf is None or pdf.content is None:
        raise Http404("The PDF has not been made yet")
    response = HttpResponse(bytes(pdf.content), content_type="application/pdf")
    name = f"{snapshot.authority.code}-{snapshot.year.label.replace('/', '-')}-P{snapshot.period}-v{snapshot.version}"
    response["Content-Disposition"] = f'attachment; filename="outturn-{name}.pdf"'
    response["ETag"] = f'"{pdf.sha256}"'
    return response


# --------------------------------------------------------------------------------------------
# Downloads: every table as CSV and XLSX
# --------------------------------------------------------------------------------------------


def _document_table(document: dict[str, Any], name: str):  # type: ignore[no-untyped-def]
    if name == "headline":
        return selectors.headline_frame(document)
    if name == "services":
        return selectors.services_frame(document)
    if name == "savings":
        return selectors.chart_table_frame({"table": {"columns": SAVINGS_COLUMNS, "rows": document.get("savings", [])}})
    if name == "movement" and document.get("movement"):
        return selectors.chart_table_frame(
            {
                "table": {
                    "columns": [
                        {"key": "service", "label": "Service", "kind": "text"},
                        {"key": "previous", "label": "Previous outturn", "kind": "money"},
                        {"key": "outturn", "label": "Outturn now", "kind": "money"},
                        {"key": "movement", "label": "Movement", "kind": "money"},
                    ],
                    "rows": document["movement"]["services"],
                }
            }
        )
    chart = selectors.find_chart(document, name)
    if chart is None:
        raise Http404("No such table")
    return selectors.chart_table_frame(chart)


@role_required(*STAFF_READERS)
def table(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("CSV or XLSX")
    authority = authority_of(request)
    scenario = _scenario(request)
    year, run = _run_from_query(request)
    if run is None or year is None:
        raise Http404("No finished forecast run")
    document = dict(selectors.dashboard_document(run, scenario))
    if name == "accuracy":
        accuracy = selectors.accuracy_chart_cached(authority=authority, run=run)
        document["charts"] = [accuracy] if accuracy else []
    if name == "movement":
        previous = selectors.previous_published(authority=authority, year=year, period=run.period)
        document["movement"] = selectors.movement_since(document, previous)
    frame = _document_table(document, name)
    return table_download(
        frame, filename=f"forecast-{year.label.replace('/', '-')}-P{run.period}-run{run.pk}-{scenario}-{name}", fmt=fmt
    )


@role_required(*EVERYONE)
def published_table(request: HttpRequest, published_id: int, name: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("CSV or XLSX")
    snapshot = selectors.published_for(authority=authority_of(request), published_id=published_id)
    frame = _document_table(snapshot.document, name)
    return table_download(
        frame,
        filename=f"published-{snapshot.year.label.replace('/', '-')}-P{snapshot.period}-v{snapshot.version}-{name}",
        fmt=fmt,
    )
