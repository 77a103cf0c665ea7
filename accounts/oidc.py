"""Single sign-on with the council's identity provider over OpenID Connect (docs/sign-in.md).

The protocol is Authlib's relying party: the authorisation code flow with PKCE (S256), state and
nonce kept in the session, and the ID token's RS256 signature checked against the provider's
published keys (JWKS), with its issuer, audience, expiry and nonce. This module adds what is ours:
the settings, the map from the provider's groups to an authority and role, and the account.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from joserfc.errors import JoseError

from accounts.audit import audit_record
from accounts.models import Authority, ExternalIdentity, Role, User
from accounts.services import user_role_change

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """A sign-in through the provider that Outturn turns away; `words` are shown to the person."""

    def __init__(self, words: str, *, detail: str = "") -> None:
        super().__init__(detail or words)
        self.words = words
        self.detail = detail or words


@dataclass(frozen=True)
class Grant:
    """What one group gives: a role at an authority."""

    authority_code: str
    role: str


def configured() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_CLIENT_ID)


def role_map() -> dict[str, Grant]:
    """OIDC_ROLE_MAP read: JSON ({"group": "CODE:role"}) or "group=CODE:role,group=CODE:role".
    The order is kept: where a person is in several groups, the first listed wins."""
    text = settings.OIDC_ROLE_MAP.strip()
    if not text:
        return {}
    pairs: list[tuple[str, str]]
    if text.startswith("{"):
        try:
            pairs = [(str(k), str(v)) for k, v in json.loads(text).items()]
        except (ValueError, AttributeError) as error:
            raise ImproperlyConfigured(f"OIDC_ROLE_MAP is not a JSON object: {error}") from error
    else:
        pairs = []
        for item in filter(None, (part.strip() for part in text.split(","))):
            group, _, grant = item.rpartition("=")
            pairs.append((group.strip(), grant.strip()))
    grants: dict[str, Grant] = {}
    for group, grant in pairs:
        code, _, role = grant.partition(":")
        if not group or not code or role not in Role.values:
            raise ImproperlyConfigured(
                f"OIDC_ROLE_MAP entry {group!r}={grant!r} should read group=AUTHORITY_CODE:role, "
                f"with a role of {', '.join(Role.values)}"
            )
        grants[group] = Grant(code.strip(), role)
    return grants


class _Provider(DjangoOAuth2App):  # type: ignore[misc]  # Authlib ships no types
    """Authlib's Django client, held to the algorithms we accept whatever the provider offers."""

    def load_server_metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = super().load_server_metadata()
        metadata["id_token_signing_alg_values_supported"] = list(settings.OIDC_ALGORITHMS)
        return metadata


def _client() -> _Provider:
    # A fresh client each sign-in reads the discovery document and keys again, so a provider's
    # key rotation needs no restart; it is two small requests per sign-in.
    oauth = OAuth()
    client = oauth.register(
        "council",
        overwrite=True,
        client_cls=_Provider,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        server_metadata_url=settings.OIDC_DISCOVERY_URL,
        client_kwargs={
            "scope": settings.OIDC_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.OIDC_TIMEOUT_SECONDS,
        },
    )
    assert isinstance(client, _Provider)
    return client


def sign_in_start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider's sign-in, with state, nonce and PKCE kept in the session."""
    try:
        response: HttpResponse = _client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused(
            "Your council's sign-in service did not answer. Try again in a few minutes.", detail=repr(error)
        ) from error
    return response


def _claims(request: HttpRequest) -> dict[str, Any]:
    client = _client()
    try:
        metadata = client.load_server_metadata()
        options = {"iss": {"essential": True, "values": [metadata.get("issuer", "")]}}
        token = client.authorize_access_token(request, claims_options=options)
    except requests.RequestException as error:
        raise SignInRefused(
            "Your council's sign-in service did not answer. Try again in a few minutes.", detail=repr(error)
        ) from error
    except (AuthlibBaseError, JoseError, KeyError, TypeError, ValueError) as error:
        # A missing or replayed state, a code refused, a token whose signature, issuer, audience,
        # expiry or nonce is wrong: all mean this sign-in cannot be trusted.
        raise SignInRefused(
            "We could not confirm your sign-in with your council's sign-in service. Start again from the sign-in page.",
            detail=f"{type(error).__name__}: {error}",
        ) from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInRefused("Your council's sign-in service did not say who you are.", detail="no ID token")
    return dict(claims)


