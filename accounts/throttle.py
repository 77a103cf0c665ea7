"""What the sign-in throttle keeps about a username, read and cleared for the users page.

Failed sign-ins are counted by django-axes in its database tables (config/settings.py: five
failures lock a username from one address for the cool-off time). A username is locked while
the failures from any one address within the cool-off reach the limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Those of `usernames` the throttle refuses now."""
    names = list(usernames)
    if not settings.AXES_ENABLED or not names:
        return set()
    attempts = AccessAttempt.objects.filter(username__in=names)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    counts = attempts.values("username", "ip_address").annotate(failures=Sum("failures_since_start"))
    return {row["username"] for row in counts if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def throttle_clear(username: str) -> int:
    """Forget every failed sign-in counted for `username`, from every address; how many records."""
    return int(AxesProxyHandler.reset_attempts(username=username))
