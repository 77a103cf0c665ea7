"""Workforce pages: teams and their establishment, a worker's history, entry of workers,
absences and agency engagements, snapshots, and the KPI page. Every table downloads as CSV and
XLSX (`?table=NAME&format=csv|xlsx`).

Finance officers change things; directors and administrators read; committee members see
nothing here. Every query is scoped to the user's authority.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.access import FINANCE, STAFF_READERS, authority_of, role_required
from accounts.models import AuditEvent, User
from core.exports import table_download
from core.parsing import parse_date
from forecasting.engine.calendar import CalendarError, year_containing
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.models import FinancialYear
from workforce import kpis, selectors
from workforce.forms import AbsenceForm, EndForm, SnapshotForm, TeamForm, WorkerForm
from workforce.models import Post, Team, Worker, WorkerType, WorkforceSnapshot
from workforce.services import (
    WorkerData,
    snapshot_delete,
    snapshot_take,
    team_save,
    worker_absence_set,
    worker_add,
    worker_end,
    worker_update,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _download(request: HttpRequest, tables: dict[str, Any], filename: str) -> HttpResponse | None:
    """The download asked for, if any: tables maps a name to a zero-argument frame builder."""
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    name = request.GET.get("table", next(iter(tables)))
    if name not in tables:
        raise Http404("No such table")
    return table_download(kpis.export_frame(tables[name]()), filename=f"{filename}-{name}", fmt=fmt)


def _date_param(request: HttpRequest, name: str, default: date) -> date:
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    try:
        return parse_date(text)
    except ValueError:
        return default


def _default_on(authority: Any) -> date:
    """The latest snapshot's date (the last picture recorded), else today."""
    latest = selectors.latest_snapshot(authority=authority)
    return latest.as_at if latest else timezone.localdate()


def _query(request: HttpRequest, **extra: str) -> str:
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k not in ("format", "table")}
    params.update(extra)
    return urlencode(params)


# --------------------------------------------------------------------------------------------
# teams


