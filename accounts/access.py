"""Who may do what (PRODUCT.md, The people and their month).

Views declare the roles they allow with `role_required`; every query is scoped to the signed-in
user's authority through `authority_of`, so that an id from another authority is simply not
found (404), never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Authority, Role, User

F = TypeVar("F", bound=Callable[..., HttpResponse])

FINANCE = (Role.FINANCE_OFFICER,)
FINANCE_AND_DIRECTORS = (Role.FINANCE_OFFICER, Role.DIRECTOR)
DIRECTORS = (Role.DIRECTOR,)
AUDIT_READERS = (Role.DIRECTOR, Role.ADMINISTRATOR)
ADMINISTRATORS = (Role.ADMINISTRATOR,)
STAFF_READERS = (Role.FINANCE_OFFICER, Role.DIRECTOR, Role.ADMINISTRATOR)


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a signed-in user: the login-required middleware lets no other through to a
    view, so views annotate their request with this instead of checking `request.user` again."""

    user: User


def authority_of(request: HttpRequest) -> Authority:
    user = request.user
    if not isinstance(user, User) or user.authority is None:
        raise PermissionDenied("Your account is not linked to an authority.")
    return user.authority


def role_required(*roles: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or user.authority is None or user.role not in roles:
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def can_read_register(user: object) -> bool:
    """The one decision on who reads the placement register, which holds children's details:
    finance officers and directors always; administrators only where the deployment allows it
    (OUTTURN_ADMINS_SEE_REGISTER, off by default). Read on every request, not at import."""
    roles = STAFF_READERS if settings.OUTTURN_ADMINS_SEE_REGISTER else FINANCE_AND_DIRECTORS
    return isinstance(user, User) and user.authority is not None and user.role in roles


def register_reader_required(view: F) -> F:
    """For the register's pages and downloads: 403 for anyone `can_read_register` refuses."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_register(request.user):
            raise PermissionDenied("The placement register is not open to your role.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
