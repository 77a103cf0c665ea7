"""A director's first sign-in with a password in a real browser: setting up the authenticator
app from the page's key, the recovery codes, then the code at the next sign-in; each page passes
axe at 1366 px and 390 px with no console errors (the QR code is within the page's policy)."""

from __future__ import annotations

import pyotp
import pytest

from accounts.models import SecondFactor
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_director_sets_up_the_app_and_then_gives_its_code(visitor, director, width) -> None:  # type: ignore[no-untyped-def]
    person = visitor()
    person.page.set_viewport_size({"width": width, "height": 900})
    person.page.goto("/accounts/sign-in/")
    person.page.fill("#id_username", director.username)
    person.page.fill("#id_password", PASSWORD)
    person.page.click("form button[type=submit]")
    person.page.wait_for_url("**/accounts/sign-in/set-up-app/")
    assert person.page.locator("img[alt^='QR code']").evaluate("img => img.naturalWidth") > 0
    assert person.axe_violations() == []
    secret = person.page.inner_text("#secret").replace(" ", "")
    person.page.fill("#code", "000000")
    person.page.click("form button[type=submit]")
    assert "The code is not right" in person.page.inner_text(".govuk-error-summary")
    assert person.axe_violations() == []
    person.page.fill("#code", pyotp.TOTP(secret).now())
    person.page.click("form button[type=submit]")
    person.page.wait_for_url("**/accounts/sign-in/recovery-codes/")
    assert person.page.locator("#recovery-codes li").count() == 10
    assert person.axe_violations() == []
    person.page.click("text=Continue to Outturn")
    person.page.wait_for_url(f"{person.base_url}/")

    later = visitor()
    later.page.set_viewport_size({"width": width, "height": 900})
    later.page.goto("/accounts/sign-in/")
    later.page.fill("#id_username", director.username)
    later.page.fill("#id_password", PASSWORD)
    later.page.click("form button[type=submit]")
    later.page.wait_for_url("**/accounts/sign-in/code/")
    assert later.axe_violations() == []
    later.page.fill("#code", "000000")
    later.page.click("form button[type=submit]")
    later.page.wait_for_load_state()
    assert later.page.title().startswith("Error: ") and later.axe_violations() == []
    assert later.page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    SecondFactor.objects.filter(user=director).update(last_step=0)  # as if the next 30 seconds had come
    later.page.fill("#code", pyotp.TOTP(secret).now())
    later.page.click("form button[type=submit]")
    later.page.wait_for_url(f"{later.base_url}/")
    assert person.console_errors == [] and later.console_errors == []
    assert person.foreign_requests() == [] and later.foreign_requests() == []
