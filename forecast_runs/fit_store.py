"""Fitted statistical forecasts kept in the shared cache, so that a worker reuses a fit another
process made of exactly the same history (``forecasting.engine.demand.fits_kept_in``).

The monthly back-test forecasts from the quarter-ends of the two years before the as-at date:
seven of its eight dates are those of the back-test three months earlier, and the eighth is the
as-at date of last month's run. Where the register's history up to a date has not changed, the
fit is found here instead of being made again. The dates of the next two months' back-tests
are fitted ahead, when the workers have nothing else to do (``backtests.backtest_fit_ahead``).
The key is a hash of the exact history and every setting of the fit, so a fit found is the one
that would have been made.
"""

from __future__ import annotations

import logging
from typing import TypeGuard

from django.core.cache import cache

from forecasting.engine.demand import Fit

log = logging.getLogger(__name__)
PREFIX = "outturn:fit:"
KEEP_SECONDS = 100 * 24 * 3600  # past the back-test of the next quarter (about 0.5 kB a fit)


class CacheFitStore:
    """The store on Django's default cache (Redis in production). A cache that fails costs the
    fit, never the run or the back-test. ``made`` counts the fits kept here: those its user
    made, not finding them."""

    def __init__(self) -> None:
        self.made = 0

    def get(self, key: str) -> Fit | None:
        try:
            found = cache.get(PREFIX + key)
            if _is_fit(found):
                # Kept another 100 days from each use: a fit made ahead for the back-test two
                # months on is used again three months after that.
                cache.touch(PREFIX + key, timeout=KEEP_SECONDS)
                return found
        except Exception:  # noqa: BLE001 - a cache that is down means fitting again
            log.warning("the fit store could not be read", exc_info=True)
        return None

    def set(self, key: str, fit: Fit) -> None:
        self.made += 1
        try:
            cache.set(PREFIX + key, fit, timeout=KEEP_SECONDS)
        except Exception:  # noqa: BLE001 - as above
            log.warning("the fit store could not be written", exc_info=True)


def _is_fit(value: object) -> TypeGuard[Fit]:
    return (
        isinstance(value, tuple)
        and len(value) == 4
        and all(isinstance(path, tuple) for path in value[:3])
        and isinstance(value[3], str)
    )