@role_required(*STAFF_READERS)
def teams(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    on = _date_param(request, "on", _default_on(authority))
    rows = selectors.team_establishment(authority=authority, on=on)

    def frame() -> pd.DataFrame:
        return pd.DataFrame([{
            "team": r["team"].code, "team_name": r["team"].name, "budget_line": r["team"].budget_line.code,
            "hard_to_retain": "yes" if r["team"].hard_to_retain else "no",
            "manageable_caseload": r["team"].manageable_caseload, "budgeted_fte": r["budgeted_fte"],
            "budgeted_cost": r["budgeted_cost"], "fte_in_post": r["fte_in_post"], "absent_fte": r["absent_fte"],
            "vacancies": r["vacancies"], "agency_fte": r["agency_fte"],
        } for r in rows], columns=["team", "team_name", "budget_line", "hard_to_retain", "manageable_caseload",
                                   "budgeted_fte", "budgeted_cost", "fte_in_post", "absent_fte", "vacancies",
                                   "agency_fte"])

    download = _download(request, {"teams": frame}, f"workforce-teams-{on.isoformat()}")
    if download:
        return download
    totals = {key: sum(r[key] for r in rows) for key in
              ("budgeted_fte", "budgeted_cost", "fte_in_post", "absent_fte", "vacancies", "agency_fte")}
    return render(request, "workforce/teams.html", {
        "rows": rows, "totals": totals, "on": on, "query": _query(request, table="teams"),
        "can_edit": _user(request).is_finance_officer,
    })


@role_required(*STAFF_READERS)
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    authority = authority_of(request)
    team = selectors.team_for(authority=authority, team_id=team_id)
    on = _date_param(request, "on", _default_on(authority))
    show_all = request.GET.get("show") == "all"
    posts = list(Post.objects.filter(team=team).order_by("ref"))
    workers = list(Worker.objects.filter(team=team).select_related("post").order_by("worker_type", "ref"))
    if not show_all:
        workers = [w for w in workers if w.end_date is None or w.end_date >= on]
    holders: dict[int, list[Worker]] = {}
    for w in workers:
        if w.post_id and w.worker_type == WorkerType.PERMANENT and w.engaged_on(on):
            holders.setdefault(w.post_id, []).append(w)

    def posts_frame() -> pd.DataFrame:
        return pd.DataFrame([{
            "post_ref": p.ref, "role": p.role, "fte": float(p.fte), "annual_cost": p.annual_cost,
            "held_by": ", ".join(w.ref for w in holders.get(p.pk, [])),
        } for p in posts], columns=["post_ref", "role", "fte", "annual_cost", "held_by"])

    def staff_frame() -> pd.DataFrame:
        return pd.DataFrame([{
            "worker_ref": w.ref, "role": w.role, "worker_type": w.worker_type, "fte": float(w.fte),
            "post_ref": w.post.ref if w.post else "", "start_date": w.start_date, "end_date": w.end_date,
            "annual_cost": w.annual_cost, "weekly_rate": w.weekly_rate, "agency_reason": w.agency_reason,
            "absence": w.absence, "caseload": w.caseload, "asye": "yes" if w.asye else "no",
        } for w in workers], columns=["worker_ref", "role", "worker_type", "fte", "post_ref", "start_date", "end_date",
                                      "annual_cost", "weekly_rate", "agency_reason", "absence", "caseload", "asye"])

    download = _download(request, {"posts": posts_frame, "staff": staff_frame},
                         f"workforce-{team.code}-{on.isoformat()}")
    if download:
        return download
    workers_df, posts_df, teams_df = selectors.current_frames(authority=authority, level="team")
    from forecasting.engine.workforce import workforce_kpis

    kpi = workforce_kpis(workers_df[workers_df["team"] == team.code], posts_df[posts_df["team"] == team.code], on,
                         teams=teams_df, by="team")
    summary = kpi.iloc[0].to_dict() if len(kpi) else None
    return render(request, "workforce/team.html", {
        "team": team, "posts": posts, "workers": workers, "holders": holders, "on": on, "summary": summary,
        "show_all": show_all, "posts_query": _query(request, table="posts"),
        "staff_query": _query(request, table="staff"), "can_edit": _user(request).is_finance_officer,
    })


@role_required(*FINANCE)
def team_edit(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    authority = authority_of(request)
    team = selectors.team_for(authority=authority, team_id=team_id) if team_id else None
    initial = {}
    if team:
        initial = {"code": team.code, "name": team.name, "budget_line": team.budget_line,
                   "hard_to_retain": team.hard_to_retain, "manageable_caseload": team.manageable_caseload}
    form = TeamForm(request.POST or None, initial=initial, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = team_save(authority=authority, user=_user(request), code=data["code"], name=data["name"],
                              budget_line=data["budget_line"], hard_to_retain=data["hard_to_retain"],
                              manageable_caseload=data["manageable_caseload"], team=team)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Team {saved.code} saved.")
            return redirect("workforce:team", team_id=saved.pk)
    return render(request, "workforce/team_form.html", {"form": form, "team": team})


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "message_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --------------------------------------------------------------------------------------------
# workers


@role_required(*STAFF_READERS)
def worker_detail(request: HttpRequest, worker_id: int) -> HttpResponse:
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id)
    history = selectors.worker_snapshot_rows(authority=authority, ref=worker.ref)
    events = list(AuditEvent.objects.filter(
        authority=authority, object_type="workforce.Worker", object_id=str(worker.pk)
    ).order_by("created_at", "id"))

    def history_frame() -> pd.DataFrame:
        return pd.DataFrame([{
            "as_at": r.snapshot.as_at, "team": r.team, "post_ref": r.post_ref, "worker_type": r.worker_type,
            "fte": float(r.fte), "annual_cost": r.annual_cost, "weekly_rate": r.weekly_rate,
            "agency_reason": r.agency_reason, "absence": r.absence, "caseload": r.caseload,
            "end_date": r.end_date, "asye": "yes" if r.asye else "no",
        } for r in history], columns=["as_at", "team", "post_ref", "worker_type", "fte", "annual_cost", "weekly_rate",
                                      "agency_reason", "absence", "caseload", "end_date", "asye"])

    def changes_frame() -> pd.DataFrame:
        return pd.DataFrame([{
            "when": timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), "who": e.actor, "action": e.action,
            "changed": _changed_text(e.before, e.after), "reason": e.reason,
        } for e in events], columns=["when", "who", "action", "changed", "reason"])

    download = _download(request, {"history": history_frame, "changes": changes_frame}, f"worker-{worker.ref}")
    if download:
        return download
    return render(request, "workforce/worker.html", {
        "worker": worker, "history": history, "events": [(e, _changed_text(e.before, e.after)) for e in events],
        "history_query": _query(request, table="history"), "changes_query": _query(request, table="changes"),
        "can_edit": _user(request).is_finance_officer,
    })


def _changed_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if before is None and after is not None:
        return "created"
    if after is None:
        return "removed"
    keys = [k for k in after if before.get(k) != after.get(k)] if before else []
    return "; ".join(f"{k}: {before.get(k) if before else ''} → {after.get(k)}" for k in keys)


def _worker_data(form: WorkerForm) -> WorkerData:
    d = form.cleaned_data
    return WorkerData(
        ref=d["ref"], team=d["team"], worker_type=d["worker_type"], fte=d["fte"], start_date=d["start_date"],
        end_date=d["end_date"], post=d["post"], role=d["role"], annual_cost=d["annual_cost"],
        weekly_rate=d["weekly_rate"], agency_reason=d["agency_reason"], caseload=d["caseload"], asye=d["asye"],
    )


@role_required(*FINANCE)
def worker_edit(request: HttpRequest, worker_id: int | None = None) -> HttpResponse:
    """Add a worker or an agency engagement (?type=agency), or change one."""
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id) if worker_id else None
    initial: dict[str, Any] = {}
    if worker:
        initial = {
            "ref": worker.ref, "team": worker.team, "post": worker.post, "role": worker.role,
            "worker_type": worker.worker_type, "fte": worker.fte, "start_date": worker.start_date,
            "end_date": worker.end_date, "annual_cost": _pounds_input(worker.annual_cost),
            "weekly_rate": _pounds_input(worker.weekly_rate), "agency_reason": worker.agency_reason,
            "caseload": worker.caseload, "asye": worker.asye,
        }
    else:
        initial["worker_type"] = WorkerType.AGENCY if request.GET.get("type") == "agency" else WorkerType.PERMANENT
        team_id = request.GET.get("team", "")
        if team_id.isdigit():
            initial["team"] = Team.objects.filter(authority=authority, pk=int(team_id)).first()
    form = WorkerForm(request.POST or None, initial=initial, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            if worker is None:
                saved = worker_add(authority=authority, user=_user(request), data=_worker_data(form))
            else:
                saved = worker_update(authority=authority, user=_user(request), worker=worker, data=_worker_data(form))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Worker {saved.ref} saved.")
            return redirect("workforce:worker", worker_id=saved.pk)
    agency = (form["worker_type"].value() or initial.get("worker_type")) == WorkerType.AGENCY
    return render(request, "workforce/worker_form.html", {"form": form, "worker": worker, "agency": agency})


def _pounds_input(pence: int | None) -> str:
    from forecasting.engine.money import pence_to_pounds

    return "" if pence is None else f"{pence_to_pounds(pence)}"


@role_required(*FINANCE)
def worker_end_view(request: HttpRequest, worker_id: int) -> HttpResponse:
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id)
    form = EndForm(request.POST or None, initial={"end_date": worker.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            worker_end(authority=authority, user=_user(request), worker=worker, end_date=form.cleaned_data["end_date"],
                       reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"{worker.ref}'s last day is recorded.")
            return redirect("workforce:worker", worker_id=worker.pk)
    return render(request, "workforce/worker_end.html", {"form": form, "worker": worker})


@role_required(*FINANCE)
def worker_absence_view(request: HttpRequest, worker_id: int) -> HttpResponse:
    authority = authority_of(request)
    worker = selectors.worker_for(authority=authority, worker_id=worker_id)
    form = AbsenceForm(request.POST or None, initial={"absence": worker.absence, "since": worker.absence_since})
    if request.method == "POST" and form.is_valid():
        try:
            worker_absence_set(authority=authority, user=_user(request), worker=worker,
                               absence=form.cleaned_data["absence"], since=form.cleaned_data["since"],
                               reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"{worker.ref}'s absence is recorded.")
            return redirect("workforce:worker", worker_id=worker.pk)
    return render(request, "workforce/worker_absence.html", {"form": form, "worker": worker})


# --------------------------------------------------------------------------------------------
# snapshots


@role_required(*STAFF_READERS)
def snapshots(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = SnapshotForm(request.POST or None)
    if request.method == "POST":
        if not _user(request).is_finance_officer:
            raise_forbidden()
        if form.is_valid():
            snapshot = snapshot_take(authority=authority, user=_user(request), as_at=form.cleaned_data["as_at"])
            messages.success(request, f"The workforce as at {snapshot.as_at.isoformat()} is recorded.")
            return redirect("workforce:snapshots")
    trend = kpis.trend_table(authority=authority)
    download = _download(request, {"trend": lambda: trend}, "workforce-month-by-month")
    if download:
        return download
    items = selectors.snapshots(authority=authority)
    counts = {s.pk: s.rows.count() for s in items}
    return render(request, "workforce/snapshots.html", {
        "form": form,
        "snapshots": [(s, counts[s.pk], year_containing(s.as_at),
                       Calendar.from_label(year_containing(s.as_at)).period_of(s.as_at)) for s in reversed(items)],
        "trend": trend.to_dict("records"), "query": _query(request, table="trend"),
        "can_edit": _user(request).is_finance_officer,
    })


def raise_forbidden() -> None:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied("Your role does not allow this.")


@require_POST
@role_required(*FINANCE)
def snapshot_delete_view(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    authority = authority_of(request)
    snapshot = get_object_or_404(WorkforceSnapshot, pk=snapshot_id, authority=authority)
    snapshot_delete(authority=authority, user=_user(request), snapshot=snapshot)
    messages.success(request, f"The snapshot as at {snapshot.as_at.isoformat()} was removed.")
    return redirect("workforce:snapshots")


# --------------------------------------------------------------------------------------------
# KPIs


def _year_and_period(request: HttpRequest, authority: Any) -> tuple[Calendar, int, list[str]]:
    """The financial year (?year=2019/20) and month (?period=4) asked for, with sensible defaults."""
    labels = list(FinancialYear.objects.filter(authority=authority).order_by("-start_year")
                  .values_list("label", flat=True))
    latest = selectors.latest_snapshot(authority=authority)
    default_label = year_containing(latest.as_at) if latest else (labels[0] if labels else
                                                                  year_containing(timezone.localdate()))
    label = request.GET.get("year") or default_label
    try:
        calendar = Calendar.from_label(label)
    except CalendarError:
        raise Http404("No such financial year") from None
    if label not in labels:
        labels.insert(0, label)
    period_text = request.GET.get("period", "")
    if period_text.isdigit() and 1 <= int(period_text) <= 12:
        period = int(period_text)
    elif latest and calendar.start <= latest.as_at <= calendar.end:
        period = calendar.period_of(latest.as_at)
    else:
        today = timezone.localdate()
        period = calendar.period_of(today) if calendar.start <= today <= calendar.end else 12
    return calendar, period, labels


@role_required(*STAFF_READERS)
def kpi_page(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    calendar, period, labels = _year_and_period(request, authority)
    by = request.GET.get("by", "team")
    if by not in kpis.GROUPINGS:
        by = "team"
    group = request.GET.get("group", "all")
    if group not in ("all", "hard to retain", "other teams"):
        group = "all"
    picture = kpis.picture_for_month(authority=authority, calendar=calendar, period=period)
    table = kpis.kpi_table(picture, by=by)
    total = kpis.kpi_total(picture)
    reasons = kpis.reasons_by_month(authority=authority, calendar=calendar, upto=period, group=group)
    committed = kpis.committed_table(picture, calendar)
    committed_teams = kpis.committed_by_team(picture, calendar)
    download = _download(request, {
        "kpis": lambda: table, "reasons": lambda: reasons, "committed": lambda: committed,
        "committed_by_team": lambda: committed_teams,
    }, f"workforce-kpis-{calendar.month_label(period)}")
    if download:
        return download
    return render(request, "workforce/kpis.html", {
        "calendar": calendar, "period": period, "labels": labels, "by": by, "groupings": kpis.GROUPINGS,
        "group": group, "group_choices": [("all", "All teams"), ("hard to retain", "Hard-to-retain teams"),
                                          ("other teams", "Other teams")],
        "picture": picture, "rows": table.to_dict("records"), "total": total.to_dict(),
        "reasons": reasons.to_dict("records"), "reason_columns": kpis.AGENCY_REASONS,  # type: ignore[attr-defined]
        "reason_labels": kpis.REASON_LABELS, "committed": committed.to_dict("records"),
        "committed_total": {k: int(committed[k].sum()) for k in ("permanent_cost", "agency_cost", "total_cost")},
        "committed_teams": committed_teams.to_dict("records"),
        "months": [(p, f"P{p} {calendar.month_start(p):%B %Y}") for p in range(1, 13)],
        "kpi_query": _query(request, table="kpis"), "reasons_query": _query(request, table="reasons"),
        "committed_query": _query(request, table="committed"),
        "committed_teams_query": _query(request, table="committed_by_team"),
    })
