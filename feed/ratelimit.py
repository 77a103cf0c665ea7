"""Requests a minute per token, counted in the shared cache (a fixed one-minute window).

With a shared cache (DJANGO_CACHE_URL) every web process counts against the same limit; with
each process's own memory the limit is per process. A refresh of a Power BI report makes one
request per table, well within the default of 60 a minute.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def wait_seconds(token_id: int) -> int:
    """0 if this request is within the token's limit, else how many seconds until it may ask again."""
    limit = int(settings.OUTTURN_FEED_REQUESTS_PER_MINUTE)
    now = time.time()
    window = int(now // 60)
    key = f"outturn:feed-rate:{token_id}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * 60 - now))
