"""The users pages: only administrators, and only people of their own authority (404 otherwise).

Each change (add, deactivate, reactivate, force a password reset, unlock a throttled sign-in)
calls one service in accounts.services; the state changes go through a confirmation page that
says what will happen. A set-password link is shown to the administrator once, from the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import selectors, services
from accounts.access import ADMINISTRATORS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.forms import AddUserForm, RoleForm
from accounts.models import Role, User

LINK_KEY = "outturn_set_password_link"


@role_required(*ADMINISTRATORS)
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    if request.method == "POST":
        target = get_object_or_404(User, pk=request.POST.get("user_id"), authority=authority)
        role = request.POST.get("role", "")
        if role not in Role.values:
            messages.error(request, "Choose a role.")
            return redirect("accounts:users")
        try:
            services.user_role_change(
                user=target, role=role, changed_by=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{services.display_name(target)} is now {Role(role).label}.")
        return redirect("accounts:users")
    people = selectors.people_of(authority)
    rows = [(person, RoleForm(person.user)) for person in people]
    return render(request, "accounts/users.html", {"people": rows})


def _site(request: AuthenticatedHttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _show_link_once(request: AuthenticatedHttpRequest, user: User, link: str) -> HttpResponse:
    request.session[LINK_KEY] = {"user_id": user.pk, "link": link}
    return redirect("accounts:user_link", user_id=user.pk)


@role_required(*ADMINISTRATORS)
def user_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AddUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, link = services.user_add(by=request.user, site=_site(request), **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"{services.display_name(user)} has been added as {user.get_role_display()}.")
            return _show_link_once(request, user, link)
    return render(request, "accounts/user_add.html", {"form": form})


@role_required(*ADMINISTRATORS)
def user_link(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """The set-password link of a person just added or reset, shown once: it leaves the session."""
    person = selectors.person_of(authority_of(request), user_id)
    kept = request.session.get(LINK_KEY)
    link = None
    if isinstance(kept, dict) and kept.get("user_id") == person.user.pk:
        link = kept["link"]
        del request.session[LINK_KEY]
    return render(request, "accounts/user_link.html", {"person": person, "link": link})


@dataclass(frozen=True)
class Change:
    """A change of state that needs confirming: the page's words and the one service it calls."""

    title: str
    what_happens: str
    button: str
    done: str
    allowed: Callable[[selectors.Person], bool]
    warning: bool = False


CHANGES = {
    "deactivate": Change(
        title="Deactivate {name}?",
        what_happens=(
            "{name} will not be able to sign in, and is signed out straight away. Everything they "
            "did stays in the audit log. You can reactivate them later."
        ),
        button="Deactivate {name}",
        done="{name} has been deactivated.",
        allowed=lambda p: p.user.is_active,
        warning=True,
    ),
    "reactivate": Change(
        title="Reactivate {name}?",
        what_happens="{name} will be able to sign in again with their password, as {role}.",
        button="Reactivate {name}",
        done="{name} has been reactivated.",
        allowed=lambda p: not p.user.is_active,
    ),
    "reset-password": Change(
        title="Reset the password of {name}?",
        what_happens=(
            "Their current password stops working and they are signed out straight away. They "
            "are emailed a link to choose a new one, which you will also see once to pass on."
        ),
        button="Reset password",
        done="The password of {name} has been reset.",
        allowed=lambda p: p.user.is_active,
        warning=True,
    ),
    "unlock": Change(
        title="Unlock sign-in for {name}?",
        what_happens=(
            "Signing in as {username} is paused after too many failed attempts. Unlocking lets "
            "them try again now, with their current password."
        ),
        button="Unlock sign-in",
        done="Sign-in for {name} is unlocked.",
        allowed=lambda p: p.locked,
    ),
    "reset-app": Change(
        title="Reset the authenticator app of {name}?",
        what_happens=(
            "Their authenticator app and recovery codes stop working. At their next sign-in with a "
            "password they set up an app again. Do this only when you are sure it is them asking, "
            "for example after a lost phone."
        ),
        button="Reset authenticator app",
        done="The authenticator app of {name} has been reset.",
        allowed=lambda p: p.has_app,
        warning=True,
    ),
}


def _apply(action: str, request: AuthenticatedHttpRequest, user: User) -> str | None:
    """Call the one service of `action`; the set-password link where it makes one."""
    if action == "deactivate":
        services.user_deactivate(by=request.user, user=user)
    elif action == "reactivate":
        services.user_reactivate(by=request.user, user=user)
    elif action == "reset-password":
        return services.user_password_reset(by=request.user, user=user, site=_site(request))
    elif action == "reset-app":
        services.user_second_factor_reset(by=request.user, user=user)
    else:
        services.user_unlock(by=request.user, user=user)
    return None


@role_required(*ADMINISTRATORS)
def user_change(request: AuthenticatedHttpRequest, user_id: int, action: str) -> HttpResponse:
    change = CHANGES.get(action)
    if change is None:
        raise Http404("No such change")
    person = selectors.person_of(authority_of(request), user_id)
    user = person.user
    words = {"name": services.display_name(user), "username": user.username, "role": user.get_role_display()}
    if request.method == "POST":
        try:
            link = _apply(action, request, user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:users")
        messages.success(request, change.done.format(**words))
        return _show_link_once(request, user, link) if link else redirect("accounts:users")
    context = {
        "person": person,
        "action": action,
        "allowed": change.allowed(person),
        "title": change.title.format(**words),
        "what_happens": change.what_happens.format(**words),
        "button": change.button.format(**words),
        "warning": change.warning,
    }
    return render(request, "accounts/user_confirm.html", context)
