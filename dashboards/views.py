"""The period dashboard, commentary, sign-off, the committee view, its PDF and the downloads.

Staff (finance officers, directors, administrators) read the live dashboard of any finished run.
Committee members only ever reach published periods, through `PublishedPeriod` rows of their own
authority; asking for the live dashboard sends them to the published list.

Each view parses the request, calls one selector or service and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import DIRECTORS, FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import Role
from core.exports import table_download
from dashboards import integrity, selectors, services
from dashboards.forms import CommentaryForm, SignOffForm, period_selectors
from dashboards.selectors import RunAsked
from forecasting.engine.scenarios import REPORTED_SCENARIO

EVERYONE = (*STAFF_READERS, Role.COMMITTEE_MEMBER)
FORMATS = ("csv", "xlsx")


def _scenario(request: AuthenticatedHttpRequest) -> str:
    name = request.GET.get("scenario", REPORTED_SCENARIO)
    return name if name.replace("_", "").replace("-", "").isalnum() and len(name) <= 40 else REPORTED_SCENARIO


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _asked(request: AuthenticatedHttpRequest) -> RunAsked:
    return RunAsked(
        year=request.GET.get("year"),
        period=_int(request.GET.get("period")),
        run_id=_int(request.GET.get("run")),
        scenario=_scenario(request),
    )


# --------------------------------------------------------------------------------------------
# The director's dashboard
# --------------------------------------------------------------------------------------------


def period(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role == Role.COMMITTEE_MEMBER and request.user.authority_id is not None:
        # The committee reads what is published: the latest period when there is one.
        latest = selectors.current_versions(authority=authority_of(request))
        return (
            redirect("dashboards:published", published_id=latest[0].pk)
            if latest
            else redirect("dashboards:published_list")
        )
    return _period_dashboard(request)


@role_required(*STAFF_READERS)
def _period_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = selectors.period_page(authority=authority_of(request), asked=_asked(request))
    context["selectors"] = period_selectors(context)
    return render(request, "dashboards/period.html", context)


@role_required(*STAFF_READERS)
def service(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Drill-down: one service's lines, and the placements or workers behind each line;
    `?table=NAME&format=csv|xlsx` downloads one of its tables."""
    service_name = request.GET.get("service", "")
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        frame, filename, title = selectors.service_table(
            authority=authority_of(request),
            asked=_asked(request),
            service_name=service_name,
            name=request.GET.get("table", "lines"),
        )
        return table_download(frame, filename=filename, fmt=fmt, title=title)
    context = selectors.service_page(authority=authority_of(request), asked=_asked(request), service_name=service_name)
    return render(request, "dashboards/service.html", context)


# --------------------------------------------------------------------------------------------
# Commentary and sign-off
# --------------------------------------------------------------------------------------------


@role_required(*FINANCE)
def commentary(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year, run = selectors.finished_run(
        authority=authority, asked=_asked(request), missing="No finished forecast run to comment on"
    )
    if request.method == "POST":
        names = selectors.commentary_services(run=run)
        texts = CommentaryForm.texts_of(request.POST, names)
        changed = services.commentary_save(
            authority=authority, user=request.user, year=year, period=run.period, texts=texts
        )
        messages.success(request, f"Commentary saved ({changed} service{'s' if changed != 1 else ''} changed).")
        return redirect(f"{reverse('dashboards:period')}?{selectors.run_query(run, REPORTED_SCENARIO)}#services")
    context = selectors.commentary_page(authority=authority, year=year, run=run)
    context["form"] = CommentaryForm(rows=context["rows"])
    return render(request, "dashboards/commentary.html", context)


@role_required(*DIRECTORS)
def sign_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    if request.method == "GET":
        year, run = selectors.run_asked(authority=authority, asked=_asked(request))
    else:
        year, run = selectors.posted_run(authority=authority, run_id=_int(request.POST.get("run")))
    if run is None or year is None:
        raise Http404("No finished forecast run to sign off")
    context = selectors.sign_off_page(authority=authority, year=year, run=run)
    form = SignOffForm(
        request.POST if request.method == "POST" else None,
        run_id=run.pk,
        items=context["checks"].items,
        benchmarks=context["benchmarks_available"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            published = services.period_sign_off(
                authority=authority,
                user=request.user,
                run=run,
                comment=form.cleaned_data["comment"],
                acknowledged=form.ticked(),
                include_benchmarks=bool(form.cleaned_data.get("include_benchmarks")),
            )
        except services.SignOffNeedsLookError as problem:
            form.not_looked_at(problem.items)
        except services.SignOffError as problem:
            form.add_error("comment", str(problem))
        else:
            messages.success(
                request, f"Period {published.period} signed off and published as version {published.version}."
            )
            return redirect("dashboards:published", published_id=published.pk)
    context["form"] = form
    return render(request, "dashboards/sign_off.html", context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# Published periods: the committee view, its PDF and downloads
# --------------------------------------------------------------------------------------------


@role_required(*EVERYONE)
def published_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = selectors.published_list_page(authority=authority_of(request))
    return render(request, "dashboards/published_list.html", context)


@role_required(*EVERYONE)
def published(request: AuthenticatedHttpRequest, published_id: int) -> HttpResponse:
    context = selectors.published_page(authority=authority_of(request), published_id=published_id)
    return render(request, "dashboards/published.html", context)


@require_POST
@role_required(*EVERYONE)
def published_pdf(request: AuthenticatedHttpRequest, published_id: int) -> HttpResponse:
    snapshot = selectors.published_for(authority=authority_of(request), published_id=published_id)
    services.snapshot_pdf_request(published=snapshot, user=request.user)
    return redirect(f"{reverse('dashboards:published', args=[snapshot.pk])}#pdf")


@role_required(*EVERYONE)
def published_pdf_status(request: AuthenticatedHttpRequest, published_id: int) -> JsonResponse:
    return JsonResponse(selectors.pdf_status(authority=authority_of(request), published_id=published_id))


def _seal_broken(request: AuthenticatedHttpRequest, broken: integrity.SealBroken) -> HttpResponse:
    context = {"published": broken.published, "what": broken.what}
    return render(request, "dashboards/seal_broken.html", context, status=409)


@role_required(*EVERYONE)
def published_pdf_download(request: AuthenticatedHttpRequest, published_id: int) -> HttpResponse:
    authority = authority_of(request)
    content, filename, sha256 = selectors.published_pdf_file(authority=authority, published_id=published_id)
    try:
        integrity.pdf_check(
            authority=authority, published_id=published_id, user=request.user, content=content, stored=sha256
        )
    except integrity.SealBroken as broken:
        return _seal_broken(request, broken)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = f'"{sha256}"'
    return response


# --------------------------------------------------------------------------------------------
# Downloads: every table as CSV and XLSX
# --------------------------------------------------------------------------------------------


@role_required(*STAFF_READERS)
def table(request: AuthenticatedHttpRequest, name: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("CSV or XLSX")
    frame, filename, title = selectors.run_table(authority=authority_of(request), asked=_asked(request), name=name)
    return table_download(frame, filename=filename, fmt=fmt, title=title)


@role_required(*EVERYONE)
def published_table(request: AuthenticatedHttpRequest, published_id: int, name: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("CSV or XLSX")
    authority = authority_of(request)
    try:
        integrity.published_check(authority=authority, published_id=published_id, user=request.user)
    except integrity.SealBroken as broken:
        return _seal_broken(request, broken)
    frame, filename, title = selectors.published_table(authority=authority, published_id=published_id, name=name)
    return table_download(frame, filename=filename, fmt=fmt, title=title)
