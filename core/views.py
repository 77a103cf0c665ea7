"""The health check and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode

from accounts.access import AUDIT_READERS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import AuditEvent
from core import selectors
from core.exports import Title, table_download
from core.forms import audit_filters
from core.health import health_check


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database, the broker and a recent worker are all fine, else 503 (JSON either
    way, for monitoring); `?check=web` looks at the database only (docs/deployment.md)."""
    health = health_check(web_only=request.GET.get("check") == "web")
    return JsonResponse(health.as_json(), status=200 if health.ok else 503)


@role_required(*AUDIT_READERS)
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log, 50 a page; `?format=csv|xlsx` downloads every event the filter finds."""
    authority = authority_of(request)
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    events = selectors.audit_events(authority=authority, action=action, actor=actor)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        what = "Audit log" + (f", changes starting {action}" if action else "") + (f", by {actor}" if actor else "")
        return table_download(
            selectors.audit_frame(events), filename="audit-log", fmt=fmt, title=Title(authority.name, what)
        )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.filter(authority=authority).values_list("action", flat=True).distinct().order_by("action")
    )
    context = {
        "page": page,
        "action": action,
        "actor": actor,
        "filters": audit_filters(sorted(set(actions)), action=action, actor=actor),
        "query": urlencode({"action": action, "actor": actor}),
    }
    return render(request, "core/audit.html", context)
