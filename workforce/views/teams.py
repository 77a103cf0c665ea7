"""The teams: their establishment on a date, one team's posts and staff, and a team's details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from workforce import selectors, tables
from workforce.forms import TeamForm, teams_filter
from workforce.services import team_save
from workforce.views.shared import date_param, default_on, download_table, form_errors, page_query

TOTALLED = ("budgeted_fte", "budgeted_cost", "fte_in_post", "absent_fte", "vacancies", "agency_fte")


@role_required(*STAFF_READERS)
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    on = date_param(request, "on", default_on(authority))
    rows = selectors.team_establishment(authority=authority, on=on)
    download = download_table(
        request,
        {"teams": lambda: tables.establishment_table(rows)},
        f"workforce-teams-{on.isoformat()}",
        what="Workforce establishment",
        period=f"On {on.day} {on:%B %Y}",
    )
    if download:
        return download
    return render(
        request,
        "workforce/teams.html",
        {
            "rows": rows,
            "totals": {key: sum(r[key] for r in rows) for key in TOTALLED},
            "on": on,
            "filter": teams_filter(on),
            "query": page_query(request, table="teams"),
            "can_edit": request.user.is_finance_officer,
        },
    )


@role_required(*STAFF_READERS)
def team_detail(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    authority = authority_of(request)
    team = selectors.team_for(authority=authority, team_id=team_id)
    on = date_param(request, "on", default_on(authority))
    show_all = request.GET.get("show") == "all"
    staff = selectors.team_staff(team=team, on=on, show_all=show_all)
    download = download_table(
        request,
        {"posts": lambda: tables.team_posts_table(staff), "staff": lambda: tables.team_staff_table(staff)},
        f"workforce-{team.code}-{on.isoformat()}",
        what=f"Team {team.name}",
        period=f"On {on.day} {on:%B %Y}",
    )
    if download:
        return download
    return render(
        request,
        "workforce/team.html",
        {
            "team": team,
            "posts": staff.posts,
            "workers": staff.workers,
            "holders": staff.holders,
            "on": on,
            "summary": selectors.team_kpi_summary(authority=authority, team=team, on=on),
            "show_all": show_all,
            "posts_query": page_query(request, table="posts"),
            "staff_query": page_query(request, table="staff"),
            "can_edit": request.user.is_finance_officer,
        },
    )


@role_required(*FINANCE)
def team_edit(request: AuthenticatedHttpRequest, team_id: int | None = None) -> HttpResponse:
    authority = authority_of(request)
    team = selectors.team_for(authority=authority, team_id=team_id) if team_id else None
    initial = {}
    if team:
        initial = {
            "code": team.code,
            "name": team.name,
            "budget_line": team.budget_line,
            "hard_to_retain": team.hard_to_retain,
            "manageable_caseload": team.manageable_caseload,
        }
    form = TeamForm(request.POST or None, initial=initial, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = team_save(
                authority=authority,
                user=request.user,
                code=data["code"],
                name=data["name"],
                budget_line=data["budget_line"],
                hard_to_retain=data["hard_to_retain"],
                manageable_caseload=data["manageable_caseload"],
                team=team,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"Team {saved.code} saved.")
            return redirect("workforce:team", team_id=saved.pk)
    return render(request, "workforce/team_form.html", {"form": form, "team": team})
