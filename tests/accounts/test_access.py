"""Who may see and do what (PRODUCT.md, The people and their month) and authority isolation."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import AuditEvent, Role, User
from forecasting.models import Actual, Budget
from forecasting.services import actuals_save, budget_set
from tests.factories import PASSWORD, BudgetLineFactory, UserFactory

pytestmark = pytest.mark.django_db

# The page after choosing a password from a set-password link is for someone not yet signed in.
OPEN_PATHS = {"accounts/sign-in/", "accounts/set-password/done/", "healthz"}
# The data feed's schema holds no figures; the feed itself answers a token, not a session (tests/feed/).
OPEN_PATHS |= {"api/v1/openapi.json"}


def _concrete_paths() -> list[str]:
    """Every URL the project serves, with 1 for each id, so none is forgotten."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    continue
                walk(pattern.url_patterns, prefix + route)
            else:
                path = (prefix + route).replace("<int:period_id>", "1").replace("<int:line_id>", "1")
                path = path.replace("<int:batch_id>", "1").replace("<str:year_label>", "2019-20")
                path = path.replace("<slug:action>", "lock")
                if "<" not in path:
                    found.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


@pytest.mark.parametrize("path", _concrete_paths())
def test_every_page_asks_a_signed_out_visitor_to_sign_in(path: str) -> None:
    if path in OPEN_PATHS:
        return
    response = Client().get("/" + path)
    assert response.status_code == 302
    assert response["Location"].startswith(
        settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else "/accounts/sign-in/"
    )


