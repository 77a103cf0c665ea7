"""Each role's month in a real browser, at a laptop's 1366 px and a phone's 390 px (issue 12,
points 2 and 3): the finance officer follows the home page's steps from the forecast to the
commentary (carried forward from last period, edited), the director is stopped until each thing
that needs a look is ticked, then signs off, and a councillor lands on the published period with
what was acknowledged. Every page passes axe's WCAG 2.2 AA rules."""

from __future__ import annotations

import re

import pytest

from dashboards import services
from dashboards.models import PublishedPeriod, ServiceCommentary
from forecast_runs.execute import forecast_run_execute
from forecasting.models import ForecastRun
from forecasting.services import period_submit
from tests.dashboards.county import build_county, set_assumptions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEGAL = "Legal has no variance commentary for this period (a £28,000 overspend)."


def _check_page(person, name: str) -> None:  # type: ignore[no-untyped-def]
    violations = person.axe_violations()
    assert violations == [], f"{name}: {violations}"
    assert person.console_errors == [], f"{name}: {person.console_errors}"


def _status(person, key: str) -> str:  # type: ignore[no-untyped-def]
    return person.page.inner_text(f"#step-{key}-status").strip()


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_each_role_goes_through_the_month(
    visitor,
    authority,
    finance_officer,
    director,
    committee_member,
    dispatched_runs,
    width,
    height,  # type: ignore[no-untyped-def]
) -> None:
    year, _lines = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)
    for period in year.periods.filter(number__lte=3).order_by("number"):
        period_submit(period=period, user=finance_officer, forecast=False)
    # Last period's commentary on Social Work, to be carried forward into period 4.
    services.commentary_save(
        authority=authority,
        user=finance_officer,
        year=year,
        period=3,
        texts={"Social Work": "Agency cover for two posts."},
    )

    # The finance officer's home page: actuals and lists done, the forecast next.
    officer = visitor()
    officer.page.set_viewport_size({"width": width, "height": height})
    officer.sign_in(finance_officer.username)
    assert "Period 4 (July 2019): what is done and what is next" in officer.page.inner_text("main")
    assert (_status(officer, "actuals"), _status(officer, "lists"), _status(officer, "forecast")) == (
        "Done",
        "Done",
        "Next",
    )
    _check_page(officer, f"officer's home at {width}px")

    officer.page.click("#step-forecast a")
    officer.page.select_option("#run-period", "4")
    officer.page.click("text=Run forecast")
    officer.page.wait_for_url(re.compile(r"/forecasts/\d+/$"))
    assert forecast_run_execute(run_id=dispatched_runs[-1]) == ForecastRun.Status.SUCCEEDED  # the worker's part

    officer.page.goto("/")
    assert (_status(officer, "forecast"), _status(officer, "dashboard")) == ("Done", "Next")
    officer.page.click("#step-dashboard a")
    officer.charts_drawn()
    officer.page.click("#write-commentary")
    # Social Work's text is carried forward from period 3, marked, and edited before saving.
    assert "Carried forward from period 3 — edit before you submit." in officer.page.inner_text("main")
    _check_page(officer, f"commentary at {width}px")
    officer.page.get_by_label("Social Work").fill("Agency cover for one post; the second is filled from August.")
    officer.page.get_by_label("Children in Care").fill("External residential rose to 9 children.")
    officer.page.click("#save-commentary")
    officer.page.wait_for_selector("text=Commentary saved")
    assert set(ServiceCommentary.objects.filter(period=4).values_list("service_area", flat=True)) == {
        "Social Work",
        "Children in Care",
    }
    officer.page.goto("/")
    assert (_status(officer, "dashboard"), _status(officer, "commentary")) == ("Done", "Next")
    assert "not yet for Legal" in officer.page.inner_text("#step-commentary")

    # The director lands on the latest forecast and goes to sign it off.
    boss = visitor()
    boss.page.set_viewport_size({"width": width, "height": height})
    boss.sign_in(director.username)
    assert "Latest forecast: 2019/20 period 4" in boss.page.inner_text("#latest-period")
    assert "1 thing needs a look before sign-off." in boss.page.inner_text("#latest-sign-off")
    _check_page(boss, f"director's home at {width}px")
    boss.page.click("#home-sign-off")
    assert LEGAL in boss.page.inner_text("#needs-a-look")
    _check_page(boss, f"sign-off at {width}px")
    # Without the tick the sign-off is refused, naming what was not looked at.
    boss.page.fill("#comment", "Signed off for the September committee.")
    boss.page.click("#confirm-sign-off")
    assert f"Confirm that you have looked at this: {LEGAL}" in boss.page.inner_text(".govuk-error-summary")
    assert not PublishedPeriod.objects.exists()
    # The refusal is answered 400 (a form with an error), which the browser logs; nothing else is.
    assert boss.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    boss.console_errors.clear()
    _check_page(boss, f"sign-off refused at {width}px")
    boss.page.click(".govuk-error-summary a")  # the link takes the director to the box
    boss.page.get_by_label(LEGAL).check()
    boss.page.click("#confirm-sign-off")
    boss.page.wait_for_url(re.compile(r"/dashboards/published/\d+/$"))
    published = PublishedPeriod.objects.get()
    assert [item["words"] for item in published.acknowledged["items"]] == [LEGAL]

    # The councillor lands on the published period and sees what the director looked at.
    councillor = visitor()
    councillor.page.set_viewport_size({"width": width, "height": height})
    councillor.sign_in(committee_member.username)
    assert "Latest published: 2019/20 period 4" in councillor.page.inner_text("#latest-period")
    _check_page(councillor, f"committee home at {width}px")
    councillor.page.click("#latest-link")
    councillor.charts_drawn()
    assert LEGAL in councillor.page.inner_text("#acknowledged")
    _check_page(councillor, f"published period at {width}px")

    for person in (officer, boss, councillor):
        assert person.foreign_requests() == []
