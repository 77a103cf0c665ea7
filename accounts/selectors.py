"""Reads for the users pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from accounts.models import Authority, User
from accounts.throttle import locked_usernames


@dataclass(frozen=True)
class Person:
    user: User
    locked: bool

    @property
    def status(self) -> str:
        if not self.user.is_active:
            return "Deactivated"
        return "Sign-in locked" if self.locked else "Active"


def people_of(authority: Authority) -> list[Person]:
    """Everyone at an authority, by name, each with whether the sign-in throttle holds them."""
    users = list(User.objects.filter(authority=authority).order_by("last_name", "first_name", "username"))
    locked = locked_usernames(u.get_username() for u in users)
    return [Person(user=u, locked=u.get_username() in locked) for u in users]


def person_of(authority: Authority, user_id: int) -> Person:
    """One person at the authority; a person of another authority is not found (404)."""
    user = get_object_or_404(User, pk=user_id, authority=authority)
    return Person(user=user, locked=bool(locked_usernames([user.get_username()])))