def _groups(claims: dict[str, Any]) -> list[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if value is None and settings.OIDC_GROUPS_CLAIM in claims.get("_claim_names", {}):
        # Entra ID leaves the groups out when a person is in too many (the "overage" claim).
        raise SignInRefused(
            "You are in too many groups for your council's sign-in service to list them. Ask your "
            "council's IT team to send only the groups given to Outturn.",
            detail="groups overage",
        )
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _grant_of(claims: dict[str, Any]) -> Grant:
    grants = role_map()
    groups = set(_groups(claims))
    found = [grant for group, grant in grants.items() if group in groups]
    if not found:
        _refusal_record(grants, claims, "no group given to Outturn")
        raise SignInRefused(
            "Your council account is not set up to use Outturn. Ask your Outturn administrator to "
            "add you to one of the groups that gives access.",
            detail="no mapped group",
        )
    if len({grant.authority_code for grant in found}) > 1:
        _refusal_record(grants, claims, "groups of more than one authority")
        raise SignInRefused(
            "Your council account is in groups for more than one authority. Ask your Outturn "
            "administrator to leave you in the groups of one.",
            detail="several authorities",
        )
    return found[0]


def _refusal_record(grants: dict[str, Grant], claims: dict[str, Any], why: str) -> None:
    """An audit event for a refused sign-in, against the authority this provider serves (when the
    map names just one); always logged."""
    who = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or claims.get("sub", ""))
    logger.warning("Single sign-on refused for %s: %s", who, why)
    codes = {grant.authority_code for grant in grants.values()}
    authority = Authority.objects.filter(code=codes.pop()).first() if len(codes) == 1 else None
    if authority is not None:
        audit_record(
            authority=authority,
            user=None,
            action="user.sso_refused",
            object_type="accounts.User",
            object_repr=f"Refused council sign-in for {who}",
            reason=f"Refused single sign-on: {why}",
        )


def _new_username(claims: dict[str, Any]) -> str:
    raw = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or claims["sub"])
    base = re.sub(r"[^\w.@+-]", "", raw)[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _words_of(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _existing_account(claims: dict[str, Any], issuer: str, authority: Authority) -> User | None:
    """An account an administrator made before single sign-on, at the same authority with the same
    email address and no council identity yet: linked, not made again."""
    email = str(claims.get("email") or "")
    if not email or claims.get("email_verified") is False:
        return None
    user = (
        User.objects.filter(authority=authority, email__iexact=email, is_active=True, external_identities=None)
        .order_by("pk")
        .first()
    )
    if user is None:
        return None
    ExternalIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"], last_sign_in_at=timezone.now())
    audit_record(
        authority=authority,
        user=None,
        action="user.sso_link",
        obj=user,
        object_repr=f"Linked {_words_of(user)} to their council account",
        reason="First sign-in through the council's sign-in service",
    )
    return user


def _account(claims: dict[str, Any], issuer: str, authority: Authority, role: str) -> User:
    """The account of this identity: found by issuer and subject, or made on first sign-in."""
    link = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=claims["sub"]).first()
    if link is not None:
        user = link.user
        if user.authority_id != authority.pk:
            raise SignInRefused(
                "Your council account now points to another authority. Ask your Outturn administrator.",
                detail="authority changed",
            )
        if not user.is_active:
            raise SignInRefused("Your Outturn account has been deactivated. Ask your Outturn administrator.")
        link.last_sign_in_at = timezone.now()
        link.save(update_fields=["last_sign_in_at"])
        return user
    existing = _existing_account(claims, issuer, authority)
    if existing is not None:
        return existing
    user = User(
        username=_new_username(claims),
        authority=authority,
        role=role,
        email=str(claims.get("email", ""))[:254],
        first_name=str(claims.get("given_name", ""))[:150],
        last_name=str(claims.get("family_name", ""))[:150],
    )
    user.set_unusable_password()  # they sign in through their council only
    user.save()
    ExternalIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"], last_sign_in_at=timezone.now())
    audit_record(
        authority=authority,
        user=None,
        action="user.sso_create",
        obj=user,
        object_repr=f"Added user {_words_of(user)} ({user.get_role_display()}) at their first council sign-in",
        reason="First sign-in through the council's sign-in service",
    )
    return user


def user_from_claims(claims: dict[str, Any], issuer: str) -> User:
    """The Outturn account for checked ID token claims: made or found, its role following the groups."""
    if not claims.get("sub"):
        raise SignInRefused("Your council's sign-in service did not say who you are.", detail="no subject")
    grant = _grant_of(claims)  # its refusal's audit event is kept: outside the transaction below
    authority = Authority.objects.filter(code=grant.authority_code).first()
    if authority is None:
        raise ImproperlyConfigured(f"OIDC_ROLE_MAP names the authority {grant.authority_code}, which does not exist")
    with transaction.atomic():
        return _account_with_role(claims, issuer, authority, grant.role)


def _account_with_role(claims: dict[str, Any], issuer: str, authority: Authority, role: str) -> User:
    grant = Grant(authority.code, role)
    user = _account(claims, issuer, authority, grant.role)
    if user.role != grant.role:
        try:
            user = user_role_change(
                user=user, role=grant.role, changed_by=None, reason="Their groups at the council's sign-in service"
            )
        except ValidationError as error:
            raise SignInRefused(" ".join(error.messages)) from error
    return user


def sign_in_complete(request: HttpRequest) -> User:
    """The provider's answer checked and turned into the person's account (SignInRefused if not)."""
    claims = _claims(request)
    try:
        return user_from_claims(claims, str(claims.get("iss", "")))
    except ImproperlyConfigured as error:
        logger.error("Single sign-on is misconfigured: %s", error)
        raise SignInRefused(
            "Outturn's link to your council's sign-in service is not set up correctly. "
            "Tell your Outturn administrator.",
            detail=str(error),
        ) from error
