"""The second step for directors and administrators signing in with a password: codes are real
RFC 6238 codes worked out from the secret (pyotp), the clock moved with time-machine."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.test import Client

from accounts.models import AuditEvent, RecoveryCode, Role, SecondFactor
from tests.core.form_markup import field_error_problems, read
from tests.core.form_markup import problems as form_problems
from tests.factories import PASSWORD, UserFactory
from tests.wording.reading import page_text, problems

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 7, 31, 12, 0, 0, tzinfo=UTC)  # a step boundary: 12:00:00 is step 59,596,920 x 30 s


def _password(client: Client, username: str) -> str:
    response = client.post("/accounts/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return str(response["Location"])


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _enrolled(client: Client, username: str) -> tuple[str, list[str]]:
    """Sign in for the first time and set up the app: its secret and the recovery codes shown."""
    assert _password(client, username) == "/accounts/sign-in/set-up-app/"
    html = client.get("/accounts/sign-in/set-up-app/").content.decode()
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn here (no request elsewhere)
    response = client.post("/accounts/sign-in/set-up-app/", {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/accounts/sign-in/recovery-codes/"
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", client.get(response["Location"]).content.decode())
    return secret, codes


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ADMINISTRATOR])
def test_a_director_or_administrator_without_an_app_sets_one_up_before_any_page(time_machine, authority, role) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    UserFactory(username="dee", authority=authority, role=role)
    client = Client()
    assert _password(client, "dee") == "/accounts/sign-in/set-up-app/"
    assert not _signed_in(client)
    assert client.get("/")["Location"].startswith("/accounts/sign-in/")  # no page on the password alone
    secret, codes = _enrolled(Client(), "dee")
    assert len(secret) == 32 and len(codes) == 10 and len(set(codes)) == 10
    assert AuditEvent.objects.filter(action="user.second_factor_set_up").count() == 1


def test_setting_up_signs_in_and_shows_the_recovery_codes_once(time_machine, director) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    client = Client()
    secret, codes = _enrolled(client, director.username)
    assert _signed_in(client) and client.get("/").status_code == 200
    assert client.get("/accounts/sign-in/recovery-codes/")["Location"] == "/"  # not shown again
    # Only hashes are kept.
    stored = set(RecoveryCode.objects.filter(user=director).values_list("code_hash", flat=True))
    assert not any(code in hash_ or code.replace("-", "") in hash_ for code in codes for hash_ in stored)
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in stored
    assert SecondFactor.objects.get(user=director).secret == secret


def test_a_wrong_code_while_setting_up_is_refused_in_words(time_machine, director) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    client = Client()
    _password(client, director.username)
    response = client.post("/accounts/sign-in/set-up-app/", {"code": "000000"})
    assert response.status_code == 200 and not _signed_in(client)
    assert "The code is not right" in response.content.decode()
    assert SecondFactor.objects.get(user=director).confirmed_at is None


def test_a_finance_officer_signs_in_with_the_password_alone(finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert _password(client, finance_officer.username) == "/"
    assert _signed_in(client)


@pytest.fixture
def enrolled(time_machine, director):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    secret, codes = _enrolled(Client(), director.username)
    return director, pyotp.TOTP(secret), codes


def test_the_code_of_now_signs_in_and_works_once(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, totp, _ = enrolled
    time_machine.move_to(NOON + timedelta(minutes=5), tick=False)
    client = Client()
    assert _password(client, director.username) == "/accounts/sign-in/code/"
    assert not _signed_in(client)
    code = totp.at(NOON + timedelta(minutes=5))
    assert client.post("/accounts/sign-in/code/", {"code": code})["Location"] == "/"
    assert _signed_in(client)
    again = Client()
    _password(again, director.username)
    response = again.post("/accounts/sign-in/code/", {"code": code})
    assert response.status_code == 200 and not _signed_in(again)
    assert "each code works once" in response.content.decode()


@pytest.mark.parametrize(("offset", "accepted"), [(-30, True), (30, True), (-60, False), (60, False), (0, True)])
def test_a_code_a_step_either_side_is_accepted_and_no_further(enrolled, time_machine, offset, accepted) -> None:  # type: ignore[no-untyped-def]
    director, totp, _ = enrolled
    now = NOON + timedelta(minutes=10)
    time_machine.move_to(now, tick=False)
    client = Client()
    _password(client, director.username)
    client.post("/accounts/sign-in/code/", {"code": totp.at(now + timedelta(seconds=offset))})
    assert _signed_in(client) is accepted


def test_five_wrong_codes_pause_the_second_step_for_fifteen_minutes(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, totp, _ = enrolled
    start = NOON + timedelta(minutes=10)
    time_machine.move_to(start, tick=False)
    client = Client()
    _password(client, director.username)
    for _ in range(5):
        client.post("/accounts/sign-in/code/", {"code": "123456"})
    # Even the right code is refused while paused, with the time it ends (BST: 13:10 UTC + 15 min).
    response = client.post("/accounts/sign-in/code/", {"code": totp.at(start)})
    assert not _signed_in(client)
    assert "too many wrong codes. Try again after 1:25pm" in response.content.decode()
    late = start + timedelta(minutes=14)
    time_machine.move_to(late, tick=False)
    still = Client()
    _password(still, director.username)
    still.post("/accounts/sign-in/code/", {"code": totp.at(late)})
    assert not _signed_in(still)
    time_machine.move_to(start + timedelta(minutes=15, seconds=1), tick=False)
    fresh = Client()
    _password(fresh, director.username)
    fresh.post("/accounts/sign-in/code/", {"code": totp.at(start + timedelta(minutes=15, seconds=1))})
    assert _signed_in(fresh)


def test_a_recovery_code_signs_in_once(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, _, codes = enrolled
    client = Client()
    _password(client, director.username)
    assert client.post("/accounts/sign-in/code/", {"code": codes[3].upper()})["Location"] == "/"
    assert AuditEvent.objects.filter(action="user.recovery_code_used").count() == 1
    again = Client()
    _password(again, director.username)
    again.post("/accounts/sign-in/code/", {"code": codes[3]})
    assert not _signed_in(again)


def test_a_pending_sign_in_lapses_after_ten_minutes(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, totp, _ = enrolled
    time_machine.move_to(NOON + timedelta(minutes=1), tick=False)
    client = Client()
    _password(client, director.username)
    late = NOON + timedelta(minutes=11, seconds=1)
    time_machine.move_to(late, tick=False)
    response = client.post("/accounts/sign-in/code/", {"code": totp.at(late)})
    assert response["Location"] == "/accounts/sign-in/" and not _signed_in(client)


def test_the_steps_need_a_password_first(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/accounts/sign-in/code/")["Location"] == "/accounts/sign-in/"
    assert client.get("/accounts/sign-in/set-up-app/")["Location"] == "/accounts/sign-in/"


def test_the_pages_of_the_second_step_read_in_words(time_machine, director) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    client = Client()
    _password(client, director.username)
    pages = [client.get("/accounts/sign-in/set-up-app/"), client.post("/accounts/sign-in/set-up-app/", {"code": "1"})]
    secret = SecondFactor.objects.get(user=director).secret
    client.post("/accounts/sign-in/set-up-app/", {"code": pyotp.TOTP(secret).now()})
    pages.append(client.get("/accounts/sign-in/recovery-codes/"))
    again = Client()
    _password(again, director.username)
    pages += [again.get("/accounts/sign-in/code/"), again.post("/accounts/sign-in/code/", {"code": "1"})]
    found: list[str] = []
    for response in pages:
        assert response.status_code == 200
        found += problems(page_text(response.content.decode()), response.request["PATH_INFO"])
    assert found == []


def test_an_administrator_resets_a_lost_app_and_the_person_sets_up_again(enrolled, client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    director, _, _ = enrolled
    admin = client_for(administrator)
    assert f"/accounts/users/{director.pk}/reset-app/" in admin.get("/accounts/users/").content.decode()
    page = admin.get(f"/accounts/users/{director.pk}/reset-app/").content.decode()
    assert "Reset the authenticator app of" in page
    admin.post(f"/accounts/users/{director.pk}/reset-app/")
    assert not SecondFactor.objects.filter(user=director).exists()
    assert not RecoveryCode.objects.filter(user=director).exists()
    event = AuditEvent.objects.get(action="user.second_factor_reset")
    assert event.user == administrator and event.object_repr.startswith("Reset the authenticator app of")
    assert _password(Client(), director.username) == "/accounts/sign-in/set-up-app/"


def test_an_administrator_of_another_authority_cannot_reset_the_app(enrolled, client_for, other_authority) -> None:  # type: ignore[no-untyped-def]
    director, _, _ = enrolled
    outsider = client_for(UserFactory(username="otto", authority=other_authority, role=Role.ADMINISTRATOR))
    assert outsider.get(f"/accounts/users/{director.pk}/reset-app/").status_code == 404
    assert outsider.post(f"/accounts/users/{director.pk}/reset-app/").status_code == 404
    assert SecondFactor.objects.filter(user=director).exists()


# A session from before the rule applied to its user: signed in without the second step, whether
# before the step existed (a bare force_login) or as a finance officer promoted since.


def test_a_session_that_never_gave_a_code_is_asked_for_it_on_its_next_request(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, totp, _ = enrolled
    now = NOON + timedelta(minutes=5)
    time_machine.move_to(now, tick=False)
    client = Client()
    client.force_login(director)
    response = client.get("/dashboards/?year=2019/20")
    assert response["Location"] == "/accounts/sign-in/code/"
    assert not _signed_in(client)  # signed out: no page until the code
    assert client.get("/")["Location"].startswith("/accounts/sign-in/")
    # The code brings them back where they were going, and then pages open.
    assert client.post("/accounts/sign-in/code/", {"code": totp.at(now)})["Location"] == "/dashboards/?year=2019/20"
    assert _signed_in(client) and client.get("/").status_code == 200


def test_someone_promoted_to_director_while_signed_in_sets_up_the_app_next(time_machine, finance_officer) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    client = Client()
    assert _password(client, finance_officer.username) == "/"  # no code asked of a finance officer
    assert client.get("/").status_code == 200
    finance_officer.role = Role.DIRECTOR
    finance_officer.save(update_fields=["role"])
    assert client.get("/")["Location"] == "/accounts/sign-in/set-up-app/"
    assert not _signed_in(client)
    html = client.get("/accounts/sign-in/set-up-app/").content.decode()
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert client.post("/accounts/sign-in/set-up-app/", {"code": pyotp.TOTP(secret).now()})["Location"] == (
        "/accounts/sign-in/recovery-codes/"
    )
    assert _signed_in(client) and client.get("/").status_code == 200


def test_a_form_sent_without_the_code_is_not_acted_on_and_the_code_leads_home(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, totp, _ = enrolled
    now = NOON + timedelta(minutes=5)
    time_machine.move_to(now, tick=False)
    client = Client()
    client.force_login(director)
    assert client.post("/dashboards/commentary/", {"x": "1"})["Location"] == "/accounts/sign-in/code/"
    assert client.post("/accounts/sign-in/code/", {"code": totp.at(now)})["Location"] == "/"


def test_signing_out_needs_no_code(enrolled) -> None:  # type: ignore[no-untyped-def]
    director, _, _ = enrolled
    client = Client()
    client.force_login(director)
    response = client.post("/accounts/sign-out/")
    assert response.status_code in (200, 302) and response.get("Location", "") != "/accounts/sign-in/code/"
    assert not _signed_in(client)


def test_single_sign_on_counts_as_the_second_step(director) -> None:  # type: ignore[no-untyped-def]
    # The council's identity provider does its own multi-factor check (docs/sign-in.md).
    client = Client()
    client.force_login(director)
    session = client.session
    session["outturn_signed_in_with"] = "sso"
    session.save()
    assert client.get("/").status_code == 200


def test_no_code_is_owed_where_no_role_needs_one(settings, director) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_SECOND_FACTOR_ROLES = []  # the local demo's setting
    client = Client()
    client.force_login(director)
    assert client.get("/").status_code == 200


def test_a_wrong_code_comes_back_with_the_error_wired_to_the_box(enrolled, time_machine) -> None:  # type: ignore[no-untyped-def]
    director, _, _ = enrolled
    client = Client()
    _password(client, director.username)
    html = client.post("/accounts/sign-in/code/", {"code": "000000"}).content.decode()
    assert field_error_problems(html, "code", error_class="govuk-input--error") == []
    box = read(html).by_id()["code"]
    assert box.attrs["aria-describedby"].split() == ["code-hint", "code-error"]
    assert box.attrs["autocomplete"] == "one-time-code" and form_problems(html) == []
    # Sent empty, the same box says what to enter.
    empty = client.post("/accounts/sign-in/code/", {"code": ""}).content.decode()
    assert "Enter the 6-digit code from your authenticator app, or a recovery code" in empty
    assert field_error_problems(empty, "code", error_class="govuk-input--error") == []


def test_a_wrong_code_while_setting_up_comes_back_with_the_error_wired_to_the_box(time_machine, director) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOON, tick=False)
    client = Client()
    _password(client, director.username)
    html = client.post("/accounts/sign-in/set-up-app/", {"code": "12"}).content.decode()
    assert field_error_problems(html, "code", error_class="govuk-input--error") == []
    assert read(html).by_id()["code"].attrs["aria-describedby"].split() == ["code-error"]  # no hint here
    assert form_problems(html) == []
