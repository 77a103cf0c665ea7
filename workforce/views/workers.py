"""A worker's history and changes, and entry of workers, agency engagements, last days and absences."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import Authority
from forecasting.engine.money import pence_to_pounds
from forecasting.parsing import parse_int
from workforce import selectors, tables
from workforce.forms import AbsenceForm, EndForm, WorkerForm
from workforce.models import Worker, WorkerType
from workforce.services import WorkerData, worker_absence_set, worker_add, worker_end, worker_update
from workforce.views.shared import download_table, form_errors, page_query


@role_required(*STAFF_READERS)
def worker_detail(request: AuthenticatedHttpRequest, worker_id: int) -> HttpResponse:
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id)
    history = selectors.worker_snapshot_rows(authority=authority, ref=worker.ref)
    events = selectors.worker_changes(authority=authority, worker=worker)
    download = download_table(
        request,
        {
            "history": lambda: tables.worker_history_table(history),
            "changes": lambda: tables.worker_changes_table(events),
        },
        f"worker-{worker.ref}",
        what=f"Worker {worker.ref}",
    )
    if download:
        return download
    return render(
        request,
        "workforce/worker.html",
        {
            "worker": worker,
            "history": history,
            "events": [(e, tables.changed_text(e.before, e.after)) for e in events],
            "history_query": page_query(request, table="history"),
            "changes_query": page_query(request, table="changes"),
            "can_edit": request.user.is_finance_officer,
        },
    )


def _worker_data(form: WorkerForm) -> WorkerData:
    d = form.cleaned_data
    return WorkerData(
        ref=d["ref"],
        team=d["team"],
        worker_type=d["worker_type"],
        fte=d["fte"],
        start_date=d["start_date"],
        end_date=d["end_date"],
        post=d["post"],
        role=d["role"],
        annual_cost=d["annual_cost"],
        weekly_rate=d["weekly_rate"],
        agency_reason=d["agency_reason"],
        caseload=d["caseload"],
        asye=d["asye"],
    )


def _pounds_input(pence: int | None) -> str:
    return "" if pence is None else f"{pence_to_pounds(pence)}"


def _worker_initial(request: AuthenticatedHttpRequest, authority: Authority, worker: Worker | None) -> dict[str, Any]:
    """The form as the worker stands, or for a new one: its type (?type=agency) and team (?team=12)."""
    if worker:
        return {
            "ref": worker.ref,
            "team": worker.team,
            "post": worker.post,
            "role": worker.role,
            "worker_type": worker.worker_type,
            "fte": worker.fte,
            "start_date": worker.start_date,
            "end_date": worker.end_date,
            "annual_cost": _pounds_input(worker.annual_cost),
            "weekly_rate": _pounds_input(worker.weekly_rate),
            "agency_reason": worker.agency_reason,
            "caseload": worker.caseload,
            "asye": worker.asye,
        }
    initial: dict[str, Any] = {
        "worker_type": WorkerType.AGENCY if request.GET.get("type") == "agency" else WorkerType.PERMANENT
    }
    try:
        team_id = parse_int(request.GET.get("team", ""), low=1, high=2**63 - 1)
    except ValueError:  # no team asked for, or not an id: no team chosen
        return initial
    initial["team"] = selectors.team_or_none(authority=authority, team_id=team_id)
    return initial


@role_required(*FINANCE)
def worker_edit(request: AuthenticatedHttpRequest, worker_id: int | None = None) -> HttpResponse:
    """Add a worker or an agency engagement (?type=agency), or change one."""
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id) if worker_id else None
    initial = _worker_initial(request, authority, worker)
    form = WorkerForm(request.POST or None, initial=initial, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            if worker is None:
                saved = worker_add(authority=authority, user=request.user, data=_worker_data(form))
            else:
                saved = worker_update(authority=authority, user=request.user, worker=worker, data=_worker_data(form))
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"Worker {saved.ref} saved.")
            return redirect("workforce:worker", worker_id=saved.pk)
    agency = (form["worker_type"].value() or initial.get("worker_type")) == WorkerType.AGENCY
    return render(request, "workforce/worker_form.html", {"form": form, "worker": worker, "agency": agency})


@role_required(*FINANCE)
def worker_end_view(request: AuthenticatedHttpRequest, worker_id: int) -> HttpResponse:
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id)
    form = EndForm(request.POST or None, initial={"end_date": worker.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            worker_end(
                authority=authority,
                user=request.user,
                worker=worker,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"{worker.ref}'s last day is recorded.")
            return redirect("workforce:worker", worker_id=worker.pk)
    return render(request, "workforce/worker_end.html", {"form": form, "worker": worker})


@role_required(*FINANCE)
def worker_absence_view(request: AuthenticatedHttpRequest, worker_id: int) -> HttpResponse:
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id)
    form = AbsenceForm(request.POST or None, initial={"absence": worker.absence, "since": worker.absence_since})
    if request.method == "POST" and form.is_valid():
        try:
            worker_absence_set(
                authority=authority,
                user=request.user,
                worker=worker,
                absence=form.cleaned_data["absence"],
                since=form.cleaned_data["since"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"{worker.ref}'s absence is recorded.")
            return redirect("workforce:worker", worker_id=worker.pk)
    return render(request, "workforce/worker_absence.html", {"form": form, "worker": worker})
