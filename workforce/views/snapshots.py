"""Monthly snapshots of the workforce: the list of them with the month-by-month trend, taking one
and removing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.calendar import year_containing
from workforce import kpis, selectors
from workforce.forms import SnapshotForm
from workforce.services import snapshot_delete, snapshot_take
from workforce.views.shared import download_table, page_query


@role_required(*STAFF_READERS)
def snapshots(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = SnapshotForm(request.POST or None)
    if request.method == "POST":
        # Directors and administrators read this page; only finance officers take a snapshot.
        if not request.user.is_finance_officer:
            raise PermissionDenied("Your role does not allow this.")
        if form.is_valid():
            snapshot = snapshot_take(authority=authority, user=request.user, as_at=form.cleaned_data["as_at"])
            messages.success(request, f"The workforce as at {snapshot.as_at.isoformat()} is recorded.")
            return redirect("workforce:snapshots")
    trend = kpis.trend_table(authority=authority)
    download = download_table(
        request, {"trend": lambda: trend}, "workforce-month-by-month", what="Workforce month by month"
    )
    if download:
        return download
    items = selectors.snapshots(authority=authority)
    counts = selectors.snapshot_row_counts(items)
    return render(
        request,
        "workforce/snapshots.html",
        {
            "form": form,
            "snapshots": [
                (
                    s,
                    counts[s.pk],
                    year_containing(s.as_at),
                    Calendar.from_label(year_containing(s.as_at)).period_of(s.as_at),
                )
                for s in reversed(items)
            ],
            "trend": trend.to_dict("records"),
            "query": page_query(request, table="trend"),
            "can_edit": request.user.is_finance_officer,
        },
    )


@require_POST
@role_required(*FINANCE)
def snapshot_delete_view(request: AuthenticatedHttpRequest, snapshot_id: int) -> HttpResponse:
    authority = authority_of(request)
    snapshot = selectors.snapshot_for(authority=authority, snapshot_id=snapshot_id)
    snapshot_delete(authority=authority, user=request.user, snapshot=snapshot)
    messages.success(request, f"The snapshot as at {snapshot.as_at.isoformat()} was removed.")
    return redirect("workforce:snapshots")
