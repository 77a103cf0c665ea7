"""The heartbeat of a forecast run or back-test while a worker computes it, and the limits that
decide when a silent one is taken back (docs/forecast-runs.md, Recovery).

A thread writes ``heartbeat_at`` on the row every few seconds for as long as the work goes on,
even inside one long call into the engine, so that a row whose heartbeat is older than the
stale limit belongs to a worker that died, never to one that is merely busy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)


def beat_seconds() -> float:
    """How often a worker beats: the setting, but never less than three beats within the stale
    limit, so a live worker cannot look dead if an operator shortens only the limit."""
    return max(min(float(settings.OUTTURN_HEARTBEAT_SECONDS), settings.OUTTURN_FORECAST_STALE_SECONDS / 3), 0.1)


def stale_before(now: datetime | None = None) -> datetime:
    """A running row whose last beat is older than this has lost its worker."""
    return (now or timezone.now()) - timedelta(seconds=settings.OUTTURN_FORECAST_STALE_SECONDS)


@contextmanager
def beating(model: type[models.Model], pk: int) -> Iterator[None]:
    """Beat on the row ``pk`` of ``model`` while it is running and the block runs."""
    every = beat_seconds()
    done = threading.Event()

    def beat() -> None:
        try:
            while not done.wait(every):
                try:
                    model._default_manager.filter(pk=pk, status="running").update(heartbeat_at=timezone.now())
                except DatabaseError as error:
                    # A busy database (SQLite's "database is locked" while another process writes)
                    # costs one beat, not the thread: the next beat comes well inside the stale limit.
                    logger.warning("A heartbeat of %s %s was not written: %s", model.__name__, pk, error)
                    connection.close()
        finally:
            connection.close()  # the thread's own database connection

    thread = threading.Thread(target=beat, name=f"{model.__name__}-{pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
