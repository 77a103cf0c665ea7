"""Writes for authorities and people."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.audit import audit_record
from accounts.models import Authority, RecoveryCode, Role, SecondFactor, User
from accounts.throttle import throttle_clear

logger = logging.getLogger(__name__)


@transaction.atomic
def authority_create(*, code: str, name: str) -> Authority:
    return Authority.objects.create(code=code, name=name)


@transaction.atomic
def user_create(
    *,
    username: str,
    authority: Authority,
    role: str,
    password: str,
    created_by: User | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    if role not in Role.values:
        raise ValueError(f"'{role}' is not a role; use one of {', '.join(Role.values)}")
    user = User(
        username=username,
        authority=authority,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        authority=authority,
        user=created_by,
        action="user.create",
        obj=user,
        after={"username": username, "role": role},
    )
    return user


@transaction.atomic
def user_role_change(*, user: User, role: str, changed_by: User | None, reason: str = "") -> User:
    if role not in Role.values:
        raise ValueError(f"'{role}' is not a role; use one of {', '.join(Role.values)}")
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = locked.role
    if before == role:
        return locked
    _refuse_if_last_administrator(locked, "change the role of")
    locked.role = role
    locked.save(update_fields=["role"])
    assert locked.authority is not None
    audit_record(
        authority=locked.authority,
        user=changed_by,
        action="user.role_change",
        obj=locked,
        before={"role": before},
        after={"role": role},
        reason=reason,
    )
    return locked


# --------------------------------------------------------------------------------------------
# Administrators manage people: add, deactivate, reactivate, force a password reset, unlock a
# throttled sign-in. Each refuses a person of another authority and writes one audit entry whose
# description (object_repr, the audit log's "What") is in the council's words.
# --------------------------------------------------------------------------------------------

USERNAME_MAX = 150


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _check_administrator_of(by: User, target: User) -> Authority:
    """The acting administrator's authority, which must be the target's; anything else is refused."""
    if by.role != Role.ADMINISTRATOR or by.authority_id is None or not by.is_active:
        raise PermissionDenied("Only an administrator manages people.")
    if target.authority_id != by.authority_id:
        raise PermissionDenied("That person is not at your authority.")
    assert by.authority is not None
    return by.authority


def _other_active_administrators(user: User) -> int:
    """Active administrators of `user`'s authority besides `user`, rows locked so that two
    administrators removing each other at the same moment cannot leave none."""
    others = User.objects.select_for_update().filter(authority=user.authority, role=Role.ADMINISTRATOR, is_active=True)
    return len([pk for pk in others.values_list("pk", flat=True) if pk != user.pk])


def _refuse_if_last_administrator(user: User, doing: str) -> None:
    if user.role == Role.ADMINISTRATOR and user.is_active and _other_active_administrators(user) == 0:
        raise ValidationError(
            f"You cannot {doing} {display_name(user)}: they are the last active administrator at "
            f"{user.authority}. Make someone else an administrator first."
        )


def set_password_path(user: User) -> str:
    """The path of a one-time link that lets `user` choose a password (Django's reset token, which
    stops working once the password changes or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("set_password", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def _send_set_password_email(user: User, link: str, *, new: bool) -> None:
    if not user.email:
        return  # the administrator passes the link on
    context = {
        "user": user,
        "name": display_name(user),
        "authority": user.authority,
        "link": link,
        "new": new,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
    }
    subject = "Your Outturn account" if new else "Set a new password for Outturn"
    body = render_to_string("accounts/email/set_password.txt", context)
    transaction.on_commit(lambda: _send(subject, body, user.email))


def _send(subject: str, body: str, to: str) -> None:
    """A mail server that fails does not undo the change: the administrator has the link too."""
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        logger.exception("Could not email a set-password link to %s", to)


def _username_from(email: str) -> str:
    """jo.bloggs@notts.gov.uk → jo.bloggs, with a number added if that is taken."""
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0].lower())[:30] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _check_new_user(*, first_name: str, last_name: str, email: str, role: str, username: str) -> None:
    problems: dict[str, str] = {}
    if not first_name:
        problems["first_name"] = "Enter their first name"
    if not last_name:
        problems["last_name"] = "Enter their last name"
    if not email:
        problems["email"] = "Enter their email address"
    elif User.objects.filter(email__iexact=email).exists():
        problems["email"] = "Someone already uses this email address; each person needs their own"
    if role not in Role.values:
        problems["role"] = "Choose a role"
    if username and User.objects.filter(username__iexact=username).exists():
        problems["username"] = "This username is taken; choose another or leave it blank"
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def user_add(
    *, by: User, first_name: str, last_name: str, email: str, role: str, username: str = "", site: str
) -> tuple[User, str]:
    """Add a person to the administrator's own authority with an unusable password, email them a
    set-password link and return them with that link (which the page shows once)."""
    if by.role != Role.ADMINISTRATOR or by.authority is None or not by.is_active:
        raise PermissionDenied("Only an administrator adds people.")
    first_name, last_name, email, username = first_name.strip(), last_name.strip(), email.strip(), username.strip()
    _check_new_user(first_name=first_name, last_name=last_name, email=email, role=role, username=username)
    user = User(
        username=username or _username_from(email),
        authority=by.authority,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"username": "This username is taken; choose another or leave it blank"}) from None
    words = f"Added user {display_name(user)} ({Role(role).label})"
    audit_record(
        authority=by.authority,
        user=by,
        action="user.create",
        obj=user,
        object_repr=words,
        after={"username": user.username, "email": email, "role": role},
    )
    link = site + set_password_path(user)
    _send_set_password_email(user, link, new=True)
    return user, link


