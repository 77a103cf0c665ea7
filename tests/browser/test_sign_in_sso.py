"""Signing in through the council's identity provider in a real browser: the sign-in page's
button, the provider's own sign-in form (a real OpenID Connect provider started for the test)
and back to Outturn signed in; the pages on the way pass axe at 1366 px and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Role, User
from tests.accounts.oidc_provider import PASSWORD, Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = {
    "dee.director": {"groups": ["g-directors"], "first_name": "Dee", "last_name": "Okafor"},
    "sam.other": {"groups": ["g-elsewhere"], "first_name": "Sam", "last_name": "Other"},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, live_server: Any) -> Iterator[Provider]:
    started = Provider(
        workdir=Path(tmp_path_factory.mktemp("provider")),
        redirect_uris=[f"{live_server.url}/accounts/sign-in/council/done/"],
        people=PEOPLE,
    )
    started.start()
    yield started
    started.stop()


@pytest.fixture
def sso(settings, provider: Provider, authority) -> Provider:  # type: ignore[no-untyped-def]
    settings.OIDC_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_ROLE_MAP = "g-directors=NOTTS:director"
    return provider


def _through_the_provider(person: Any, provider: Provider, username: str) -> None:
    person.page.goto("/accounts/sign-in/")
    person.page.click("text=Sign in with your council account")
    person.page.wait_for_url(f"{provider.url}/login/**")
    person.page.fill("#provider-username", username)
    person.page.fill("#provider-password", PASSWORD)
    person.page.click("#provider-submit")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_director_signs_in_with_their_council_account(visitor, sso, width) -> None:  # type: ignore[no-untyped-def]
    person = visitor()
    person.page.set_viewport_size({"width": width, "height": 900})
    person.page.goto("/accounts/sign-in/")
    assert person.axe_violations() == []
    _through_the_provider(person, sso, "dee.director")
    person.page.wait_for_url(f"{person.base_url}/")  # no authenticator step: the provider did its own
    assert "Sign out" in person.page.inner_text("body")
    user = User.objects.get(username="dee.director")
    assert (user.role, user.authority.code, user.get_full_name()) == (Role.DIRECTOR, "NOTTS", "Dee Okafor")
    assert person.axe_violations() == []
    assert person.console_errors == []


def test_someone_outturn_does_not_know_is_told_why_in_words(visitor, sso) -> None:  # type: ignore[no-untyped-def]
    person = visitor()
    _through_the_provider(person, sso, "sam.other")
    person.page.wait_for_url(f"{person.base_url}/accounts/sign-in/council/done/**")
    assert "Your council account is not set up to use Outturn" in person.page.inner_text("#refusal")
    assert person.axe_violations() == []
    assert not User.objects.filter(username="sam.other").exists()
