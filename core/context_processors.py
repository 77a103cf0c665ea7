from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Role, User


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header: the council's name and the links this user's role may follow."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"council_name": settings.OUTTURN_COUNCIL_NAME or "Outturn", "nav": []}
    nav = [("home", "Home")]
    if user.role in (Role.FINANCE_OFFICER, Role.DIRECTOR, Role.ADMINISTRATOR):
        nav += [("forecasting:periods", "Periods"), ("forecasting:lines", "Budget lines")]
    if user.role == Role.FINANCE_OFFICER:
        nav += [("core:upload", "Upload a file")]
    if user.role in (Role.DIRECTOR, Role.ADMINISTRATOR):
        nav += [("core:audit", "Audit log")]
    if user.role == Role.ADMINISTRATOR:
        nav += [("accounts:users", "Users")]
    name = user.authority.name if user.authority else settings.OUTTURN_COUNCIL_NAME or "Outturn"
    return {"council_name": name, "nav": nav}
