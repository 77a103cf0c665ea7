from typing import Any

from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Authorities and people"

    def ready(self) -> None:
        checks.register(sso_settings_check, checks.Tags.security)


def sso_settings_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed OIDC_ROLE_MAP, or single sign-on without a secret or a map, is said when the
    site starts (`manage.py check`), not first met by someone signing in."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from accounts import oidc

    if not oidc.configured():
        return []
    problems: list[checks.CheckMessage] = []
    try:
        if not oidc.role_map():
            problems.append(
                checks.Error(
                    "OIDC_ROLE_MAP is empty: nobody could sign in with their council account.", id="accounts.E001"
                )
            )
    except ImproperlyConfigured as error:
        problems.append(checks.Error(str(error), id="accounts.E002"))
    if not settings.OIDC_CLIENT_SECRET:
        problems.append(checks.Error("OIDC_CLIENT_SECRET is not set.", id="accounts.E003"))
    return problems
