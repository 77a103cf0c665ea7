"""Single sign-on against a real OpenID Connect provider started for these tests (its own process,
its own database): the authorisation code flow with PKCE, state and nonce, the ID token checked
against the provider's keys, and each refusal a council's people could meet, in words."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.requests_client import OAuth2Session
from django.test import Client
from joserfc import jwt
from joserfc.jwk import RSAKey

from accounts.models import AuditEvent, ExternalIdentity, Role, SecondFactor, User
from tests.accounts.oidc_provider import Provider
from tests.accounts.oidc_provider.driver import provider_answer
from tests.core.form_markup import read
from tests.wording.reading import page_text, problems

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/sign-in/council/done/"
PEOPLE: dict[str, dict[str, Any]] = {
    "jo.bloggs": {"groups": ["g-finance", "g-staff"], "first_name": "Jo", "last_name": "Bloggs"},
    "dee.director": {"groups": ["g-directors"], "first_name": "Dee", "last_name": "Okafor"},
    "sam.other": {"groups": ["g-staff"], "first_name": "Sam", "last_name": "Other"},
    "two.councils": {"groups": ["g-finance", "g-dorset"]},
    "wrong.audience": {"groups": ["g-finance"], "fault": "wrong_audience"},
    "wrong.issuer": {"groups": ["g-finance"], "fault": "wrong_issuer"},
    "expired": {"groups": ["g-finance"], "fault": "expired"},
    "many.groups": {"groups": ["g-finance"], "fault": "groups_overage"},
}
ROLE_MAP = "g-finance=NOTTS:finance_officer,g-directors=NOTTS:director,g-dorset=DORSET:finance_officer"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    started = Provider(workdir=Path(tmp_path_factory.mktemp("provider")), redirect_uris=[CALLBACK], people=PEOPLE)
    started.start()
    yield started
    started.stop()


@pytest.fixture
def sso(settings, provider: Provider, authority) -> Provider:  # type: ignore[no-untyped-def]
    settings.OIDC_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_ROLE_MAP = ROLE_MAP
    return provider


def _start(client: Client) -> str:
    response = client.get("/accounts/sign-in/council/")
    assert response.status_code == 302
    return str(response["Location"])


def _sign_in(client: Client, username: str) -> Any:
    back = provider_answer(_start(client), username)
    assert back.startswith(CALLBACK)
    return client.get(back.removeprefix("http://testserver"))


def _refusal(response: Any) -> str:
    assert response.status_code == 403
    assert "_auth_user_id" not in response.client.session
    html = response.content.decode()
    assert "<title>You cannot sign in to Outturn" in html
    return html


def test_the_authorisation_request_carries_state_nonce_and_a_pkce_challenge(client, sso) -> None:  # type: ignore[no-untyped-def]
    query = parse_qs(urlsplit(_start(client)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [sso.client_id]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert "openid" in query["scope"][0].split()


def test_first_sign_in_makes_the_account_from_the_groups_and_signs_in(client, sso, authority) -> None:  # type: ignore[no-untyped-def]
    response = _sign_in(client, "jo.bloggs")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="jo.bloggs")
    assert (user.authority, user.role, user.get_full_name()) == (authority, Role.FINANCE_OFFICER, "Jo Bloggs")
    assert user.email == "jo.bloggs@council.example" and not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).issuer == sso.issuer
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="user.sso_create")
    assert (
        event.authority == authority
        and event.object_repr == "Added user Jo Bloggs (Finance officer) at their first council sign-in"
    )


def test_the_role_follows_the_groups_at_each_sign_in(client, sso, settings) -> None:  # type: ignore[no-untyped-def]
    _sign_in(client, "jo.bloggs")
    settings.OIDC_ROLE_MAP = "g-staff=NOTTS:committee_member," + ROLE_MAP  # g-staff now comes first
    _sign_in(Client(), "jo.bloggs")
    user = User.objects.get(username="jo.bloggs")
    assert user.role == Role.COMMITTEE_MEMBER
    assert User.objects.filter(username__startswith="jo.bloggs").count() == 1  # found again, not made again
    change = AuditEvent.objects.get(action="user.role_change")
    assert (change.before, change.after) == ({"role": "finance_officer"}, {"role": "committee_member"})


def test_a_director_signing_in_through_the_council_is_not_asked_for_an_app_code(client, sso) -> None:  # type: ignore[no-untyped-def]
    response = _sign_in(client, "dee.director")
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(username="dee.director").role == Role.DIRECTOR
    assert client.get("/").status_code == 200
    assert not SecondFactor.objects.exists()


def test_someone_in_no_group_given_to_outturn_is_refused_in_words_and_audited(client, sso, authority, settings) -> None:  # type: ignore[no-untyped-def]
    # A council's provider serves one authority, which the refusal is recorded against.
    settings.OIDC_ROLE_MAP = "g-finance=NOTTS:finance_officer,g-directors=NOTTS:director"
    html = _refusal(_sign_in(client, "sam.other"))
    assert "Your council account is not set up to use Outturn" in html
    assert problems(page_text(html), "refused sign-in") == []
    assert not User.objects.filter(username="sam.other").exists()
    event = AuditEvent.objects.get(action="user.sso_refused")
    assert (
        event.authority == authority
        and event.object_repr == "Refused council sign-in for sam.other"
        and "no group" in event.reason
    )


def test_groups_of_two_authorities_are_refused(client, sso, other_authority) -> None:  # type: ignore[no-untyped-def]
    assert "more than one authority" in _refusal(_sign_in(client, "two.councils"))
    assert not User.objects.filter(username="two.councils").exists()


@pytest.mark.parametrize("username", ["wrong.audience", "wrong.issuer", "expired"])
def test_an_id_token_for_another_service_from_another_issuer_or_expired_is_refused(client, sso, username) -> None:  # type: ignore[no-untyped-def]
    assert "We could not confirm your sign-in" in _refusal(_sign_in(client, username))
    assert not User.objects.filter(username=username).exists()


def test_too_many_groups_to_list_is_explained(client, sso) -> None:  # type: ignore[no-untyped-def]
    assert "too many groups" in _refusal(_sign_in(client, "many.groups"))


@pytest.fixture
def token_in_transit(monkeypatch) -> Callable[[Callable[[str], str]], list[str]]:  # type: ignore[no-untyped-def]
    """Change the ID token on its way from the provider's token endpoint; the tokens seen are kept."""

    def install(change: Callable[[str], str]) -> list[str]:
        seen: list[str] = []
        original = OAuth2Session.fetch_token

        def fetch_token(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            token = original(self, *args, **kwargs)
            seen.append(token["id_token"])
            token["id_token"] = change(token["id_token"])
            return token

        monkeypatch.setattr(OAuth2Session, "fetch_token", fetch_token)
        return seen

    return install


def _payload(id_token: str) -> dict[str, Any]:
    part = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def test_an_id_token_signed_with_another_key_is_refused(client, sso, token_in_transit) -> None:  # type: ignore[no-untyped-def]
    forger = RSAKey.generate_key(2048)

    def forge(id_token: str) -> str:
        header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
        claims = _payload(id_token) | {"groups": ["g-directors"]}
        return jwt.encode({"alg": "RS256", "kid": header["kid"]}, claims, forger)

    token_in_transit(forge)
    assert "We could not confirm your sign-in" in _refusal(_sign_in(client, "jo.bloggs"))
    assert not User.objects.exists() or not User.objects.filter(username="jo.bloggs").exists()


def test_an_id_token_with_its_signature_altered_is_refused(client, sso, token_in_transit) -> None:  # type: ignore[no-untyped-def]
    def alter(id_token: str) -> str:
        head, body, signature = id_token.split(".")
        middle = len(signature) // 2
        flipped = "A" if signature[middle] != "A" else "B"
        return ".".join([head, body, signature[:middle] + flipped + signature[middle + 1 :]])

    token_in_transit(alter)
    _refusal(_sign_in(client, "jo.bloggs"))


def test_an_unsigned_id_token_is_refused(client, sso, token_in_transit) -> None:  # type: ignore[no-untyped-def]
    def unsign(id_token: str) -> str:
        head = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
        return f"{head}.{id_token.split('.')[1]}."

    token_in_transit(unsign)
    _refusal(_sign_in(client, "jo.bloggs"))


def test_an_id_token_from_an_earlier_sign_in_is_refused_by_its_nonce(client, sso, token_in_transit) -> None:  # type: ignore[no-untyped-def]
    kept: list[str] = []
    seen = token_in_transit(lambda token: kept[0] if kept else token)
    assert _sign_in(Client(), "jo.bloggs").status_code == 302  # the first: a good sign-in
    kept.append(seen[0])
    # A later sign-in is answered with the first one's (valid, signed, unexpired) token.
    assert "We could not confirm your sign-in" in _refusal(_sign_in(client, "jo.bloggs"))
    assert _payload(kept[0])["nonce"] != _payload(seen[1])["nonce"]


def test_the_answer_of_the_provider_works_once(client, sso) -> None:  # type: ignore[no-untyped-def]
    back = provider_answer(_start(client), "jo.bloggs")
    assert client.get(back.removeprefix("http://testserver")).status_code == 302
    client.logout()
    _refusal(client.get(back.removeprefix("http://testserver")))  # state gone, code used


def test_an_answer_for_another_browser_is_refused(client, sso) -> None:  # type: ignore[no-untyped-def]
    back = provider_answer(_start(Client()), "jo.bloggs")  # started in another browser
    _refusal(client.get(back.removeprefix("http://testserver")))


def test_the_sign_in_page_offers_the_council_account_and_can_drop_passwords(
    client, sso, settings, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/accounts/sign-in/").content.decode()
    assert "Sign in with your council account" in html and 'id="id_password"' in html
    settings.OUTTURN_LOCAL_SIGN_IN = False
    html = client.get("/accounts/sign-in/").content.decode()
    assert "Sign in with your council account" in html and 'id="id_password"' not in html
    refused = client.post("/accounts/sign-in/", {"username": "fran", "password": "a-long-test-password-42"})
    assert refused.status_code == 403 and "_auth_user_id" not in client.session
    assert "Outturn does not take passwords here" in refused.content.decode()
    # A refusal with no box to correct: "Error: " in the title, said in the summary, linked nowhere.
    page = read(refused.content.decode())
    assert page.title.startswith("Error: ") and page.with_class("govuk-error-summary")
    links = [e for e in page.elements if e.tag == "a" and e.attrs.get("href", "").startswith("#")]
    assert [e.attrs["href"] for e in links] == ["#main-content"]  # only the skip link


def test_without_sso_settings_there_is_no_council_button(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OIDC_DISCOVERY_URL = ""
    html = client.get("/accounts/sign-in/").content.decode()
    assert "Sign in with your council account" not in html and 'id="id_password"' in html
    assert client.get("/accounts/sign-in/council/")["Location"] == "/accounts/sign-in/"


def test_a_provider_that_does_not_answer_gets_a_page_in_words(client, settings, authority) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.oidc_provider import free_port

    settings.OIDC_DISCOVERY_URL = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "x"
    response = client.get("/accounts/sign-in/council/")
    assert response.status_code == 503
    assert "did not answer" in response.content.decode()


def test_an_account_made_before_is_linked_by_its_email_not_made_again(client, sso, authority, other_authority) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    elsewhere = UserFactory(username="jb-dorset", authority=other_authority, email="jo.bloggs@council.example")
    made = UserFactory(username="jbloggs", authority=authority, email="Jo.Bloggs@council.example")
    assert _sign_in(client, "jo.bloggs").status_code == 302
    assert int(client.session["_auth_user_id"]) == made.pk
    assert ExternalIdentity.objects.get().user == made and not ExternalIdentity.objects.filter(user=elsewhere).exists()
    assert not User.objects.filter(username="jo.bloggs").exists()
    assert AuditEvent.objects.get(action="user.sso_link").object_repr == "Linked jbloggs to their council account"


@pytest.mark.parametrize(
    ("role_map", "secret", "expected"),
    [
        ("g-finance=NOTTS:finance_officer", "s", []),
        ("", "s", ["accounts.E001"]),
        ("g-finance=NOTTS:treasurer", "s", ["accounts.E002"]),
        ('{"g-finance": "NOTTS"}', "s", ["accounts.E002"]),
        ("g-finance=NOTTS:director", "", ["accounts.E003"]),
    ],
)
def test_the_settings_are_checked_when_the_site_starts(settings, role_map, secret, expected) -> None:  # type: ignore[no-untyped-def]
    from accounts.apps import sso_settings_check

    settings.OIDC_DISCOVERY_URL = "https://login.example/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "outturn"
    settings.OIDC_CLIENT_SECRET = secret
    settings.OIDC_ROLE_MAP = role_map
    assert [problem.id for problem in sso_settings_check()] == expected


def test_the_role_map_reads_both_ways_of_writing_it(settings) -> None:  # type: ignore[no-untyped-def]
    from accounts.oidc import Grant, role_map

    settings.OIDC_ROLE_MAP = "a=NOTTS:director, b = DORSET:finance_officer"
    text = role_map()
    settings.OIDC_ROLE_MAP = '{"a": "NOTTS:director", "b": "DORSET:finance_officer"}'
    assert text == role_map() == {"a": Grant("NOTTS", "director"), "b": Grant("DORSET", "finance_officer")}
