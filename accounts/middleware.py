"""The second step is owed on every request, not only at the password: a director or administrator
signed in before the rule applied to them (a session from before, or a promotion while signed in)
gives their code on their next request instead of carrying on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

from accounts.sign_in_views import MODEL_BACKEND, safe_next, second_step_begin, second_step_owed

# Signing out needs no code.
_EXEMPT_URL_NAMES = {"logout"}


class SecondStepMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # The sign-in pages themselves (and anything open without signing in) are left alone.
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _EXEMPT_URL_NAMES:
            return None
        if not second_step_owed(request):
            return None
        user = request.user
        backend = str(request.session.get(BACKEND_SESSION_KEY) or MODEL_BACKEND)
        # Where they were going, if it is a page to come back to (never a form sent half-way).
        next_url = request.get_full_path() if request.method == "GET" else ""
        # Signed out first, so nothing opens until the code; a fresh session holds the pending step.
        logout(request)
        return second_step_begin(request, user, backend=backend, next_url=safe_next(request, next_url))  # type: ignore[arg-type]
