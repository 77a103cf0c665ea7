"""`Server-Timing: app;dur=…` on every response: the server's own time, so load tests (and a
browser's network panel) can tell it apart from queueing and the network."""

from collections.abc import Callable
from time import perf_counter

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = perf_counter()
        response = self.get_response(request)
        response.headers["Server-Timing"] = f"app;dur={(perf_counter() - started) * 1000:.1f}"
        return response
