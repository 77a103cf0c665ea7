"""Each request's log context: its id (the proxy's X-Request-ID when it sends a sensible one,
else a new one, and echoed back in the response), then the user and the authority once the
session has been read. Placed after the authentication middleware. The context lasts until the
response is closed, so that Django's own line about a 404 or 500 (written after every
middleware has returned) carries it too; the next request starts afresh."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse

from core.logs import log_context_clear, log_context_set, log_context_update

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and plain, so a client cannot write into the logs.
_SENSIBLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SENSIBLE_ID.match(given) else uuid.uuid4().hex


class RequestLogContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        log_context_set(request_id=request_id)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            log_context_update(user=user.get_username(), authority=getattr(user, "authority_id", None))
        response = self.get_response(request)
        response.headers.setdefault(REQUEST_ID_HEADER, request_id)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: object,
        view_kwargs: dict[str, object],
    ) -> None:
        # Pages about one forecast run carry its id in the URL.
        if "run_id" in view_kwargs:
            log_context_update(run_id=view_kwargs["run_id"])


def _clear(**_: object) -> None:
    log_context_clear()


request_started.connect(_clear, dispatch_uid="outturn-log-context-start")
request_finished.connect(_clear, dispatch_uid="outturn-log-context-finish")
