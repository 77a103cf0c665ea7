"""The confirmation pages of a period's changes: GET says what will happen (or what is missing),
POST does it, the wrong role gets 403."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from forecasting.models import ForecastRun, Period
from forecasting.services import actuals_save, budget_set, period_submit
from tests.core.form_markup import field_error_problems, problems, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(year, lines, finance_officer):  # type: ignore[no-untyped-def]
    """Three lines with budgets; period 1 complete, period 2 missing the UASC grant."""
    for line in lines.values():
        budget_set(authority=year.authority, user=finance_officer, line=line, year=year, amount=1_200_000, reason="")
    amounts = {line.pk: 10_000 for line in lines.values()}
    actuals_save(authority=year.authority, user=finance_officer, period=year.periods.get(number=1), amounts=amounts)
    del amounts[lines["INC-UASC"].pk]
    actuals_save(authority=year.authority, user=finance_officer, period=year.periods.get(number=2), amounts=amounts)
    return year


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_submit_page_says_what_will_happen_and_posting_submits(tiny, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    period = tiny.periods.get(number=1)
    client = client_for(finance_officer)
    page = client.get(f"/periods/{period.pk}/submit/")
    html = _text(page)
    assert page.status_code == 200 and "Submit Period 1 (April 2019)</h1>" in html
    assert "Submitting Period 1 (April 2019) tells the director that its actuals are complete" in html
    assert "It asks for a forecast as at Period 1 (April 2019)" in html
    assert "can still be corrected until a director locks the period" in html
    assert 'id="confirm">Submit period 1</button>' in html and ">Cancel</a>" in html
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN  # a GET changes nothing
    response = client.post(f"/periods/{period.pk}/submit/", follow=True)
    assert response.redirect_chain[-1][0] == "/periods/?year=2019%2F20"
    assert "Period 1 (April 2019) submitted: a forecast as at it has been asked for." in _text(response)
    assert Period.objects.get(pk=period.pk).status == Period.Status.SUBMITTED
    assert ForecastRun.objects.get().period == 1


def test_a_refused_submit_shows_what_is_missing_instead_of_the_button(tiny, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    period = tiny.periods.get(number=2)
    client = client_for(finance_officer)
    html = _text(client.get(f"/periods/{period.pk}/submit/"))
    assert "Period 2 (May 2019) cannot be submitted yet." in html
    assert "Earlier periods not yet submitted: Period 1 (April 2019)." in html
    assert "<li>INC-UASC Home Office UASC grant for Period 2 (May 2019)</li>" in html
    assert f'href="/periods/{period.pk}/actuals/">Enter the actuals for Period 2 (May 2019)</a>' in html
    assert 'id="confirm"' not in html and "What will happen" not in html
    response = client.post(f"/periods/{period.pk}/submit/")
    assert response.status_code == 400 and "INC-UASC Home Office UASC grant" in _text(response)
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN


def test_the_lock_page_locks_only_a_submitted_period(tiny, finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    period = tiny.periods.get(number=1)
    client = client_for(director)
    html = _text(client.get(f"/periods/{period.pk}/lock/"))
    assert "Period 1 (April 2019) is open; only a submitted period can be locked." in html
    assert 'id="confirm"' not in html
    assert client.post(f"/periods/{period.pk}/lock/").status_code == 400
    period_submit(period=period, user=finance_officer, forecast=False)
    html = _text(client.get(f"/periods/{period.pk}/lock/"))
    assert "Locking Period 1 (April 2019) makes its actuals final" in html
    assert "Locking does not run a forecast or publish anything" in html
    assert 'id="confirm">Lock period 1</button>' in html
    response = client.post(f"/periods/{period.pk}/lock/", follow=True)
    assert "Period 1 (April 2019) locked: its actuals can no longer change." in _text(response)
    assert Period.objects.get(pk=period.pk).status == Period.Status.LOCKED


def test_unlocking_asks_for_a_reason_on_its_page(tiny, finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    period = tiny.periods.get(number=1)
    period_submit(period=period, user=finance_officer, forecast=False)
    client = client_for(director)
    client.post(f"/periods/{period.pk}/lock/")
    html = _text(client.get(f"/periods/{period.pk}/unlock/"))
    assert "Unlocking Period 1 (April 2019) makes it open again" in html
    assert "must submit it again before it can be locked" in html
    assert '<label class="govuk-label govuk-label--m" for="reason">Why are you unlocking it?</label>' in html
    refused = client.post(f"/periods/{period.pk}/unlock/", {"reason": " "})
    assert refused.status_code == 400 and "Give the reason for unlocking the period" in _text(refused)
    assert Period.objects.get(pk=period.pk).status == Period.Status.LOCKED
    client.post(f"/periods/{period.pk}/unlock/", {"reason": "Late invoice"})
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN
    assert AuditEvent.objects.get(action="period.open").reason == "Late invoice"


def test_a_director_sends_a_submitted_period_back_with_a_reason(tiny, finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    period = period_submit(period=tiny.periods.get(number=1), user=finance_officer, forecast=False)
    client = client_for(director)
    assert "Sending Period 1 (April 2019) back makes it open again" in _text(
        client.get(f"/periods/{period.pk}/reopen/")
    )
    client.post(f"/periods/{period.pk}/reopen/", {"reason": "Accruals missing"})
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN


def test_each_page_is_for_its_own_role(tiny, finance_officer, director, committee_member, client_for) -> None:  # type: ignore[no-untyped-def]
    period = tiny.periods.get(number=1)
    for user in (director, committee_member):
        for method in ("get", "post"):
            assert getattr(client_for(user), method)(f"/periods/{period.pk}/submit/").status_code == 403
    for user in (finance_officer, committee_member):
        for action in ("lock", "unlock", "reopen"):
            assert client_for(user).get(f"/periods/{period.pk}/{action}/").status_code == 403
            assert client_for(user).post(f"/periods/{period.pk}/{action}/", {"reason": "x"}).status_code == 403
    assert client_for(director).get(f"/periods/{period.pk}/explode/").status_code == 404
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN


def test_the_periods_page_links_to_the_confirmation_pages(tiny, finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    first, second = tiny.periods.get(number=1), tiny.periods.get(number=2)
    html = _text(client_for(finance_officer).get("/periods/?year=2019/20"))
    assert f'href="/periods/{first.pk}/submit/">Submit<span class="govuk-visually-hidden"> period 1</span></a>' in html
    assert "<form" not in html.split("<main", 1)[1].split("Status of each period", 1)[1]
    period_submit(period=first, user=finance_officer, forecast=False)
    html = _text(client_for(director).get("/periods/?year=2019/20"))
    assert f'href="/periods/{first.pk}/lock/">Lock' in html and f'href="/periods/{first.pk}/reopen/">Send back' in html
    assert f"/periods/{second.pk}/lock/" not in html  # an open period offers no lock


def test_the_run_forecast_button_refuses_with_the_message(tiny, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(finance_officer).post("/forecasts/request/", {"year": "2019/20", "period": "2"}, follow=True)
    assert response.redirect_chain[-1][0] == "/forecasts/?year=2019%2F20"
    assert (
        "A forecast as at Period 2 (May 2019) cannot be run yet. Budget lines without an actual (enter 0 for a "
        "line with no spend): INC-UASC Home Office UASC grant for Period 2 (May 2019)."
    ) in _text(response).replace("&#x27;", "'")
    assert not ForecastRun.objects.exists()


def test_unlocking_without_a_reason_comes_back_with_the_error_wired_to_the_box(
    tiny, finance_officer, director, client_for
) -> None:  # type: ignore[no-untyped-def]
    period = tiny.periods.get(number=1)
    period_submit(period=period, user=finance_officer, forecast=False)
    client = client_for(director)
    client.post(f"/periods/{period.pk}/lock/")
    html = client.post(f"/periods/{period.pk}/unlock/", {"reason": " "}).content.decode()
    assert field_error_problems(html, "reason", error_class="govuk-textarea--error") == []
    described = read(html).by_id()["reason"].attrs["aria-describedby"].split()
    assert described == ["reason-hint", "reason-error"]  # the hint first, then the error
    assert problems(html) == []
