"""The administrators' page of feed tokens: issue one (shown once), revoke one (confirmed first).
Only administrators, and only their own authority's tokens (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ADMINISTRATORS, AuthenticatedHttpRequest, authority_of, role_required
from feed import selectors, services
from feed.forms import RevokeForm, TokenForm


def _feed_address(request: AuthenticatedHttpRequest) -> str:
    return request.build_absolute_uri("/api/v1/").rstrip("/")


@role_required(*ADMINISTRATORS)
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"tokens": selectors.tokens_of(authority_of(request)), "feed": _feed_address(request)}
    return render(request, "feed/tokens.html", context)


@role_required(*ADMINISTRATORS)
def token_issue(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            row, token = services.token_issue(
                authority=authority_of(request), name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as problem:
            form.add_error("name", " ".join(problem.message_dict.get("name", problem.messages)))
        else:
            # Shown once, in the answer to the form, and never stored: only its SHA-256 is kept.
            # (Not through the session, which would keep the token in the database.)
            context = {"row": row, "token": token, "feed": _feed_address(request)}
            return render(request, "feed/token_shown.html", context)
    return render(request, "feed/token_issue.html", {"form": form})


@role_required(*ADMINISTRATORS)
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    row = selectors.token_of(authority_of(request), token_id)
    if request.method == "POST" and row.is_active:
        services.token_revoke(token=row, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, f"The token “{row.name}” is revoked: it no longer reads the feed.")
        return redirect("feed:tokens")
    return render(request, "feed/token_revoke.html", {"row": row, "form": RevokeForm()})
