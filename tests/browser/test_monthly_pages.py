"""The finance officer's and director's month in a real browser, and an accessibility check of
every staff page: axe (WCAG 2.2 A/AA), no console errors (so no CSP violation) and no request to
another origin."""

from __future__ import annotations

from typing import Any

import pytest

from forecasting.models import Actual, Period
from forecasting.services import period_submit
from tests.dashboards.county import build_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PAGES = [
    "/",
    "/periods/",
    "/lines/",
    "/lines/new/",
    "/uploads/",
    "/forecasts/",
    "/scenarios/",
    "/forecasts/backtest/",
    "/placements/",
    "/placements/add/",
    "/placements/import/",
    "/placements/unit-costs/",
    "/placements/kpis/",
    "/workforce/",
    "/workforce/kpis/",
    "/workforce/snapshots/",
    "/workforce/workers/new/",
    "/savings/",
    "/savings/new/",
]


def _clean(visitor: Any, where: str) -> None:
    violations = visitor.axe_violations()
    assert violations == [], f"{where}: {violations}"
    assert visitor.console_errors == [], f"{where}: {visitor.console_errors}"
    assert visitor.foreign_requests() == [], f"{where}: {visitor.foreign_requests()}"


def test_the_finance_officer_enters_actuals_submits_and_the_director_locks(
    visitor,
    authority,
    finance_officer,
    director,  # type: ignore[no-untyped-def]
) -> None:
    year, lines = build_county(authority=authority, user=finance_officer)
    for earlier in year.periods.filter(number__lte=4).order_by("number"):  # periods move in order
        period_submit(period=earlier, user=finance_officer, forecast=False)
    period = year.periods.get(number=5)
    officer = visitor()
    officer.sign_in(finance_officer.username)
    officer.page.goto(f"/periods/{period.pk}/actuals/")
    _clean(officer, "actuals page")
    officer.page.fill(f"#line-{lines['LEG-EXT'].pk}", "£12,345.67")
    officer.page.click("text=Save actuals for period 5")
    assert "Actuals for" in officer.page.inner_text("main") and "saved" in officer.page.inner_text("main")
    assert Actual.objects.get(period=period, line=lines["LEG-EXT"]).amount == 1_234_567
    # The other lines are still blank: the confirmation page lists them instead of the button.
    officer.page.goto("/periods/?year=2019/20")
    officer.page.click(f"a[href='/periods/{period.pk}/submit/']")
    assert "CIC-RES-EXT External residential for Period 5 (August 2019)" in officer.page.inner_text("main")
    assert officer.page.locator("#confirm").count() == 0
    _clean(officer, "submit page, refused")
    officer.page.goto(f"/periods/{period.pk}/actuals/")
    for code in ("CIC-RES-EXT", "CIC-FOS-IFA", "SW-CP"):
        officer.page.fill(f"#line-{lines[code].pk}", "1000")
    officer.page.fill(f"#line-{lines['INC-UASC'].pk}", "0")  # nil, confirmed
    officer.page.click("text=Save actuals for period 5")
    officer.page.goto("/periods/?year=2019/20")
    officer.page.click(f"a[href='/periods/{period.pk}/submit/']")
    assert "What will happen" in officer.page.inner_text("main")
    _clean(officer, "submit page")
    officer.page.click("#confirm")
    officer.page.wait_for_url("**/periods/?year=*")
    assert Period.objects.get(pk=period.pk).status == Period.Status.SUBMITTED
    _clean(officer, "periods page")

    boss = visitor()
    boss.sign_in(director.username)
    boss.page.goto("/periods/?year=2019/20")
    boss.page.click(f"a[href='/periods/{period.pk}/lock/']")
    assert "Locking Period 5 (August 2019) makes its actuals final" in boss.page.inner_text("main")
    _clean(boss, "lock page")
    boss.page.click("#confirm")
    boss.page.wait_for_url("**/periods/?year=*")
    assert Period.objects.get(pk=period.pk).status == Period.Status.LOCKED
    boss.page.goto(f"/periods/{period.pk}/unlock/")
    _clean(boss, "unlock page")
    boss.page.goto(f"/periods/{period.pk}/actuals/")
    assert "this period is locked" in boss.page.inner_text("main")
    _clean(boss, "locked actuals page")


def test_every_staff_page_passes_axe_with_no_console_errors_or_foreign_requests(
    visitor,
    authority,
    finance_officer,
    director,
    administrator,  # type: ignore[no-untyped-def]
) -> None:
    build_county(authority=authority, user=finance_officer)
    officer = visitor()
    officer.sign_in(finance_officer.username)
    for path in STAFF_PAGES:
        response = officer.page.goto(path)
        assert response is not None and response.status == 200, path
        _clean(officer, path)
    boss = visitor()
    boss.sign_in(director.username)
    boss.page.goto("/audit/")
    _clean(boss, "/audit/")
    admin = visitor()
    admin.sign_in(administrator.username)
    for path in (
        "/accounts/users/",
        "/accounts/users/add/",
        f"/accounts/users/{finance_officer.pk}/deactivate/",
        "/placements/mapping/",
    ):
        response = admin.page.goto(path)
        assert response is not None and response.status == 200, path
        _clean(admin, path)
    # The add form with every error showing, then a person added and their set-password link.
    admin.page.goto("/accounts/users/add/")
    admin.page.click("button:has-text('Add user')")
    assert admin.page.title().startswith("Error: Add a user")
    _clean(admin, "add a user, with errors")
    admin.page.fill("#id_first_name", "Jo")
    admin.page.fill("#id_last_name", "Bloggs")
    admin.page.fill("#id_email", "jo.bloggs@notts.gov.uk")
    admin.page.select_option("#id_role", "director")
    admin.page.click("button:has-text('Add user')")
    assert "Set-password link for Jo Bloggs" in admin.page.inner_text("main")
    _clean(admin, "set-password link")
    link = admin.page.get_attribute(".govuk-inset-text a", "href")
    newcomer = visitor()
    newcomer.page.goto(link)
    assert "Choose your password" in newcomer.page.inner_text("main")
    _clean(newcomer, "choose your password")


def test_keyboard_users_can_skip_to_the_content_and_sign_in(visitor, finance_officer) -> None:  # type: ignore[no-untyped-def]
    person = visitor()
    person.page.goto("/accounts/sign-in/")
    person.page.keyboard.press("Tab")
    assert person.page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    person.page.focus("#id_username")
    person.page.keyboard.type(finance_officer.username)
    person.page.keyboard.press("Tab")
    person.page.keyboard.type("a-long-test-password-42")
    person.page.keyboard.press("Enter")
    person.page.wait_for_url(f"{person.base_url}/")
    _clean(person, "home after keyboard sign-in")
