"""Reads for the users pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from accounts.models import Authority, SecondFactor, User
from accounts.throttle import locked_usernames


@dataclass(frozen=True)
class Person:
    user: User
    locked: bool
    has_app: bool = False  # an authenticator app set up for the second step of signing in

    @property
    def status(self) -> str:
        if not self.user.is_active:
            return "Deactivated"
        return "Sign-in locked" if self.locked else "Active"


def people_of(authority: Authority) -> list[Person]:
    """Everyone at an authority, by name, each with whether the sign-in throttle holds them."""
    users = list(User.objects.filter(authority=authority).order_by("last_name", "first_name", "username"))
    locked = locked_usernames(u.get_username() for u in users)
    apps = set(SecondFactor.objects.filter(user__authority=authority).values_list("user_id", flat=True))
    return [Person(user=u, locked=u.get_username() in locked, has_app=u.pk in apps) for u in users]


def person_of(authority: Authority, user_id: int) -> Person:
    """One person at the authority; a person of another authority is not found (404)."""
    user = get_object_or_404(User, pk=user_id, authority=authority)
    return Person(
        user=user,
        locked=bool(locked_usernames([user.get_username()])),
        has_app=SecondFactor.objects.filter(user=user).exists(),
    )