@transaction.atomic
def user_deactivate(*, by: User, user: User) -> User:
    """Stop a person signing in (their sessions end: Django refuses an inactive user's session)."""
    _check_administrator_of(by, user)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself. Ask another administrator.")
    return _set_active(by, user, active=False)


@transaction.atomic
def user_reactivate(*, by: User, user: User) -> User:
    _check_administrator_of(by, user)
    return _set_active(by, user, active=True)


def _set_active(by: User, user: User, *, active: bool) -> User:
    """Deactivate or reactivate, audited in words; the last active administrator stays."""
    authority = _check_administrator_of(by, user)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        state = "active" if active else "deactivated"
        raise ValidationError(f"{display_name(locked)} is already {state}.")
    if not active:
        _refuse_if_last_administrator(locked, "deactivate")
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    verb = "Reactivated" if active else "Deactivated"
    audit_record(
        authority=authority,
        user=by,
        action="user.reactivate" if active else "user.deactivate",
        obj=locked,
        object_repr=f"{verb} user {display_name(locked)}",
        before={"active": not active},
        after={"active": active},
    )
    return locked


@transaction.atomic
def user_password_reset(*, by: User, user: User, site: str) -> str:
    """Make a person's password stop working and give them a set-password link (emailed, and
    returned for the page to show once). Their sessions end: a session carries a hash of the
    password, so every session signed in with the old one is refused from its next request."""
    authority = _check_administrator_of(by, user)
    if user.pk == by.pk:
        raise ValidationError("You cannot reset your own password here. Ask another administrator.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        raise ValidationError(f"{display_name(locked)} is deactivated. Reactivate them first.")
    locked.set_unusable_password()
    locked.save(update_fields=["password"])
    audit_record(
        authority=authority,
        user=by,
        action="user.password_reset",
        obj=locked,
        object_repr=f"Asked {display_name(locked)} to reset their password",
    )
    link = site + set_password_path(locked)
    _send_set_password_email(locked, link, new=False)
    return link


@transaction.atomic
def user_unlock(*, by: User, user: User) -> int:
    """Clear the failed sign-ins the throttle counts for a person's username; how many records."""
    authority = _check_administrator_of(by, user)
    cleared = throttle_clear(user.get_username())
    audit_record(
        authority=authority,
        user=by,
        action="user.unlock",
        obj=user,
        object_repr=f"Unlocked sign-in for {display_name(user)}",
        after={"records_cleared": cleared},
    )
    return cleared


@transaction.atomic
def user_second_factor_reset(*, by: User, user: User) -> None:
    """Clear a person's authenticator app and recovery codes (a lost phone): they set up a new app
    at their next sign-in with a password."""
    authority = _check_administrator_of(by, user)
    if by.pk == user.pk:
        raise ValidationError("You cannot reset your own authenticator app. Ask another administrator.")
    SecondFactor.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(
        authority=authority,
        user=by,
        action="user.second_factor_reset",
        obj=user,
        object_repr=f"Reset the authenticator app of {display_name(user)}",
    )
