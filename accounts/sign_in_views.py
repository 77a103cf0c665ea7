"""Signing in: the username-and-password form, the second step for directors and administrators
(an authenticator app's code), and single sign-on through the council's identity provider.

A person who needs a second step is not signed in after the password: the session holds only a
pending sign-in (who, how, where next, since when) until the code is right, so no page opens on
the password alone. docs/sign-in.md says how it all fits.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

import wording
from accounts import oidc, second_factor
from accounts.forms import CodeForm, RefusalForm
from accounts.models import User

PENDING_KEY = "outturn_sign_in_pending"
CODES_KEY = "outturn_recovery_codes"
NEXT_KEY = "outturn_sso_next"
SIGNED_IN_WITH_KEY = "outturn_signed_in_with"
# Whose second step this session has done (their id): a session without it, for someone who needs
# the step now (signed in before the rule applied to them, or promoted since), is asked for it.
SECOND_STEP_KEY = "outturn_second_step_done"
# A password given for a pending second step is good for this long.
PENDING_SECONDS = 10 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
CODE_EMPTY = "Enter the 6-digit code from your authenticator app, or a recovery code"


def safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso"] = oidc.configured()
        context["local_sign_in"] = settings.OUTTURN_LOCAL_SIGN_IN or not oidc.configured()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if oidc.configured() and not settings.OUTTURN_LOCAL_SIGN_IN:
            context = self.get_context_data()
            context["refusal"] = RefusalForm("Sign in with your council account: Outturn does not take passwords here.")
            return render(request, str(self.template_name), context, status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not second_factor.second_factor_needed(user):
            self.request.session[SIGNED_IN_WITH_KEY] = "password"
            return super().form_valid(form)
        # A new session key, so a key seen before the password cannot ride on the second step.
        self.request.session.cycle_key()
        return second_step_begin(
            self.request, user, backend=getattr(user, "backend", MODEL_BACKEND), next_url=self.get_success_url()
        )


def second_step_begin(request: HttpRequest, user: User, *, backend: str, next_url: str) -> HttpResponse:
    """Hold `user` as a pending sign-in and send them to the code (or to set up the app)."""
    request.session[PENDING_KEY] = {"user_id": user.pk, "backend": backend, "next": next_url, "at": time.time()}
    return redirect("second_factor" if second_factor.has_app(user) else "second_factor_enrol")


def second_step_owed(request: HttpRequest) -> bool:
    """Whether the signed-in user must give a code before any page: they need the second step,
    signed in with a password (their council's own multi-factor check counts for single sign-on)
    and this session has not had their code."""
    user = request.user
    if not user.is_authenticated or not second_factor.second_factor_needed(user):
        return False
    if request.session.get(SIGNED_IN_WITH_KEY) == "sso":
        return False
    return request.session.get(SECOND_STEP_KEY) != user.pk


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=int(pending.get("user_id", 0)), is_active=True).first()
    return (user, pending) if user is not None else None


def _finish(request: HttpRequest, user: User, pending: dict[str, Any]) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=pending["backend"])
    request.session[SIGNED_IN_WITH_KEY] = "password"
    request.session[SECOND_STEP_KEY] = user.pk


def _paused_words(error: second_factor.SecondFactorPaused) -> str:
    until = timezone.localtime(error.until)
    return f"You have entered too many wrong codes. Try again after {wording.time_text(until)}."


@login_not_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        return redirect("login")
    user, pending = found
    if not second_factor.has_app(user):
        return redirect("second_factor_enrol")
    form = CodeForm(request.POST if request.method == "POST" else None, empty=CODE_EMPTY, asking=True)
    if request.method == "POST" and form.is_valid():
        try:
            if second_factor.code_verify(user, form.cleaned_data["code"]):
                _finish(request, user, pending)
                return HttpResponseRedirect(safe_next(request, pending.get("next")))
            form.add_error("code", "The code is not right. Enter the code your app shows now (each code works once)")
        except second_factor.SecondFactorPaused as paused:
            form.add_error("code", _paused_words(paused))
    return render(request, "registration/second_factor.html", {"form": form})


@login_not_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        return redirect("login")
    user, pending = found
    if second_factor.has_app(user):
        return redirect("second_factor")
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        empty="Enter the 6-digit code your authenticator app shows now",
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrolment_confirm(user, form.cleaned_data["code"])
        except second_factor.SecondFactorPaused as paused:
            form.add_error("code", _paused_words(paused))
        else:
            if codes is not None:
                _finish(request, user, pending)
                request.session[CODES_KEY] = {"codes": codes, "next": safe_next(request, pending.get("next"))}
                return redirect("recovery_codes")
            form.add_error("code", "The code is not right")
    context = {"enrolment": second_factor.enrolment_start(user), "form": form, "username": user.get_username()}
    return render(request, "registration/second_factor_enrol.html", context)


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once: they leave the session."""
    kept = request.session.pop(CODES_KEY, None)
    if not isinstance(kept, dict):
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/recovery_codes.html", kept)


@login_not_required
@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    if not oidc.configured():
        return redirect("login")
    request.session[NEXT_KEY] = safe_next(request, request.GET.get("next"))
    try:
        return oidc.sign_in_start(request, request.build_absolute_uri(reverse("sso_callback")))
    except oidc.SignInRefused as refusal:
        return render(request, "registration/sso_refused.html", {"words": refusal.words}, status=503)


@login_not_required
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.configured():
        return redirect("login")
    try:
        user = oidc.sign_in_complete(request)
    except oidc.SignInRefused as refusal:
        oidc.logger.warning("Single sign-on refused: %s", refusal.detail)
        return render(request, "registration/sso_refused.html", {"words": refusal.words}, status=403)
    next_url = request.session.pop(NEXT_KEY, None)
    login(request, user, backend=MODEL_BACKEND)
    # Their provider did its own multi-factor check: no second step here.
    request.session[SIGNED_IN_WITH_KEY] = "sso"
    return HttpResponseRedirect(safe_next(request, next_url))
