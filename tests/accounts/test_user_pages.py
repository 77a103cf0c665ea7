"""The users pages with the test client: who reaches them, the add form, confirmation pages, the
set-password link letting a new person sign in, and unlocking a throttled sign-in."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from accounts.models import AuditEvent, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kettle-harbour-violet-29"
CHANGES = ["deactivate", "reactivate", "reset-password", "unlock"]


def _sign_in(client: Client, username: str, password: str) -> bool:
    """Whether the password was taken: signed in, or (a director or administrator) sent on to the
    authenticator app's step (tests/accounts/test_second_factor.py)."""
    client.post("/accounts/sign-in/", {"username": username, "password": password})
    return "_auth_user_id" in client.session or "outturn_sign_in_pending" in client.session


def _link_path(html: str) -> str:
    return re.search(r'href="https?://testserver(/accounts/set-password/[^"]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture
def fran(finance_officer: User) -> User:
    finance_officer.first_name, finance_officer.last_name = "Fran", "Smith"
    finance_officer.email = "fran@notts.gov.uk"
    finance_officer.last_login = datetime(2019, 7, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    finance_officer.save()
    return finance_officer


def test_the_users_page_lists_people_in_words(client_for, administrator, fran) -> None:
    html = client_for(administrator).get("/accounts/users/").content.decode()
    assert "Fran Smith" in html and "fran@notts.gov.uk" in html and "Finance officer" in html
    # 23:30 UTC on 31 July is 00:30 on 1 August in London.
    assert "1 August 2019" in html and "Active" in html
    fran.last_login = None
    fran.save(update_fields=["last_login"])
    assert "Never" in client_for(administrator).get("/accounts/users/").content.decode()
    assert 'href="/accounts/users/add/"' in html
    assert f'href="/accounts/users/{fran.pk}/deactivate/"' in html
    assert f'href="/accounts/users/{fran.pk}/reset-password/"' in html
    # No one is offered deactivating themselves.
    assert f'href="/accounts/users/{administrator.pk}/deactivate/"' not in html


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.DIRECTOR, Role.COMMITTEE_MEMBER])
def test_only_administrators_reach_the_users_pages(client_for, authority, fran, role: str) -> None:
    client = client_for(UserFactory(authority=authority, role=role))
    for path in ["/accounts/users/add/", f"/accounts/users/{fran.pk}/link/"] + [
        f"/accounts/users/{fran.pk}/{change}/" for change in CHANGES
    ]:
        assert client.get(path).status_code == 403, path
        assert client.post(path).status_code == 403, path
    fran.refresh_from_db()
    assert fran.is_active and not AuditEvent.objects.exists()


def test_another_authoritys_people_are_not_found(client_for, administrator, other_finance_officer) -> None:
    client = client_for(administrator)
    target = other_finance_officer.pk
    assert client.get(f"/accounts/users/{target}/link/").status_code == 404
    for change in CHANGES:
        assert client.get(f"/accounts/users/{target}/{change}/").status_code == 404
        assert client.post(f"/accounts/users/{target}/{change}/").status_code == 404
    assert "olly" not in client.get("/accounts/users/").content.decode()
    other_finance_officer.refresh_from_db()
    assert other_finance_officer.is_active and other_finance_officer.check_password(PASSWORD)
    assert not AuditEvent.objects.exists()


def test_an_unknown_change_is_not_found(client_for, administrator, fran) -> None:
    assert client_for(administrator).get(f"/accounts/users/{fran.pk}/promote/").status_code == 404


