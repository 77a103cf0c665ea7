"""The second step of signing in with a password, for directors and administrators: a code from
an authenticator app (RFC 6238 TOTP, 6 digits, 30-second steps) or a one-use recovery code.

People who sign in through their council's identity provider are never asked: the provider does
its own multi-factor check (docs/sign-in.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import RecoveryCode, SecondFactor, User

STEP_SECONDS = 30
# A code from the step before or after is accepted too, for a phone's clock a little out.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class SecondFactorPaused(Exception):
    """Too many wrong codes in a row: the second step is paused until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"Paused until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret as text (in groups of four) and as a QR code."""

    secret: str
    secret_groups: str
    qr_data_uri: str


def second_factor_needed(user: User) -> bool:
    return user.role in settings.OUTTURN_SECOND_FACTOR_ROLES


def has_app(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def enrolment_start(user: User) -> Enrolment:
    """The unconfirmed secret of `user`, made the first time (the same one until confirmed, so a
    reload does not invalidate a QR code already scanned)."""
    factor, _ = SecondFactor.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32(), "confirmed_at": None}
    )
    if factor.confirmed_at is not None:
        raise ValueError("This person has already set up an authenticator app")
    uri = pyotp.TOTP(factor.secret).provisioning_uri(
        name=user.get_username(), issuer_name=settings.OUTTURN_SECOND_FACTOR_ISSUER
    )
    groups = " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4))
    return Enrolment(secret=factor.secret, secret_groups=groups, qr_data_uri=segno.make(uri).svg_data_uri(scale=5))


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def _pause_check(factor: SecondFactor, now: datetime) -> None:
    if factor.locked_until is not None and factor.locked_until > now:
        raise SecondFactorPaused(factor.locked_until)


def _failed(factor: SecondFactor, now: datetime) -> None:
    factor.failures += 1
    if factor.failures >= settings.OUTTURN_SECOND_FACTOR_FAILURE_LIMIT:
        factor.failures = 0
        factor.locked_until = now + timedelta(seconds=settings.OUTTURN_SECOND_FACTOR_LOCK_SECONDS)
    factor.save(update_fields=["failures", "locked_until"])


def _matching_step(factor: SecondFactor, code: str, now: datetime) -> int | None:
    """The step whose code `code` is, within the drift allowed and after the last one used."""
    totp = pyotp.TOTP(factor.secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > factor.last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _code_check(factor: SecondFactor, code: str) -> bool:
    """Whether `code` is the app's code now; counts a failure, and pauses after too many. Call
    inside a transaction holding the row's lock."""
    now = timezone.now()
    _pause_check(factor, now)
    code = _digits(code)
    step = _matching_step(factor, code, now) if code.isdigit() and len(code) == 6 else None
    if step is None:
        _failed(factor, now)
        return False
    factor.last_step = step
    factor.failures = 0
    factor.save(update_fields=["last_step", "failures"])
    return True


def _hash(code: str) -> str:
    # Recovery codes are random (about 50 bits each), not chosen by people, so a fast hash is
    # enough; a slow password hash is for what a person might guess.
    return hashlib.sha256(_digits(code).lower().replace("-", "").encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def enrolment_confirm(user: User, code: str) -> list[str] | None:
    """Confirm the app with a code from it; the new recovery codes (shown once), or None for a
    wrong code."""
    factor = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if factor is None or not _code_check(factor, code):  # no secret shown yet: no code can be right
        return None
    factor.confirmed_at = timezone.now()
    factor.save(update_fields=["confirmed_at"])
    codes = _new_recovery_codes(user)
    if user.authority is not None:
        audit_record(
            authority=user.authority,
            user=user,
            action="user.second_factor_set_up",
            obj=user,
            object_repr=f"{user.get_full_name() or user.get_username()} set up an authenticator app",
        )
    return codes


@transaction.atomic
def code_verify(user: User, code: str) -> bool:
    """The second step: a code from the app, or else an unused recovery code (which is then used up)."""
    factor = SecondFactor.objects.select_for_update().get(user=user, confirmed_at__isnull=False)
    now = timezone.now()
    _pause_check(factor, now)
    if len(_digits(code)) == 6 and _digits(code).isdigit():
        return _code_check(factor, code)
    recovery = RecoveryCode.objects.filter(user=user, used_at__isnull=True, code_hash=_hash(code)).first()
    if recovery is None:
        _failed(factor, now)
        return False
    recovery.used_at = now
    recovery.save(update_fields=["used_at"])
    factor.failures = 0
    factor.save(update_fields=["failures"])
    if user.authority is not None:
        audit_record(
            authority=user.authority,
            user=user,
            action="user.recovery_code_used",
            obj=user,
            object_repr=f"{user.get_full_name() or user.get_username()} signed in with a recovery code",
        )
    return True


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
