"""The health check and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.access import AUDIT_READERS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import AuditEvent


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@role_required(*AUDIT_READERS)
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    events = AuditEvent.objects.filter(authority=authority).select_related("user")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.filter(authority=authority).values_list("action", flat=True).distinct().order_by("action")
    )
    return render(
        request, "core/audit.html", {"page": page, "action": action, "actor": actor, "actions": sorted(set(actions))}
    )
