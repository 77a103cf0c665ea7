"""Sessions end after eight idle hours, without writing the session on every request.

Saving the session on every request (Django's SESSION_SAVE_EVERY_REQUEST) renews its expiry, but
costs a database write per page, and every reader of the dashboard then queues behind those
writes. Renewing it once a minute is the same rule to within that minute: a session seen at least
once in the last eight hours, less a minute, is still open."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

RENEWED_KEY = "_outturn_renewed_at"


class SessionIdleRenewalMiddleware:
    """After SessionMiddleware: a session in use is saved again (so its eight hours start again)
    when it was last saved more than OUTTURN_SESSION_RENEW_SECONDS ago."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            try:
                renewed = int(session.get(RENEWED_KEY, 0))
            except (TypeError, ValueError):
                renewed = 0
            if now - renewed >= settings.OUTTURN_SESSION_RENEW_SECONDS:
                session[RENEWED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response
