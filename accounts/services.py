"""Writes for authorities and people."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, Role, User


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