def test_signing_in_with_the_right_password_reaches_the_home_page(finance_officer: User) -> None:
    client = Client()
    response = client.post("/accounts/sign-in/", {"username": "fran", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Your month" in client.get("/").content.decode()


def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password(finance_officer: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/sign-in/", {"username": "fran", "password": "wrong-password-123"})
    response = client.post("/accounts/sign-in/", {"username": "fran", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_expire_after_eight_idle_hours_and_when_the_browser_closes() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert "core.sessions.SessionIdleRenewalMiddleware" in settings.MIDDLEWARE


def test_a_session_in_use_is_renewed_once_a_minute_not_written_on_every_request() -> None:
    """Its eight idle hours start again from a request at most a minute after the last renewal."""
    import time_machine
    from django.contrib.sessions.models import Session

    user = UserFactory(role=Role.FINANCE_OFFICER)
    client = Client()
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False):
        client.force_login(user)
        assert client.get("/").status_code == 200
        key = client.session.session_key
        first = Session.objects.get(session_key=key).expire_date
        assert first.isoformat() == "2026-12-01T17:00:00+00:00"  # 09:00 + 8 hours
    with time_machine.travel("2026-12-01 09:00:59+00:00", tick=False):
        assert client.get("/").status_code == 200
        assert Session.objects.get(session_key=key).expire_date == first  # 59 s on: not written
    with time_machine.travel("2026-12-01 09:01:00+00:00", tick=False):
        assert client.get("/").status_code == 200
        assert Session.objects.get(session_key=key).expire_date.isoformat() == "2026-12-01T17:01:00+00:00"
    with time_machine.travel("2026-12-01 17:01:01+00:00", tick=False):
        response = client.get("/")  # eight hours and a second after the last renewal: signed out
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.COMMITTEE_MEMBER, "/periods/", 403),
        (Role.COMMITTEE_MEMBER, "/lines/", 403),
        (Role.COMMITTEE_MEMBER, "/uploads/", 403),
        (Role.COMMITTEE_MEMBER, "/audit/", 403),
        (Role.COMMITTEE_MEMBER, "/", 200),
        (Role.FINANCE_OFFICER, "/audit/", 403),
        (Role.FINANCE_OFFICER, "/accounts/users/", 403),
        (Role.FINANCE_OFFICER, "/uploads/", 200),
        (Role.DIRECTOR, "/audit/", 200),
        (Role.DIRECTOR, "/uploads/", 403),
        (Role.DIRECTOR, "/lines/new/", 403),
        (Role.ADMINISTRATOR, "/accounts/users/", 200),
        (Role.ADMINISTRATOR, "/audit/", 200),
        (Role.ADMINISTRATOR, "/uploads/", 403),
    ],
)
def test_each_role_reaches_only_its_own_pages(authority, client_for, role: str, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(authority=authority, role=role)
    assert client_for(user).get(path).status_code == status


def test_a_committee_member_cannot_change_actuals_or_lock_a_period(
    client_for,
    committee_member: User,
    year,
    lines,  # type: ignore[no-untyped-def]
) -> None:
    period = year.periods.get(number=1)
    client = client_for(committee_member)
    assert client.post(f"/periods/{period.pk}/actuals/", {f"line-{lines['LEG-EXT'].pk}": "100"}).status_code == 403
    assert client.post(f"/periods/{period.pk}/lock/").status_code == 403
    assert client.post(f"/periods/{period.pk}/submit/").status_code == 403
    assert not Actual.objects.exists()
    period.refresh_from_db()
    assert period.status == "open"


def test_a_finance_officer_cannot_lock_a_period(client_for, finance_officer: User, year) -> None:  # type: ignore[no-untyped-def]
    period = year.periods.get(number=1)
    assert client_for(finance_officer).post(f"/periods/{period.pk}/lock/").status_code == 403
    period.refresh_from_db()
    assert period.status == "open"


def test_another_authority_gets_not_found_for_every_id_it_tries(
    client_for,
    other_finance_officer: User,
    finance_officer: User,
    year,
    lines,  # type: ignore[no-untyped-def]
) -> None:
    period = year.periods.get(number=1)
    line = lines["LEG-EXT"]
    budget_set(authority=year.authority, user=finance_officer, line=line, year=year, amount=100_000, reason="")
    actuals_save(authority=year.authority, user=finance_officer, period=period, amounts={line.pk: 5_000})
    client = client_for(other_finance_officer)
    assert client.get(f"/periods/{period.pk}/actuals/").status_code == 404
    assert client.post(f"/periods/{period.pk}/actuals/", {f"line-{line.pk}": "999"}).status_code == 404
    assert client.post(f"/periods/{period.pk}/submit/").status_code == 404
    assert client.get(f"/lines/{line.pk}/").status_code == 404
    assert client.post(f"/lines/{line.pk}/budget/2019-20/", {"amount": "1", "reason": "x"}).status_code == 404
    assert client.get("/periods/?year=2019/20").status_code == 404
    listing = client.get("/lines/").content.decode()
    assert "LEG-EXT" not in listing
    assert Actual.objects.get().amount == 5_000
    assert Budget.objects.get().amount == 100_000


def test_another_authority_sees_none_of_the_audit_log(
    client_for,
    authority,
    other_authority,
    finance_officer: User,  # type: ignore[no-untyped-def]
) -> None:
    BudgetLineFactory(authority=authority, code="SECRET-LINE")
    from forecasting.services import budget_line_save

    budget_line_save(
        authority=authority,
        user=finance_officer,
        code="AUDITED",
        name="Audited line",
        service_area="Legal",
        category="other",
    )
    outsider = UserFactory(authority=other_authority, role=Role.DIRECTOR)
    page = client_for(outsider).get("/audit/").content.decode()
    assert "AUDITED" not in page
    assert AuditEvent.objects.filter(authority=authority).exists()


def test_an_administrator_changes_a_role_and_the_change_is_audited(
    client_for,
    administrator: User,
    finance_officer: User,  # type: ignore[no-untyped-def]
) -> None:
    response = client_for(administrator).post(
        "/accounts/users/", {"user_id": finance_officer.pk, "role": Role.DIRECTOR}
    )
    assert response.status_code == 302
    finance_officer.refresh_from_db()
    assert finance_officer.role == Role.DIRECTOR
    event = AuditEvent.objects.get(action="user.role_change")
    assert event.before == {"role": "finance_officer"} and event.after == {"role": "director"}
    assert event.actor == "ada"


def test_an_administrator_cannot_change_a_role_at_another_authority(
    client_for,
    administrator: User,
    other_finance_officer: User,  # type: ignore[no-untyped-def]
) -> None:
    response = client_for(administrator).post(
        "/accounts/users/", {"user_id": other_finance_officer.pk, "role": Role.DIRECTOR}
    )
    assert response.status_code == 404
    other_finance_officer.refresh_from_db()
    assert other_finance_officer.role == Role.FINANCE_OFFICER


def test_pages_send_a_content_security_policy_without_unsafe_scripts(client_for, finance_officer: User) -> None:  # type: ignore[no-untyped-def]
    policy = client_for(finance_officer).get("/")["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
