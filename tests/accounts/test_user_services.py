"""Administrators manage people (the monthly cycle, point 9): each service, its refusals and its
audit entry in the council's words."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts import services
from accounts.models import AuditEvent, Role, User
from accounts.throttle import locked_usernames
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://outturn.example.gov.uk"


def _named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def fran(finance_officer: User) -> User:
    return _named(finance_officer, "Fran", "Smith")


def _add(by: User, **changes: str) -> tuple[User, str]:
    fields = {"first_name": "Jo", "last_name": "Bloggs", "email": "jo.bloggs@notts.gov.uk", "role": "finance_officer"}
    return services.user_add(by=by, site=SITE, **{**fields, **changes})


def test_adding_a_user_puts_them_in_the_administrators_authority_without_a_password(
    administrator, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user, link = _add(administrator)
    user.refresh_from_db()
    assert (user.username, user.authority, user.role, user.email) == (
        "jo.bloggs",
        administrator.authority,
        Role.FINANCE_OFFICER,
        "jo.bloggs@notts.gov.uk",
    )
    assert user.is_active and not user.has_usable_password()
    assert link.startswith(f"{SITE}/accounts/set-password/")
    event = AuditEvent.objects.get(action="user.create")
    assert event.object_repr == "Added user Jo Bloggs (Finance officer)"
    assert event.actor == "ada" and event.authority == administrator.authority
    assert event.after == {"username": "jo.bloggs", "email": "jo.bloggs@notts.gov.uk", "role": "finance_officer"}
    [mail] = mailoutbox
    assert mail.to == ["jo.bloggs@notts.gov.uk"] and link in mail.body and "jo.bloggs" in mail.body


def test_a_derived_username_that_is_taken_gets_a_number_and_an_entered_one_is_kept(administrator) -> None:
    UserFactory(username="jo.bloggs", authority=administrator.authority)
    assert _add(administrator, email="Jo.Bloggs@other.gov.uk")[0].username == "jo.bloggs2"
    assert _add(administrator, email="jb@notts.gov.uk", username="jbloggs")[0].username == "jbloggs"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "FRAN@notts.gov.uk"}, "email"),
        ({"username": "FRAN"}, "username"),
        ({"role": "superhero"}, "role"),
        ({"first_name": " "}, "first_name"),
    ],
)
def test_adding_a_user_refuses_a_used_email_or_username_and_writes_nothing(
    administrator, fran, changes: dict[str, str], field: str
) -> None:
    fran.email = "fran@notts.gov.uk"
    fran.save(update_fields=["email"])
    before = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        _add(administrator, **changes)
    assert field in refused.value.message_dict
    assert User.objects.count() == before and not AuditEvent.objects.exists()


def test_an_email_used_at_another_authority_is_refused_too(administrator, other_finance_officer) -> None:
    other_finance_officer.email = "olly@dorset.gov.uk"
    other_finance_officer.save(update_fields=["email"])
    with pytest.raises(ValidationError):
        _add(administrator, email="olly@dorset.gov.uk")


def test_only_an_administrator_adds_people(fran, director) -> None:
    for not_admin in (fran, director):
        with pytest.raises(PermissionDenied):
            _add(not_admin)
    assert not User.objects.filter(email="jo.bloggs@notts.gov.uk").exists()


def test_deactivating_and_reactivating_are_audited_in_words(administrator, fran) -> None:
    services.user_deactivate(by=administrator, user=fran)
    fran.refresh_from_db()
    assert not fran.is_active
    services.user_reactivate(by=administrator, user=fran)
    fran.refresh_from_db()
    assert fran.is_active
    words = list(AuditEvent.objects.order_by("id").values_list("action", "object_repr", "actor"))
    assert words == [
        ("user.deactivate", "Deactivated user Fran Smith", "ada"),
        ("user.reactivate", "Reactivated user Fran Smith", "ada"),
    ]


def test_an_administrator_cannot_deactivate_themselves(administrator) -> None:
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        services.user_deactivate(by=administrator, user=administrator)
    administrator.refresh_from_db()
    assert administrator.is_active and not AuditEvent.objects.exists()


def test_the_last_active_administrator_cannot_be_deactivated(authority, administrator) -> None:
    # Two administrators each deactivate the other at the same moment: the second is refused.
    bea = _named(UserFactory(username="bea", authority=authority, role=Role.ADMINISTRATOR), "Bea", "Jones")
    stale_bea = User.objects.get(pk=bea.pk)
    services.user_deactivate(by=administrator, user=bea)
    with pytest.raises(ValidationError, match="last active administrator"):
        services.user_deactivate(by=stale_bea, user=administrator)
    administrator.refresh_from_db()
    assert administrator.is_active
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 1


def test_the_last_active_administrator_cannot_lose_the_role(administrator) -> None:
    with pytest.raises(ValidationError, match="last active administrator"):
        services.user_role_change(user=administrator, role=Role.DIRECTOR, changed_by=administrator)
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "reset", "unlock"])
def test_nobody_acts_on_a_person_of_another_authority(administrator, other_finance_officer, action: str) -> None:
    call = {
        "deactivate": lambda: services.user_deactivate(by=administrator, user=other_finance_officer),
        "reactivate": lambda: services.user_reactivate(by=administrator, user=other_finance_officer),
        "reset": lambda: services.user_password_reset(by=administrator, user=other_finance_officer, site=SITE),
        "unlock": lambda: services.user_unlock(by=administrator, user=other_finance_officer),
    }[action]
    with pytest.raises(PermissionDenied):
        call()
    other_finance_officer.refresh_from_db()
    assert other_finance_officer.is_active and other_finance_officer.check_password(PASSWORD)
    assert not AuditEvent.objects.exists()


def test_a_finance_officer_cannot_use_the_administrators_services(fran, director) -> None:
    with pytest.raises(PermissionDenied):
        services.user_deactivate(by=fran, user=director)


def test_forcing_a_password_reset_stops_the_old_password_and_gives_a_link(
    administrator, fran, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    fran.email = "fran@notts.gov.uk"
    fran.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        link = services.user_password_reset(by=administrator, user=fran, site=SITE)
    fran.refresh_from_db()
    assert not fran.has_usable_password()
    assert not fran.check_password(PASSWORD)
    assert link.startswith(SITE + "/accounts/set-password/")
    assert link in mailoutbox[0].body and "new password" in mailoutbox[0].subject
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.object_repr == "Asked Fran Smith to reset their password"


def test_a_deactivated_person_or_yourself_cannot_be_reset(administrator, fran) -> None:
    with pytest.raises(ValidationError, match="your own password"):
        services.user_password_reset(by=administrator, user=administrator, site=SITE)
    services.user_deactivate(by=administrator, user=fran)
    with pytest.raises(ValidationError, match="Reactivate them first"):
        services.user_password_reset(by=administrator, user=fran, site=SITE)


def test_unlocking_clears_what_the_throttle_counted_for_that_username(administrator, fran, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/sign-in/", {"username": "fran", "password": "wrong-password-123"})
    assert locked_usernames(["fran", "ada"]) == {"fran"}
    assert services.user_unlock(by=administrator, user=fran) >= 1
    assert locked_usernames(["fran"]) == set()
    event = AuditEvent.objects.get(action="user.unlock")
    assert event.object_repr == "Unlocked sign-in for Fran Smith" and event.actor == "ada"


def test_a_mail_server_that_fails_does_not_undo_the_add(administrator, django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(services, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        user, link = _add(administrator)
    assert User.objects.filter(pk=user.pk).exists() and "/accounts/set-password/" in link


def test_a_person_without_an_email_address_is_reset_without_an_email(
    administrator, fran, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        link = services.user_password_reset(by=administrator, user=fran, site=SITE)
    assert "/accounts/set-password/" in link and mailoutbox == []
