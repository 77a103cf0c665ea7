from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.access import can_read_register
from accounts.models import Role, User


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header: the council's name and the links this user's role may follow."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"council_name": settings.OUTTURN_COUNCIL_NAME or "Outturn", "nav": [], "sees_register": False}
    nav = [("home", "Home")]
    staff = (Role.FINANCE_OFFICER, Role.DIRECTOR, Role.ADMINISTRATOR)
    # Every role reads the forecast: the finance officer checks it before submitting; committee
    # members land on the published periods.
    nav += [("dashboards:period", "Forecast")]
    sees_register = can_read_register(user)
    if user.role in staff:
        nav += [
            ("forecasting:periods", "Periods"),
            ("forecasting:lines", "Budget lines"),
            ("forecast_runs:runs", "Forecast runs"),
            # The register holds children's details; those who may not read it reach the rest.
            ("placements:register", "Placements") if sees_register else ("placements:mapping", "Placements"),
            ("workforce:teams", "Workforce"),
            ("savings:tracker", "Savings"),
            # DfE's published statistics against the council's own (docs/benchmarks-dfe.md).
            ("dashboards:benchmarks", "Benchmarks"),
        ]
    if user.role == Role.FINANCE_OFFICER:
        nav += [("forecasting:upload", "Upload a file")]
    if user.role in (Role.DIRECTOR, Role.ADMINISTRATOR):
        nav += [("core:audit", "Audit log")]
    if user.role == Role.ADMINISTRATOR:
        nav += [("accounts:users", "Users")]
        nav += [("feed:tokens", "Data feed")]
    if user.role == Role.FINANCE_OFFICER:
        nav = _in_month_order(nav)
    # Pages of parts not yet built are left out rather than linked to nothing.
    nav = [(url, label) for url, label in nav if _exists(url)]
    name = user.authority.name if user.authority else settings.OUTTURN_COUNCIL_NAME or "Outturn"
    return {"council_name": name, "nav": nav, "sees_register": sees_register}


def _exists(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


# The finance officer's month, in order: load actuals, update the register, workforce and savings,
# run the forecast, read it (and write commentary from it), submit the period.
MONTH_ORDER = [
    "home",
    "forecasting:upload",
    "placements:register",
    "placements:mapping",
    "workforce:teams",
    "savings:tracker",
    "forecast_runs:runs",
    "dashboards:period",
    "forecasting:periods",
]


def _in_month_order(nav: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The links of the month first, in its order; any other link after them as it came."""
    rank = {name: i for i, name in enumerate(MONTH_ORDER)}
    return sorted(nav, key=lambda item: rank.get(item[0], len(MONTH_ORDER)))
