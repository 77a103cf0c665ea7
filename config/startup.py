"""What the web app, the worker and beat check before they start."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve with the built-in secret key outside DEBUG: sessions, password-reset
    links and signed values would be forgeable by anyone who has read the source."""
    if settings.DEBUG or not settings.SECRET_KEY_IS_LOCAL:
        return
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it to a long random value (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`) before starting Outturn; "
        "on a developer's machine `make run` makes one for itself, or set DJANGO_DEBUG=1."
    )