def test_the_add_form_shows_each_problem_against_its_field(client_for, administrator, fran) -> None:
    response = client_for(administrator).post(
        "/accounts/users/add/", {"first_name": "", "last_name": "Bloggs", "email": "fran@notts.gov.uk", "role": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a user" in html
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_first_name">First name: Enter their first name</a>' in html
    assert '<a href="#id_role">Role: Choose a role</a>' in html
    assert 'id="id_first_name-error"' in html and 'aria-describedby="id_first_name-error"' in html
    # The duplicate email is found by the service once the form itself is clean.
    html = (
        client_for(administrator)
        .post(
            "/accounts/users/add/",
            {"first_name": "Jo", "last_name": "Bloggs", "email": "FRAN@notts.gov.uk", "role": "director"},
        )
        .content.decode()
    )
    assert '<a href="#id_email">Email address: Someone already uses this email address' in html
    assert User.objects.count() == 2


def test_a_new_user_chooses_a_password_from_the_link_and_signs_in(
    client_for, administrator, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    admin = client_for(administrator)
    html = admin.get("/accounts/users/add/").content.decode()
    assert "<title>Add a user" in html and 'for="id_email"' in html and 'id="id_email-hint"' in html
    fields = {"first_name": "Jo", "last_name": "Bloggs", "email": "jo.bloggs@notts.gov.uk", "role": "director"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/accounts/users/add/", fields, follow=True)
    html = response.content.decode()
    jo = User.objects.get(username="jo.bloggs")
    assert jo.authority == administrator.authority and jo.role == Role.DIRECTOR
    assert "Jo Bloggs has been added as Director." in html
    path = _link_path(html)
    assert path in mailoutbox[0].body
    # Shown once: the page no longer has it.
    again = admin.get(f"/accounts/users/{jo.pk}/link/").content.decode()
    assert path not in again and "already been shown" in again
    assert AuditEvent.objects.get(action="user.create").object_repr == "Added user Jo Bloggs (Director)"

    person = Client()
    assert not _sign_in(person, "jo.bloggs", "")
    form = person.get(path, follow=True)
    assert "Choose your password" in form.content.decode()
    done = person.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/set-password/done/"
    assert "Password saved" in person.get("/accounts/set-password/done/").content.decode()
    assert _sign_in(Client(), "jo.bloggs", NEW_PASSWORD)
    # The link works once.
    assert "This link no longer works" in Client().get(path, follow=True).content.decode()


def test_a_weak_password_is_refused_with_an_error_title(client_for, administrator, fran) -> None:
    admin = client_for(administrator)
    admin.post(f"/accounts/users/{fran.pk}/reset-password/")
    person = Client()
    form = person.get(_link_path(admin.get(f"/accounts/users/{fran.pk}/link/").content.decode()), follow=True)
    weak = {"new_password1": "short", "new_password2": "short"}
    html = person.post(form.redirect_chain[-1][0], weak).content.decode()
    assert "<title>Error: Choose your password" in html and 'href="#id_new_password2"' in html


def test_deactivating_asks_first_then_signs_the_person_out(client_for, administrator, fran) -> None:
    admin = client_for(administrator)
    fran_session = client_for(fran)
    page = admin.get(f"/accounts/users/{fran.pk}/deactivate/").content.decode()
    assert "Deactivate Fran Smith?" in page and "will not be able to sign in" in page
    assert 'href="/accounts/users/"' in page and "Cancel" in page
    fran.refresh_from_db()
    assert fran.is_active  # asking changes nothing
    response = admin.post(f"/accounts/users/{fran.pk}/deactivate/", follow=True)
    assert "Fran Smith has been deactivated." in response.content.decode()
    assert "Deactivated" in response.content.decode()
    assert fran_session.get("/").status_code == 302  # signed out
    assert not _sign_in(Client(), "fran", PASSWORD)
    assert "Reactivate Fran Smith?" in admin.get(f"/accounts/users/{fran.pk}/reactivate/").content.decode()
    admin.post(f"/accounts/users/{fran.pk}/reactivate/")
    assert _sign_in(Client(), "fran", PASSWORD)
    actions = list(AuditEvent.objects.order_by("id").values_list("object_repr", flat=True))
    assert actions == ["Deactivated user Fran Smith", "Reactivated user Fran Smith"]


def test_an_administrator_cannot_deactivate_themselves_through_the_page(client_for, administrator) -> None:
    response = client_for(administrator).post(f"/accounts/users/{administrator.pk}/deactivate/", follow=True)
    assert "You cannot deactivate yourself" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active


def test_a_forced_reset_signs_the_person_out_and_the_link_lets_them_back(client_for, administrator, fran) -> None:
    admin = client_for(administrator)
    fran_session = client_for(fran)
    assert fran_session.get("/").status_code == 200
    page = admin.get(f"/accounts/users/{fran.pk}/reset-password/").content.decode()
    assert "Reset the password of Fran Smith?" in page and "current password stops working" in page
    html = admin.post(f"/accounts/users/{fran.pk}/reset-password/", follow=True).content.decode()
    assert "Set-password link for Fran Smith" in html
    assert fran_session.get("/").status_code == 302
    assert not _sign_in(Client(), "fran", PASSWORD)
    person = Client()
    form = person.get(_link_path(html), follow=True)
    person.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _sign_in(Client(), "fran", NEW_PASSWORD)
    assert AuditEvent.objects.get(action="user.password_reset").object_repr == (
        "Asked Fran Smith to reset their password"
    )


def test_a_throttled_sign_in_is_unlocked_by_an_administrator(client_for, administrator, fran, settings) -> None:
    person = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        person.post("/accounts/sign-in/", {"username": "fran", "password": "wrong-password-123"})
    assert person.post("/accounts/sign-in/", {"username": "fran", "password": PASSWORD}).status_code == 429
    admin = client_for(administrator)
    listing = admin.get("/accounts/users/").content.decode()
    assert "Sign-in locked" in listing and f'href="/accounts/users/{fran.pk}/unlock/"' in listing
    page = admin.get(f"/accounts/users/{fran.pk}/unlock/").content.decode()
    assert "Unlock sign-in for Fran Smith?" in page and "too many failed attempts" in page
    response = admin.post(f"/accounts/users/{fran.pk}/unlock/", follow=True)
    assert "Sign-in for Fran Smith is unlocked." in response.content.decode()
    assert "Sign-in locked" not in response.content.decode()
    assert _sign_in(person, "fran", PASSWORD)
    assert AuditEvent.objects.get(action="user.unlock").object_repr == "Unlocked sign-in for Fran Smith"


def test_a_change_that_does_not_apply_offers_no_button(client_for, administrator, fran) -> None:
    page = client_for(administrator).get(f"/accounts/users/{fran.pk}/unlock/").content.decode()
    assert "There is nothing to do" in page and "Unlock sign-in</button>" not in page
