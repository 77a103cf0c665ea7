"""Authorities (councils), the people who use Outturn, and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Authority(models.Model):
    """A council. Every financial record belongs to one; a deployment may hold several."""

    code = models.SlugField(max_length=30, unique=True, help_text="Short code, e.g. NOTTS")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    DIRECTOR = "director", "Director"
    COMMITTEE_MEMBER = "committee_member", "Committee member"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A person at one authority with exactly one role (PRODUCT.md, The people and their month)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="users", null=True)
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.COMMITTEE_MEMBER)

    class Meta:
        constraints = [
            # Only deployment superusers may exist without an authority.
            models.CheckConstraint(
                condition=models.Q(authority__isnull=False) | models.Q(is_superuser=True),
                name="user_has_authority_unless_superuser",
            ),
        ]

    @property
    def is_finance_officer(self) -> bool:
        return self.role == Role.FINANCE_OFFICER

    @property
    def is_director(self) -> bool:
        return self.role == Role.DIRECTOR

    @property
    def is_committee_member(self) -> bool:
        return self.role == Role.COMMITTEE_MEMBER

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class AuditEvent(models.Model):
    """Who changed what, when, with the values before and after (append-only)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="audit_events")
    user = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True)
    # For changes made by commands or tasks, where there is no signed-in user.
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80, blank=True)
    object_repr = models.CharField(max_length=250, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["authority", "object_type", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are never edited")
        super().save(*args, **kwargs)


class ExternalIdentity(models.Model):
    """The person at the council's identity provider (issuer and subject) an account signs in as."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_external_identity")]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class SecondFactor(models.Model):
    """A person's authenticator app (RFC 6238 TOTP): the shared secret, confirmed once a code from
    it has been given, and what the second step needs to refuse replays and guessing."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="second_factor")
    secret = models.CharField(max_length=64)  # base32
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The 30-second step of the last code accepted: a code works once.
    last_step = models.BigIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Authenticator app of {self.user}"


class RecoveryCode(models.Model):
    """A one-use code for when the authenticator app is lost; only its hash is kept."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=200)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user}"
